import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import {
  ConfigError,
  DEFAULT_CONFIG_PATH,
  displayPath,
  loadConfig,
  parseConfig,
  resolveConfigPath,
  type BridgeConfigInput,
} from ".";
import { trustedEmailProviders } from "./cognito-checks";
import { exampleInput, RICH_CONFIG } from "../__tests__/helpers/stacks";
import { tempDir } from "../__tests__/helpers/temp-dirs";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Mutable = any;

function problemsOf(change: (c: Mutable) => void): string {
  const input = exampleInput();
  change(input);
  try {
    parseConfig(input, "test.json");
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected the config to be rejected");
}

describe("config validation", () => {
  it("accepts the example and fills defaults", () => {
    const c = parseConfig(exampleInput());
    expect(c.environment).toBe("prod");
    expect(c.cognito.userPoolTier).toBe("ESSENTIALS");
    expect(c.cognito.provisioning.logRetentionDays).toBe(90);
    expect(c.identityCenter.permissionSets[2].sessionDuration).toBe("PT1H");
    expect(c.cloudflare.access.groups).toEqual([]);
  });

  // Each row: the change, the field path the message must name, a fragment of the expected form.
  const rows: [string, (c: Mutable) => void, string, string][] = [
    ["environment with capitals", (c) => (c.environment = "Prod"), "environment", "lowercase"],
    ["environment too long", (c) => (c.environment = "a-very-long-environment-name"), "environment", "1-16"],
    ["unknown top-level key", (c) => (c.extra = true), "extra", "unknown key; expected one of environment"],
    [
      "unknown nested key (typo)",
      (c) => (c.cognito.domainPrefx = "x"),
      "cognito.domainPrefx",
      "domainPrefix",
    ],
    [
      "IdC region not a region",
      (c) => (c.identityCenter.region = "eu-west-9"),
      "identityCenter.region",
      "AWS region code",
    ],
    [
      "backend region not a region",
      (c) => (c.backend.region = "europe"),
      "backend.region",
      "AWS region code",
    ],
    ["backend type unknown", (c) => (c.backend.type = "gcs"), "backend.type", '"s3", "local" or "cloud"'],
    // Amazon S3 User Guide, "General purpose bucket naming rules": CreateBucket rejects each of these.
    [
      "state bucket named like an IP address",
      (c) => (c.backend.bucket = "192.168.5.4"),
      "backend.bucket",
      "not an IP address",
    ],
    [
      "state bucket with adjacent periods",
      (c) => (c.backend.bucket = "acme..tfstate"),
      "backend.bucket",
      "no '..'",
    ],
    [
      "state bucket with a reserved prefix",
      (c) => (c.backend.bucket = "xn--tfstate"),
      "backend.bucket",
      "reserved prefix",
    ],
    [
      "state bucket with a reserved suffix",
      (c) => (c.backend.bucket = "tfstate-s3alias"),
      "backend.bucket",
      "suffix",
    ],
    [
      "issuer URL over http",
      (c) => (c.identityCenter.issuerUrl = c.identityCenter.issuerUrl.replace("https", "http")),
      "identityCenter.issuerUrl",
      "https://<region>.signin.aws.amazon.com/platform/saml/d-",
    ],
    [
      "issuer URL of another region",
      (c) =>
        (c.identityCenter.issuerUrl = "https://us-east-1.signin.aws.amazon.com/platform/saml/d-1234567890"),
      "identityCenter.issuerUrl",
      "identityCenter.region (eu-west-1)",
    ],
    [
      "ACS URL without uuid",
      (c) => (c.identityCenter.acsUrl = "https://eu-west-1.signin.aws.amazon.com/platform/saml/acs/"),
      "identityCenter.acsUrl",
      "acs/<uuid>",
    ],
    [
      "ACS URL of another region",
      (c) => (c.identityCenter.acsUrl = c.identityCenter.acsUrl.replace("eu-west-1", "eu-central-1")),
      "identityCenter.acsUrl",
      "identityCenter.region",
    ],
    [
      "account id too short",
      (c) => (c.identityCenter.permissionSets[0].assignments[0].accounts[1] = "12345"),
      "identityCenter.permissionSets[0].assignments[0].accounts[1]",
      "12-digit",
    ],
    [
      "permission set duration over 12h",
      (c) => (c.identityCenter.permissionSets[0].sessionDuration = "PT13H"),
      "identityCenter.permissionSets[0].sessionDuration",
      "PT1H to PT12H",
    ],
    [
      "permission set duration not ISO",
      (c) => (c.identityCenter.permissionSets[0].sessionDuration = "8h"),
      "identityCenter.permissionSets[0].sessionDuration",
      "ISO-8601",
    ],
    [
      "a Cloudflare session of zero",
      (c) => (c.cloudflare.sessionDuration = "0h0m"),
      "cloudflare.sessionDuration",
      "longer than zero",
    ],
    [
      "inline policy not JSON",
      (c) => (c.identityCenter.permissionSets[1].inlinePolicy = "{not json"),
      "identityCenter.permissionSets[1].inlinePolicy",
      "IAM policy JSON",
    ],
    [
      "inline policy without Statement",
      (c) => (c.identityCenter.permissionSets[1].inlinePolicy = { Version: "2012-10-17" }),
      "identityCenter.permissionSets[1].inlinePolicy.Statement",
      "expected a statement object or a non-empty list of statements",
    ],
    [
      "managed policy not AWS managed",
      (c) => (c.identityCenter.permissionSets[0].managedPolicies = ["arn:aws:iam::111111111111:policy/Mine"]),
      "identityCenter.permissionSets[0].managedPolicies[0]",
      "AWS managed policy ARN",
    ],
    [
      "assignment to unknown group",
      (c) => (c.identityCenter.permissionSets[0].assignments[0].group = "admins"),
      "identityCenter.permissionSets[0].assignments[0].group",
      "one of identityCenter.groups: platform-admins",
    ],
    [
      "duplicate group",
      (c) => c.identityCenter.groups.push({ name: "readers" }),
      "identityCenter.groups[3].name",
      "unique",
    ],
    [
      "cloudflare account id not hex",
      (c) => (c.cloudflare.accountId = "0123456789ABCDEF0123456789ABCDEF"),
      "cloudflare.accountId",
      "32 lowercase hex",
    ],
    ["team name with dots", (c) => (c.cloudflare.teamName = "acme.corp"), "cloudflare.teamName", "team name"],
    [
      "domain prefix with reserved word",
      (c) => (c.cognito.domainPrefix = "acme-aws-login"),
      "cognito.domainPrefix",
      "reserved words aws, amazon, cognito",
    ],
    [
      "domain prefix with uppercase",
      (c) => (c.cognito.domainPrefix = "Acme"),
      "cognito.domainPrefix",
      "lowercase letters",
    ],
    [
      "email domain with scheme",
      (c) => (c.cloudflare.access.emailDomains = ["https://acme.example"]),
      "cloudflare.access.emailDomains[0]",
      "DNS domain",
    ],
    [
      "bad email",
      (c) => (c.cloudflare.access.emails = ["bob@"]),
      "cloudflare.access.emails[0]",
      "email address",
    ],
    [
      "nobody can sign in",
      (c) => (c.cloudflare.access = { emailDomains: [], emails: [] }),
      "cloudflare.access",
      "at least one of",
    ],
    [
      "Go duration in ISO form",
      (c) => (c.cloudflare.sessionDuration = "PT8H"),
      "cloudflare.sessionDuration",
      "Go-style duration",
    ],
    [
      "groupMap to unknown IdC group",
      (c) => {
        c.cognito.groups.push({ name: "cognito-ops" });
        c.cognito.provisioning.groupMap["cognito-ops"] = "ops";
      },
      'cognito.provisioning.groupMap["cognito-ops"]',
      "one of identityCenter.groups",
    ],
    [
      "onSyncFailure unknown",
      (c) => (c.cognito.provisioning.onSyncFailure = "retry"),
      "cognito.provisioning.onSyncFailure",
      "deny or allow",
    ],
    ["mfa unknown", (c) => (c.cognito.mfa = "REQUIRED"), "cognito.mfa", "OFF, OPTIONAL or ON"],
    [
      "password too short",
      (c) => (c.cognito.passwordMinimumLength = 8),
      "cognito.passwordMinimumLength",
      "12 to 99",
    ],
    [
      "log retention not allowed",
      (c) => (c.cognito.provisioning.logRetentionDays = 45),
      "cognito.provisioning.logRetentionDays",
      "retention values",
    ],
    [
      "alarm above Cognito limit",
      (c) => (c.cognito.monitoring = { durationAlarmMs: 6000 }),
      "cognito.monitoring.durationAlarmMs",
      "500 to 4000",
    ],
    [
      "upstream provider of unknown type",
      (c) => (c.cognito.upstreamProviders = [{ type: "ldap", name: "x" }]),
      "cognito.upstreamProviders[0].type",
      '"oidc" or "saml"',
    ],
    [
      "OIDC provider without issuer",
      (c) => (c.cognito.upstreamProviders = [{ type: "oidc", name: "Google", clientId: "id" }]),
      "cognito.upstreamProviders[0].issuerUrl",
      "required",
    ],
    [
      "account assigned twice to one group",
      (c) =>
        c.identityCenter.permissionSets[0].assignments.push({
          group: "platform-admins",
          accounts: ["222222222222"],
        }),
      "identityCenter.permissionSets[0].assignments[1].accounts[0]",
      "each account once per group",
    ],
    [
      "OIDC providers sharing a secret variable",
      (c) =>
        (c.cognito.upstreamProviders = [
          { type: "oidc", name: "Entra-ID", clientId: "a", issuerUrl: "https://login.example" },
          { type: "oidc", name: "entra.id", clientId: "b", issuerUrl: "https://login.example" },
        ]),
      "cognito.upstreamProviders[1].name",
      'differs from "Entra-ID" in more than case or . _ - (both would use TF_VAR_upstream_entra_id_client_secret)',
    ],
    [
      "groupMap key that is no Cognito group name",
      (c) => (c.cognito.provisioning.groupMap = { "two words": "readers" }),
      'cognito.provisioning.groupMap["two words"]',
      "Cognito group name",
    ],
    ["wrong type", (c) => (c.identityCenter.groups = "admins"), "identityCenter.groups", "expected an array"],
    ["missing section", (c) => delete c.cloudflare, "cloudflare", "required"],
    ["tag key reserved by AWS", (c) => (c.tags = { "aws:owner": "x" }), 'tags["aws:owner"]', "AWS tag key"],
  ];

  it.each(rows)(
    "rejects %s, naming the field, the value and the expected form",
    (_name, change, field, expected) => {
      const message = problemsOf(change);
      const line = message.split("\n").find((l) => l.startsWith(`  - ${field}: `));
      expect(line).toBeDefined();
      expect(line).toContain(expected);
      expect(line).toMatch(/; got .+$/);
    },
  );

  it("reports every problem at once, cross-field ones included", () => {
    const message = problemsOf((c) => {
      c.cognito.region = "moon-1";
      c.cloudflare.accountId = "nope";
      c.identityCenter.permissionSets[0].assignments[0].group = "ghosts";
    });
    expect(message).toMatch(/^Invalid config test\.json \(3 problems\):/);
    expect(message).toContain(
      '  - cognito.region: expected an AWS region code such as eu-west-1; got "moon-1"',
    );
    expect(message).toContain(
      '  - cloudflare.accountId: expected a Cloudflare account id (32 lowercase hex characters); got "nope"',
    );
    expect(message).toContain(
      "identityCenter.permissionSets[0].assignments[0].group: expected one of identityCenter.groups",
    );
  });

  it("shows the bad value, truncated when long", () => {
    const message = problemsOf((c) => (c.environment = "x".repeat(200)));
    expect(message).toMatch(/got "x{70,}\.\.\./);
  });
});

describe("config files", () => {
  const dir = tempDir("bridge-config-");

  it("defaults to the example and honours BRIDGE_CONFIG", () => {
    expect(resolveConfigPath({})).toBe(DEFAULT_CONFIG_PATH);
    expect(resolveConfigPath({ BRIDGE_CONFIG: "config/other.json" })).toBe(path.resolve("config/other.json"));
  });

  it("loads a file in the documented shape", () => {
    const input: BridgeConfigInput = exampleInput();
    input.environment = "staging";
    const file = path.join(dir, "staging.json");
    writeFileSync(file, JSON.stringify(input));
    expect(loadConfig(file).environment).toBe("staging");
  });

  it("names the file when it is missing or not JSON", () => {
    expect(() => loadConfig(path.join(dir, "missing.json"))).toThrow(
      /missing\.json.*expected a readable JSON file/s,
    );
    const broken = path.join(dir, "broken.json");
    writeFileSync(broken, "{ environment: prod }");
    expect(() => loadConfig(broken)).toThrow(
      /broken\.json:1:3: expected JSON here: property names and strings in double quotes/,
    );
  });
});

/** The richer test config: Cognito groups, custom attributes, a groups attribute, SAML with trustEmail. */
function richInput(): Mutable {
  return JSON.parse(readFileSync(RICH_CONFIG, "utf8"));
}

function problemsOfRich(change: (c: Mutable) => void): string {
  const input = richInput();
  change(input);
  try {
    parseConfig(input, "rich.json");
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected the config to be rejected");
}

describe("config checks for what only AWS or Cloudflare would reject (or silently break)", () => {
  it("accepts the rich config and keeps what the stacks and the Lambda need", () => {
    const c = loadConfig(RICH_CONFIG);
    expect(c.cognito.groups.map((g) => g.name)).toEqual(["admins", "Engineering", "Audit"]);
    expect(c.cognito.customAttributes[4]).toEqual({
      name: "clearance",
      type: "Number",
      mutable: true,
      minValue: 0,
      maxValue: 5,
    });
    expect(c.cognito.provisioning).toMatchObject({
      groupsAttribute: "custom:groups",
      adoptExistingUsers: true,
      requireVerifiedEmail: true,
      enterpriseAttributes: { department: "custom:department", employeeNumber: "custom:employee_no" },
    });
    expect(c.cognito.upstreamProviders.map((p) => [p.name, p.trustEmail, p.identifiers])).toEqual([
      ["Okta", true, ["corp.example"]],
      ["Google", false, ["corp-partners.example"]],
    ]);
    expect(trustedEmailProviders(c.cognito)).toEqual(["Okta"]);
    expect(JSON.parse(c.identityCenter.permissionSets[0].inlinePolicy!).Statement[1].Sid).toBe(
      "OwnCostCenterOnly",
    );
  });

  it("defaults the new provisioning keys so the example keeps its behaviour", () => {
    const c = parseConfig(exampleInput());
    expect(c.cognito.provisioning.adoptExistingUsers).toBe(false);
    expect(c.cognito.provisioning.enterpriseAttributes).toEqual({});
    expect(c.cognito.provisioning.groupsAttribute).toBeUndefined();
    expect(c.cognito.customAttributes).toEqual([]);
  });

  // Each row: the change to the rich config, the field the message must name, a fragment of the expected form.
  const rows: [string, (c: Mutable) => void, string, string][] = [
    // Cognito groups (CreateGroup: GroupName 1-128 of [\p{L}\p{M}\p{S}\p{N}\p{P}], Description ≤ 2048, Precedence ≥ 0).
    [
      "groupMap key that is no declared Cognito group",
      (c) => (c.cognito.provisioning.groupMap.Sales = "engineers"),
      "cognito.provisioning.groupMap.Sales",
      'the key "Sales" to be a group declared in cognito.groups: admins, Engineering, Audit',
    ],
    [
      "Cognito group twice",
      (c) => c.cognito.groups.push({ name: "Audit" }),
      "cognito.groups[3].name",
      "unique",
    ],
    [
      "Cognito group name with a space",
      (c) => (c.cognito.groups[2].name = "Audit team"),
      "cognito.groups[2].name",
      "Cognito group name",
    ],
    [
      "negative precedence",
      (c) => (c.cognito.groups[0].precedence = -1),
      "cognito.groups[0].precedence",
      "0 to 2147483647",
    ],
    [
      "group description over 2048 characters",
      (c) => (c.cognito.groups[0].description = "x".repeat(2049)),
      "cognito.groups[0].description",
      "1-2048 characters",
    ],
    // Custom attributes (SchemaAttributeType).
    [
      "custom attribute given with its prefix",
      (c) => (c.cognito.customAttributes[1].name = "custom:department"),
      "cognito.customAttributes[1].name",
      "without the custom: prefix",
    ],
    [
      "custom attribute name over 20 characters",
      (c) => (c.cognito.customAttributes[1].name = "department_of_the_company"),
      "cognito.customAttributes[1].name",
      "1-20 letters",
    ],
    [
      "custom attribute the bridge declares itself",
      (c) => c.cognito.customAttributes.push({ name: "idc_user_id" }),
      "cognito.customAttributes[5].name",
      "other than idc_user_id and idc_last_sign_in",
    ],
    [
      "custom attribute twice",
      (c) => c.cognito.customAttributes.push({ name: "department" }),
      "cognito.customAttributes[5].name",
      "unique",
    ],
    [
      "unknown attribute type",
      (c) => (c.cognito.customAttributes[1].type = "Text"),
      "cognito.customAttributes[1].type",
      "String, Number, DateTime or Boolean",
    ],
    [
      "length constraint on a Number",
      (c) => (c.cognito.customAttributes[4].maxLength = 3),
      "cognito.customAttributes[4].maxLength",
      "only on a String attribute (this one is Number)",
    ],
    [
      "value constraint on a String",
      (c) => (c.cognito.customAttributes[1].minValue = 3),
      "cognito.customAttributes[1].minValue",
      "only on a Number attribute",
    ],
    [
      "minimum above maximum",
      (c) => (c.cognito.customAttributes[4].minValue = 9),
      "cognito.customAttributes[4].minValue",
      "at most maxValue (5)",
    ],
    [
      "length above Cognito's 2048",
      (c) => (c.cognito.customAttributes[0].maxLength = 4096),
      "cognito.customAttributes[0].maxLength",
      "1 to 2048",
    ],
    [
      "more custom attributes than a pool holds",
      (c) => (c.cognito.customAttributes = Array.from({ length: 48 }, (_, i) => ({ name: `attr${i}` }))),
      "cognito.customAttributes",
      "at most 47 custom attributes (a user pool holds 50, the bridge uses 3)",
    ],
    // Upstream attribute mappings: standard attributes or declared custom ones, writable at every sign-in.
    [
      "mapping to an attribute Cognito does not have",
      (c) => (c.cognito.upstreamProviders[0].attributeMapping.department = "department"),
      "cognito.upstreamProviders[0].attributeMapping.department",
      "expected a standard Cognito attribute (address, birthdate, email",
    ],
    [
      "mapping to an undeclared custom attribute",
      (c) => (c.cognito.upstreamProviders[0].attributeMapping["custom:team"] = "team"),
      'cognito.upstreamProviders[0].attributeMapping["custom:team"]',
      "declared in cognito.customAttributes (custom:groups, custom:department",
    ],
    [
      "mapping to sub",
      (c) => (c.cognito.upstreamProviders[1].attributeMapping = { email: "email", sub: "oid" }),
      "cognito.upstreamProviders[1].attributeMapping.sub",
      "expected a standard Cognito attribute",
    ],
    [
      "mapping onto the IdC link",
      (c) => (c.cognito.upstreamProviders[0].attributeMapping["custom:idc_user_id"] = "id"),
      'cognito.upstreamProviders[0].attributeMapping["custom:idc_user_id"]',
      "which only the JIT Lambda writes",
    ],
    [
      "mapping to an immutable attribute",
      (c) => (c.cognito.customAttributes[1].mutable = false),
      'cognito.upstreamProviders[0].attributeMapping["custom:department"]',
      "expected a mutable attribute",
    ],
    [
      "mapping to an attribute too short for what the upstream sends",
      (c) => (c.cognito.customAttributes[0].maxLength = 256),
      'cognito.upstreamProviders[0].attributeMapping["custom:groups"]',
      "to allow 2048 characters (its maxLength is 256)",
    ],
    [
      "username mapped on SAML",
      (c) => (c.cognito.upstreamProviders[0].attributeMapping.username = "sub"),
      "cognito.upstreamProviders[0].attributeMapping.username",
      'username only on an OIDC provider, mapped from "sub"',
    ],
    [
      "attribute mapping key over 32 characters",
      (c) => (c.cognito.upstreamProviders[1].attributeMapping = { ["custom:" + "x".repeat(30)]: "x" }),
      `cognito.upstreamProviders[1].attributeMapping["custom:${"x".repeat(30)}"]`,
      "at most 32 characters",
    ],
    // Email trust.
    [
      "SAML without email_verified or trustEmail",
      (c) => (c.cognito.upstreamProviders[0].trustEmail = false),
      "cognito.upstreamProviders[0].trustEmail",
      "expected trustEmail: true (Okta verifies its users' emails) or an attributeMapping for email_verified",
    ],
    [
      "OIDC mapping without email_verified or trustEmail",
      (c) => (c.cognito.upstreamProviders[1].attributeMapping = { email: "email" }),
      "cognito.upstreamProviders[1].trustEmail",
      "every sign-in through Google would be denied",
    ],
    [
      "trustEmail not a boolean",
      (c) => (c.cognito.upstreamProviders[0].trustEmail = "yes"),
      "cognito.upstreamProviders[0].trustEmail",
      "true or false",
    ],
    // Identifiers (IdpIdentifiers: 1-40 of [\w\s+=.@-], up to 50, unique in the pool).
    [
      "identifier with a slash",
      (c) => (c.cognito.upstreamProviders[0].identifiers = ["corp/example"]),
      "cognito.upstreamProviders[0].identifiers[0]",
      "1-40 letters, digits, spaces and _+=.@-",
    ],
    [
      "identifier used by two providers",
      (c) => c.cognito.upstreamProviders[1].identifiers.push("CORP.example"),
      "cognito.upstreamProviders[1].identifiers[1]",
      "no other provider uses (Okta has it)",
    ],
    // Provider names (CreateIdentityProvider: 3-32, [^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+).
    ...(
      [
        ["two characters", "ok"],
        ["33 characters", "x".repeat(33)],
        ["a leading underscore", "_okta"],
        ["a trailing underscore", "okta_"],
        ["an underscore after the second character", "okta_corp"],
        ["a space", "Okta Corp"],
      ] as const
    ).map(([what, name]): [string, (c: Mutable) => void, string, string] => [
      `provider name with ${what}`,
      (c) => (c.cognito.upstreamProviders[0].name = name),
      "cognito.upstreamProviders[0].name",
      "expected 3-32 letters, digits, symbols or punctuation without spaces",
    ]),
    [
      "provider named COGNITO",
      (c) => (c.cognito.upstreamProviders[0].name = "Cognito"),
      "cognito.upstreamProviders[0].name",
      "other than the reserved COGNITO",
    ],
    // The groups attribute.
    [
      "groups attribute that is standard",
      (c) => (c.cognito.provisioning.groupsAttribute = "nickname"),
      "cognito.provisioning.groupsAttribute",
      "custom attribute declared in cognito.customAttributes, such as custom:groups",
    ],
    [
      "groups attribute not declared",
      (c) => (c.cognito.provisioning.groupsAttribute = "custom:teams"),
      "cognito.provisioning.groupsAttribute",
      "declared in cognito.customAttributes (custom:groups",
    ],
    [
      "groups attribute of type Number",
      (c) => (c.cognito.provisioning.groupsAttribute = "custom:clearance"),
      "cognito.provisioning.groupsAttribute",
      "a String attribute (custom:clearance is Number)",
    ],
    [
      "adoptExistingUsers not a boolean",
      (c) => (c.cognito.provisioning.adoptExistingUsers = "true"),
      "cognito.provisioning.adoptExistingUsers",
      "true or false",
    ],
    // Enterprise attributes.
    [
      "enterprise field IdC does not have",
      (c) => (c.cognito.provisioning.enterpriseAttributes.team = "custom:department"),
      "cognito.provisioning.enterpriseAttributes.team",
      "unknown key; expected one of department, costCenter, organization, division, employeeNumber",
    ],
    [
      "enterprise attribute from an undeclared attribute",
      (c) => (c.cognito.provisioning.enterpriseAttributes.division = "custom:division"),
      "cognito.provisioning.enterpriseAttributes.division",
      "declared in cognito.customAttributes",
    ],
    [
      "enterprise attribute from a non-attribute",
      (c) => (c.cognito.provisioning.enterpriseAttributes.organization = "company"),
      "cognito.provisioning.enterpriseAttributes.organization",
      "expected a standard Cognito attribute",
    ],
    // ABAC.
    [
      "ABAC key in both places",
      (c) => (c.cloudflare.accessControlAttributes.Department = "custom:department"),
      "cloudflare.accessControlAttributes.Department",
      'the key "Department" in one place only',
    ],
    [
      "ABAC claim Cognito's ID token never carries",
      (c) => (c.cloudflare.accessControlAttributes.Team = "team"),
      "cloudflare.accessControlAttributes.Team",
      "expected a claim of Cognito's ID token, which Cloudflare reads",
    ],
    // backend.kmsKeyId (Terraform's S3 backend; __tests__/backend-kms.test.ts runs the CLI on these forms).
    ...[
      "1234abcd-12ab-34cd-56ef-1234567890ab",
      "arn:aws:kms:eu-central-1:333333333333:key/abc",
      "alias/",
      "arn:aws:s3:::bucket",
    ].map((kmsKeyId): [string, (c: Mutable) => void, string, string] => [
      `KMS key ${kmsKeyId}`,
      (c) => (c.backend.kmsKeyId = kmsKeyId),
      "backend.kmsKeyId",
      "expected a KMS key as Terraform's S3 backend accepts it",
    ]),
    // Inline policies (IAM JSON policy grammar; config/iam-policy.test.ts compares it with a third-party one).
    [
      "policy version of another format",
      (c) => (c.identityCenter.permissionSets[0].inlinePolicy.Version = "2012-10-18"),
      "identityCenter.permissionSets[0].inlinePolicy.Version",
      '"2012-10-17"',
    ],
    [
      "statement effect in lower case",
      (c) => (c.identityCenter.permissionSets[0].inlinePolicy.Statement[0].Effect = "deny"),
      "identityCenter.permissionSets[0].inlinePolicy.Statement[0].Effect",
      '"Allow" or "Deny"',
    ],
    [
      "statement with a principal",
      (c) => (c.identityCenter.permissionSets[0].inlinePolicy.Statement[0].Principal = { AWS: "*" }),
      "identityCenter.permissionSets[0].inlinePolicy.Statement[0].Principal",
      "unexpected Principal",
    ],
    [
      "statement without a resource",
      (c) => delete c.identityCenter.permissionSets[0].inlinePolicy.Statement[0].Resource,
      "identityCenter.permissionSets[0].inlinePolicy.Statement[0]",
      "exactly one of Resource and NotResource",
    ],
    [
      "statement with Action and NotAction",
      (c) => (c.identityCenter.permissionSets[0].inlinePolicy.Statement[1].Action = "s3:*"),
      "identityCenter.permissionSets[0].inlinePolicy.Statement[1].NotAction",
      "exactly one of Action and NotAction, not both",
    ],
    [
      "action without a service prefix",
      (c) => (c.identityCenter.permissionSets[0].inlinePolicy.Statement[1].NotAction[1] = "ListBucket"),
      "identityCenter.permissionSets[0].inlinePolicy.Statement[1].NotAction[1]",
      'expected "*" or an action such as s3:GetObject',
    ],
    [
      "resource that is no ARN",
      (c) => (c.identityCenter.permissionSets[0].inlinePolicy.Statement[1].Resource = "corp-data-*"),
      "identityCenter.permissionSets[0].inlinePolicy.Statement[1].Resource",
      "an ARN such as arn:aws:s3:::my-bucket/*",
    ],
    [
      "misspelt condition operator",
      (c) =>
        (c.identityCenter.permissionSets[0].inlinePolicy.Statement[1].Condition = {
          StringNotEqual: { "aws:ResourceTag/CostCenter": "x" },
        }),
      "identityCenter.permissionSets[0].inlinePolicy.Statement[1].Condition.StringNotEqual",
      "expected a condition operator such as StringEquals",
    ],
    [
      "Null with IfExists",
      (c) =>
        (c.identityCenter.permissionSets[0].inlinePolicy.Statement[1].Condition = {
          NullIfExists: { "aws:ResourceTag/CostCenter": "true" },
        }),
      "identityCenter.permissionSets[0].inlinePolicy.Statement[1].Condition.NullIfExists",
      "expected a condition operator",
    ],
    [
      "condition value that is an object",
      (c) =>
        (c.identityCenter.permissionSets[0].inlinePolicy.Statement[1].Condition.StringNotEqualsIfExists[
          "aws:ResourceTag/CostCenter"
        ] = { tag: "x" }),
      'identityCenter.permissionSets[0].inlinePolicy.Statement[1].Condition.StringNotEqualsIfExists["aws:ResourceTag/CostCenter"]',
      "expected a condition value or a non-empty list of values",
    ],
    [
      "Sid with a dash",
      (c) => (c.identityCenter.permissionSets[0].inlinePolicy.Statement[0].Sid = "No-Organizations"),
      "identityCenter.permissionSets[0].inlinePolicy.Statement[0].Sid",
      "ASCII letters and digits only",
    ],
    [
      "Sid twice",
      (c) => (c.identityCenter.permissionSets[0].inlinePolicy.Statement[1].Sid = "NoOrganizations"),
      "identityCenter.permissionSets[0].inlinePolicy.Statement[1].Sid",
      "unique within the policy",
    ],
    [
      "unknown statement key (typo)",
      (c) => (c.identityCenter.permissionSets[0].inlinePolicy.Statement[0].Resources = "*"),
      "identityCenter.permissionSets[0].inlinePolicy.Statement[0].Resources",
      "unknown key; did you mean identityCenter.permissionSets[0].inlinePolicy.Statement[0].Resource? expected one of Sid, Effect, Action, NotAction, Resource, NotResource, Condition",
    ],
    [
      "policy over 32,768 characters",
      (c) =>
        (c.identityCenter.permissionSets[0].inlinePolicy.Statement[0].Resource = Array.from(
          { length: 800 },
          (_, i) => `arn:aws:s3:::corp-data-bucket-number-${i}/*`,
        )),
      "identityCenter.permissionSets[0].inlinePolicy",
      "at most 32768 characters as compact JSON",
    ],
    [
      "policy with a character beyond Latin-1",
      (c) =>
        (c.identityCenter.permissionSets[0].inlinePolicy.Statement[1].Condition.StringNotEqualsIfExists[
          "aws:ResourceTag/CostCenter"
        ] = "€"),
      "identityCenter.permissionSets[0].inlinePolicy",
      'only characters up to U+00FF (Basic Latin and Latin-1), found "€"',
    ],
    [
      "policy as JSON text with a bad resource",
      (c) =>
        (c.identityCenter.permissionSets[0].inlinePolicy =
          '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}}'),
      "identityCenter.permissionSets[0].inlinePolicy.Statement.Resource",
      'expected "*" or an ARN',
    ],
  ];

  it.each(rows)(
    "rejects %s, naming the field, the value and the expected form",
    (_name, change, field, expected) => {
      const message = problemsOfRich(change);
      const lines = message.split("\n").filter((l) => l.startsWith(`  - ${field}: `));
      expect({ message, found: lines.length > 0 }).toEqual({ message, found: true });
      expect(lines.some((l) => l.includes(expected))).toBe(true);
      for (const line of lines) expect(line).toMatch(/; got .+$/);
    },
  );

  it("shows the value found inside a policy given as JSON text", () => {
    const message = problemsOfRich(
      (c) =>
        (c.identityCenter.permissionSets[0].inlinePolicy =
          '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}}'),
    );
    expect(message).toContain(
      'Statement.Resource: expected "*" or an ARN such as arn:aws:s3:::my-bucket/*; got "bucket"',
    );
  });
});

describe("config file errors", () => {
  const dir = tempDir("bridge-config-errors-");
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it.each([
    [
      "a trailing comma",
      '{\n  "environment": "prod",\n}\n',
      "3:1",
      'a property name in double quotes (or "}" with no comma before it)',
    ],
    ["a missing comma", '{\n  "environment": "prod"\n  "tags": {}\n}\n', "3:3", 'expected "," between items'],
    ["a comment", '{\n  // prod\n  "environment": "prod"\n}\n', "2:3", "expected no comments"],
    ["single quotes", "{\n  'environment': 'prod'\n}\n", "2:3", "expected JSON here"],
    ["an unclosed object", '{\n  "environment": "prod"\n', "3:1", 'expected "}" to close the object'],
    ["a line break in a string", '{\n  "environment": "pr\nod"\n}\n', "2:18", "expected the string to end"],
    ["an empty file", "", "1:1", "expected"],
    ["two documents", "{}\n{}\n", "2:1", "expected the end of the file"],
  ])("reports %s as line:column of the file", (_what, text, position, expected) => {
    const file = write("broken.json", text);
    let message = "";
    try {
      loadConfig(file);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(
      /^Invalid config \S+broken\.json \(1 problem\):\n {2}- \S+broken\.json:\d+:\d+: /,
    );
    expect(message).toContain(`broken.json:${position}: `);
    expect(message).toContain(expected);
    expect(message).toContain("(JSON syntax)");
  });

  it("reports a key given twice in one object, which JSON.parse would silently resolve", () => {
    const file = write("twice.json", '{\n  "environment": "prod",\n  "environment": "qa"\n}\n');
    expect(() => loadConfig(file)).toThrow(
      /twice\.json:3:3: expected each key once per object.*; got "environment"/,
    );
  });

  it("names the file relative to the working directory when it is inside it, else absolute", () => {
    const cwd = path.dirname(dir);
    expect(displayPath(path.join(dir, "prod.json"), cwd)).toBe(path.join(path.basename(dir), "prod.json"));
    expect(displayPath("config/prod.json", "/work/app")).toBe("config/prod.json");
    expect(displayPath("/etc/bridge/prod.json", "/work/app")).toBe("/etc/bridge/prod.json");
    expect(() => loadConfig(path.join("config", "no-such-config.json"))).toThrow(
      /^Invalid config config\/no-such-config\.json \(1 problem\):\n {2}- config\/no-such-config\.json: expected a readable JSON file \(no such file\)/,
    );
  });
});

describe("cognito.provisioning.groupMap within Lambda's and IAM's quotas", () => {
  // Lambda: all environment variables of a function together at most 4 KB; IAM: a role's inline policies
  // together at most 10,240 characters (whitespace not counted). GROUP_MAP carries the whole map, and the
  // JIT role lists each mapped IdC group's ARN in two statements: both fail only at apply otherwise.
  function mapGroups(c: Mutable, count: number, cognitoName: (i: number) => string) {
    c.identityCenter.groups = Array.from({ length: count }, (_, i) => ({ name: `idc-${i}` }));
    c.identityCenter.permissionSets = [];
    c.cognito.groups = Array.from({ length: count }, (_, i) => ({ name: cognitoName(i) }));
    c.cognito.provisioning.groupMap = Object.fromEntries(
      Array.from({ length: count }, (_, i) => [cognitoName(i), `idc-${i}`]),
    );
  }

  it("accepts 50 mapped groups (the JIT policy then renders about 9,950 characters with 47-character ids)", () => {
    const input = exampleInput() as Mutable;
    mapGroups(input, 50, (i) => `g${i}`);
    expect(() => parseConfig(input, "test.json")).not.toThrow();
  });

  it("refuses more distinct IdC groups than the JIT role's policy can list", () => {
    const message = problemsOf((c) => mapGroups(c, 52, (i) => `g${i}`));
    expect(message).toContain(
      "  - cognito.provisioning.groupMap: expected at most 50 distinct IdC groups: the JIT Lambda's role lists each mapped group's ARN in two statements, and IAM allows 10,240 characters of inline policy per role (52 mapped); got {",
    );
  });

  it("refuses a group map whose GROUP_MAP would not fit in Lambda's 4 KB of environment", () => {
    const message = problemsOf((c) => mapGroups(c, 30, (i) => `${"long-cognito-group-name-".repeat(4)}${i}`));
    expect(message).toMatch(
      /- cognito\.provisioning\.groupMap: expected a group map that fits the JIT Lambda's environment: with 30 entries GROUP_MAP and the other JSON variables take up to \d+ bytes .*Lambda's 4 KB/,
    );
    expect(message).not.toContain("distinct IdC groups");
  });
});
