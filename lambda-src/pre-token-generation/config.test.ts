import { loadConfig } from "./config";
import { configProblem } from "../shared/test-support/config-problem";
import { DEFAULT_METRICS_NAMESPACE, DEFAULT_SERVICE_NAME } from "./metric-names";

const LINK_KEY_ARN = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const valid = { IDENTITY_STORE_ID: "d-1234567890", IDENTITY_STORE_REGION: "eu-west-1", LINK_KEY_ARN };

const problem = (env: Record<string, string | undefined>): string => configProblem(loadConfig, env);

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const config = loadConfig(valid);
    expect(config).toEqual({
      identityStoreId: "d-1234567890",
      identityStoreRegion: "eu-west-1",
      requireVerifiedEmail: true,
      onSyncFailure: "deny",
      groupMap: new Map(),
      adoptExistingUsers: false,
      trustedEmailProviders: new Set(),
      groupsAttribute: undefined,
      iamFederationClientId: undefined,
      enterpriseAttributes: new Map(),
      recordLastSignIn: false,
      linkKeyArn: LINK_KEY_ARN,
      identityStoreRoleArn: undefined,
      metricsNamespace: DEFAULT_METRICS_NAMESPACE,
      serviceName: DEFAULT_SERVICE_NAME,
    });
  });

  it("reads every variable", () => {
    const config = loadConfig({
      IDENTITY_STORE_ID: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
      IDENTITY_STORE_REGION: "us-gov-west-1",
      REQUIRE_VERIFIED_EMAIL: "false",
      ON_SYNC_FAILURE: "allow",
      GROUP_MAP: JSON.stringify({
        "cognito-admins": "9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b",
        readers: "1234567890-9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b",
      }),
      ADOPT_EXISTING_USERS: "true",
      TRUSTED_EMAIL_PROVIDERS: '["Okta","Entra_ID"]',
      GROUPS_ATTRIBUTE: "custom:groups",
      IAM_FEDERATION_CLIENT_ID: "1example23456789",
      ENTERPRISE_ATTRIBUTES: '{"department":"custom:department","costCenter":"custom:cost_center"}',
      RECORD_LAST_SIGN_IN: "true",
      LINK_KEY_ARN: "arn:aws-us-gov:kms:us-gov-west-1:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab",
      IDENTITY_STORE_ROLE_ARN: "arn:aws:iam::111111111111:role/bridge/identity-store-access",
      POWERTOOLS_METRICS_NAMESPACE: "Acme/IdcBridge",
      POWERTOOLS_SERVICE_NAME: "jit",
    });
    expect(config.adoptExistingUsers).toBe(true);
    expect([...config.trustedEmailProviders]).toEqual(["Okta", "Entra_ID"]);
    expect(config.groupsAttribute).toBe("custom:groups");
    expect(config.iamFederationClientId).toBe("1example23456789");
    expect([...config.enterpriseAttributes]).toEqual([
      ["department", "custom:department"],
      ["costCenter", "custom:cost_center"],
    ]);
    expect(config.recordLastSignIn).toBe(true);
    expect(config.linkKeyArn).toBe(
      "arn:aws-us-gov:kms:us-gov-west-1:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab",
    );
    expect(config.identityStoreRoleArn).toBe("arn:aws:iam::111111111111:role/bridge/identity-store-access");
    expect(config.identityStoreId).toBe("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
    expect(config.identityStoreRegion).toBe("us-gov-west-1");
    expect(config.requireVerifiedEmail).toBe(false);
    expect(config.onSyncFailure).toBe("allow");
    expect([...config.groupMap]).toEqual([
      ["cognito-admins", "9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b"],
      ["readers", "1234567890-9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b"],
    ]);
    expect(config.metricsNamespace).toBe("Acme/IdcBridge");
    expect(config.serviceName).toBe("jit");
  });

  it("treats empty optional variables as unset", () => {
    const config = loadConfig({ ...valid, REQUIRE_VERIFIED_EMAIL: "", ON_SYNC_FAILURE: "", GROUP_MAP: "" });
    expect(config.requireVerifiedEmail).toBe(true);
    expect(config.onSyncFailure).toBe("deny");
    expect(config.groupMap.size).toBe(0);
  });

  it.each([
    [
      { IDENTITY_STORE_ID: undefined },
      'IDENTITY_STORE_ID is not set (expected "d-" followed by 10 lowercase hex digits',
    ],
    [
      { IDENTITY_STORE_ID: "d-12345" },
      'IDENTITY_STORE_ID="d-12345" is invalid (expected "d-" followed by 10',
    ],
    [{ IDENTITY_STORE_ID: "d-123456789G" }, 'IDENTITY_STORE_ID="d-123456789G" is invalid'],
    [{ IDENTITY_STORE_ID: "D-1234567890" }, 'IDENTITY_STORE_ID="D-1234567890" is invalid'],
    [
      { IDENTITY_STORE_REGION: "" },
      "IDENTITY_STORE_REGION is not set (expected an AWS region name such as eu-west-1)",
    ],
    [
      { IDENTITY_STORE_REGION: "Ireland" },
      'IDENTITY_STORE_REGION="Ireland" is invalid (expected an AWS region name',
    ],
    [{ IDENTITY_STORE_REGION: "eu-west" }, 'IDENTITY_STORE_REGION="eu-west" is invalid'],
    [
      { REQUIRE_VERIFIED_EMAIL: "yes" },
      'REQUIRE_VERIFIED_EMAIL="yes" is invalid (expected one of: true, false)',
    ],
    [
      { REQUIRE_VERIFIED_EMAIL: "TRUE" },
      'REQUIRE_VERIFIED_EMAIL="TRUE" is invalid (expected one of: true, false)',
    ],
    [{ ON_SYNC_FAILURE: "ignore" }, 'ON_SYNC_FAILURE="ignore" is invalid (expected one of: deny, allow)'],
    [
      { GROUP_MAP: "{admins:1}" },
      'GROUP_MAP="{admins:1}" is not valid JSON (expected a JSON object mapping Cognito group names',
    ],
    [{ GROUP_MAP: "[]" }, 'GROUP_MAP="[]" is invalid (expected a JSON object'],
    [{ GROUP_MAP: "null" }, 'GROUP_MAP="null" is invalid (expected a JSON object'],
    [
      { GROUP_MAP: '{"admins":"platform-admins"}' },
      'GROUP_MAP["admins"]="platform-admins" is invalid (expected an Identity Store group id',
    ],
    [
      { GROUP_MAP: '{"admins":42}' },
      'GROUP_MAP["admins"]=42 is invalid (expected an Identity Store group id',
    ],
    [
      { GROUP_MAP: '{"two words":"9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b"}' },
      'GROUP_MAP key "two words" is invalid (expected a Cognito group name',
    ],
    [{ ADOPT_EXISTING_USERS: "yes" }, 'ADOPT_EXISTING_USERS="yes" is invalid (expected one of: true, false)'],
    [
      { TRUSTED_EMAIL_PROVIDERS: "Okta" },
      'TRUSTED_EMAIL_PROVIDERS="Okta" is not valid JSON (expected a JSON array',
    ],
    [{ TRUSTED_EMAIL_PROVIDERS: '{"Okta":true}' }, 'TRUSTED_EMAIL_PROVIDERS="{\\"Okta\\":true}" is invalid'],
    [{ TRUSTED_EMAIL_PROVIDERS: '[""]' }, 'TRUSTED_EMAIL_PROVIDERS entry "" is invalid'],
    [
      { GROUPS_ATTRIBUTE: "groups" },
      'GROUPS_ATTRIBUTE="groups" is invalid (expected a Cognito custom attribute',
    ],
    [
      { GROUPS_ATTRIBUTE: "custom:a-name-that-is-too-long" },
      'GROUPS_ATTRIBUTE="custom:a-name-that-is-too-long" is invalid',
    ],
    [{ IAM_FEDERATION_CLIENT_ID: "not a client" }, 'IAM_FEDERATION_CLIENT_ID="not a client" is invalid'],
    [
      { ENTERPRISE_ATTRIBUTES: '{"team":"custom:team"}' },
      'ENTERPRISE_ATTRIBUTES key "team" is invalid (expected one of: department',
    ],
    [
      { ENTERPRISE_ATTRIBUTES: '{"department":"has space"}' },
      'ENTERPRISE_ATTRIBUTES["department"]="has space" is invalid (expected a Cognito attribute name',
    ],
    [{ RECORD_LAST_SIGN_IN: "1" }, 'RECORD_LAST_SIGN_IN="1" is invalid (expected one of: true, false)'],
    [
      { IDENTITY_STORE_ROLE_ARN: "arn:aws:iam::12345:role/x" },
      'IDENTITY_STORE_ROLE_ARN="arn:aws:iam::12345:role/x" is invalid (expected an IAM role ARN',
    ],
    [{ LINK_KEY_ARN: undefined }, "LINK_KEY_ARN is not set (expected a KMS key ARN such as arn:aws:kms:"],
    [
      { LINK_KEY_ARN: "arn:aws:kms:eu-west-1:111111111111:alias/idc-link" },
      'LINK_KEY_ARN="arn:aws:kms:eu-west-1:111111111111:alias/idc-link" is invalid (expected a KMS key ARN',
    ],
    [{ POWERTOOLS_METRICS_NAMESPACE: "AWS/Lambda" }, 'POWERTOOLS_METRICS_NAMESPACE="AWS/Lambda" is invalid'],
    [{ POWERTOOLS_SERVICE_NAME: " padded " }, 'POWERTOOLS_SERVICE_NAME=" padded " is invalid'],
  ])("rejects %j naming the variable, the value and the expected form", (override, expected) => {
    const message = problem({ ...valid, ...override });
    expect(message).toContain("Invalid configuration of the pre-token-generation Lambda: ");
    expect(message).toContain(expected);
  });

  it("reports every problem at once", () => {
    const message = problem({ IDENTITY_STORE_ID: "nope", ON_SYNC_FAILURE: "maybe" });
    expect(message).toContain('IDENTITY_STORE_ID="nope" is invalid');
    expect(message).toContain("IDENTITY_STORE_REGION is not set");
    expect(message).toContain('ON_SYNC_FAILURE="maybe" is invalid');
  });

  it("does not echo arbitrarily long values", () => {
    const message = problem({ ...valid, IDENTITY_STORE_ID: "x".repeat(5000) });
    expect(message.length).toBeLessThan(400);
  });

  it("keeps a group named __proto__ as plain data", () => {
    const config = loadConfig({
      ...valid,
      GROUP_MAP: '{"__proto__":"9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b"}',
    });
    expect(config.groupMap.get("__proto__")).toBe("9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b");
  });
});
