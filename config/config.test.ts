import { writeFileSync } from "node:fs";
import * as path from "node:path";
import {
  ConfigError,
  DEFAULT_CONFIG_PATH,
  loadConfig,
  parseConfig,
  resolveConfigPath,
  type BridgeConfigInput,
} from ".";
import { exampleInput } from "../__tests__/helpers/stacks";
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
      "inline policy not JSON",
      (c) => (c.identityCenter.permissionSets[1].inlinePolicy = "{not json"),
      "identityCenter.permissionSets[1].inlinePolicy",
      "IAM policy JSON",
    ],
    [
      "inline policy without Statement",
      (c) => (c.identityCenter.permissionSets[1].inlinePolicy = { Version: "2012-10-17" }),
      "identityCenter.permissionSets[1].inlinePolicy",
      '"Statement"',
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
      (c) => (c.cognito.provisioning.groupMap["cognito-ops"] = "ops"),
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
          { type: "oidc", name: "entra_id", clientId: "b", issuerUrl: "https://login.example" },
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
    expect(() => loadConfig(broken)).toThrow(/broken\.json.*expected valid JSON/s);
  });
});
