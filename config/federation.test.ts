import { ConfigError, IDC_ACCESS_SCOPES, parseConfig } from ".";
import { exampleInput } from "../__tests__/helpers/stacks";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Mutable = any;

const role = (extra: Record<string, unknown> = {}) => ({
  name: "bridge-readonly",
  managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
  ...extra,
});
const tti = (extra: Record<string, unknown> = {}) => ({
  name: "cognito",
  applicationName: "bridge-app",
  scopes: ["sso:account:access"],
  tokenExchangeAccounts: ["111111111111"],
  callbackUrls: ["https://app.acme.example/callback"],
  ...extra,
});

function parse(change: (c: Mutable) => void) {
  const input = exampleInput();
  change(input);
  return parseConfig(input, "test.json");
}

function problems(change: (c: Mutable) => void): string[] {
  try {
    parse(change);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message.split("\n").slice(1);
  }
  throw new Error("expected the config to be rejected");
}

describe("cognito.iamFederation", () => {
  it("is off unless present, and fills defaults when present", () => {
    expect(parse(() => {}).cognito.iamFederation).toBeUndefined();
    const f = parse((c) => (c.cognito.iamFederation = { roles: [role()] })).cognito.iamFederation!;
    expect(f).toEqual({
      callbackPort: 8976,
      roles: [
        {
          name: "bridge-readonly",
          managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          maxSessionDuration: 3600,
          requiredGroups: [],
        },
      ],
    });
  });

  it("takes an inline policy as an object or a JSON string, with the same validator as permission sets", () => {
    const statement = { Effect: "Allow", Action: "s3:ListAllMyBuckets", Resource: "*" };
    for (const inlinePolicy of [
      { Version: "2012-10-17", Statement: [statement] },
      JSON.stringify({ Version: "2012-10-17", Statement: [statement] }),
    ]) {
      const r = parse((c) => (c.cognito.iamFederation = { roles: [{ name: "x", inlinePolicy }] })).cognito
        .iamFederation!.roles[0];
      expect(JSON.parse(r.inlinePolicy!)).toEqual({ Version: "2012-10-17", Statement: [statement] });
    }
  });

  // Each row: the change, the field the message names, a fragment of the expected form.
  const rows: [string, (c: Mutable) => void, string, string][] = [
    [
      "no roles",
      (c) => (c.cognito.iamFederation = { roles: [] }),
      "cognito.iamFederation.roles",
      "at least one role",
    ],
    [
      "an IAM role name with a space",
      (c) => (c.cognito.iamFederation = { roles: [role({ name: "bridge readonly" })] }),
      "cognito.iamFederation.roles[0].name",
      "IAM role name: 1-64 letters",
    ],
    [
      "an IAM role name longer than 64",
      (c) => (c.cognito.iamFederation = { roles: [role({ name: "r".repeat(65) })] }),
      "cognito.iamFederation.roles[0].name",
      "IAM role name",
    ],
    [
      "two roles whose names differ only in case",
      (c) => (c.cognito.iamFederation = { roles: [role(), role({ name: "Bridge-ReadOnly" })] }),
      "cognito.iamFederation.roles[1].name",
      "unique role name (IAM ignores case)",
    ],
    [
      "a role named like one of the bridge's own roles (IAM: EntityAlreadyExists at apply)",
      (c) =>
        (c.cognito.iamFederation = { roles: [role({ name: "Prod-IDC-OIDC-Bridge-Pre-Token-Generation" })] }),
      "cognito.iamFederation.roles[0].name",
      'not starting with "prod-idc-oidc-bridge-"',
    ],
    [
      "a role without permissions",
      (c) => (c.cognito.iamFederation = { roles: [{ name: "empty" }] }),
      "cognito.iamFederation.roles[0]",
      "managedPolicies or an inlinePolicy",
    ],
    [
      "a managed policy that is no ARN",
      (c) => (c.cognito.iamFederation = { roles: [role({ managedPolicies: ["ReadOnlyAccess"] })] }),
      "cognito.iamFederation.roles[0].managedPolicies[0]",
      "managed policy ARN",
    ],
    [
      "a session shorter than IAM allows",
      (c) => (c.cognito.iamFederation = { roles: [role({ maxSessionDuration: 900 })] }),
      "cognito.iamFederation.roles[0].maxSessionDuration",
      "3600 to 43200",
    ],
    [
      "a session longer than IAM allows",
      (c) => (c.cognito.iamFederation = { roles: [role({ maxSessionDuration: 43201 })] }),
      "cognito.iamFederation.roles[0].maxSessionDuration",
      "3600 to 43200",
    ],
    [
      "a required group with the tag separator",
      (c) => (c.cognito.iamFederation = { roles: [role({ requiredGroups: ["ops:core"] })] }),
      "cognito.iamFederation.roles[0].requiredGroups[0]",
      "no ':'",
    ],
    [
      "a required group no one can be in (not a declared Cognito group, no groupsAttribute)",
      (c) => (c.cognito.iamFederation = { roles: [role({ requiredGroups: ["typo-admins"] })] }),
      "cognito.iamFederation.roles[0].requiredGroups[0]",
      "expected a group declared in cognito.groups",
    ],
    [
      "a required group with a wildcard",
      (c) => (c.cognito.iamFederation = { roles: [role({ requiredGroups: ["ops*"] })] }),
      "cognito.iamFederation.roles[0].requiredGroups[0]",
      "IAM session-tag characters",
    ],
    [
      "an inline policy without statements",
      (c) => (c.cognito.iamFederation = { roles: [role({ inlinePolicy: { Version: "2012-10-17" } })] }),
      "cognito.iamFederation.roles[0].inlinePolicy.Statement",
      "a statement object or a non-empty list of statements",
    ],
    [
      "a privileged callback port",
      (c) => (c.cognito.iamFederation = { callbackPort: 80, roles: [role()] }),
      "cognito.iamFederation.callbackPort",
      "1024 to 65535",
    ],
    [
      "an unknown key (e.g. an attempt to set the trust by hand)",
      (c) => (c.cognito.iamFederation = { roles: [role({ trustPolicy: {} })] }),
      "cognito.iamFederation.roles[0].trustPolicy",
      "unknown key; expected one of name, description, managedPolicies",
    ],
  ];

  it.each(rows)(
    "rejects %s, naming the field, the value and the expected form",
    (_n, change, field, expected) => {
      const line = problems(change).find((l) => l.startsWith(`  - ${field}: `));
      expect(line).toBeDefined();
      expect(line).toContain(expected);
      expect(line).toMatch(/; got .+$/);
    },
  );
});

describe("identityCenter.trustedTokenIssuer", () => {
  it("is off unless present, and is kept as given when valid", () => {
    expect(parse(() => {}).identityCenter.trustedTokenIssuer).toBeUndefined();
    const t = parse((c) => {
      c.identityCenter.trustedTokenIssuer = tti({
        scopes: ["s3:access_grants:read_write", "lakeformation:query", "redshift:connect"],
        callbackUrls: ["https://app.acme.example/cb", "http://localhost:8080/cb", "myapp://callback"].slice(
          0,
          2,
        ),
      });
    }).identityCenter.trustedTokenIssuer;
    expect(t?.scopes).toEqual(["s3:access_grants:read_write", "lakeformation:query", "redshift:connect"]);
    expect(t?.callbackUrls).toEqual(["https://app.acme.example/cb", "http://localhost:8080/cb"]);
  });

  it("knows every scope it lists, each in IdC's scope pattern (PutApplicationAccessScope)", () => {
    for (const scope of IDC_ACCESS_SCOPES) {
      expect(scope).toMatch(/^([A-Za-z0-9_]{1,50})(:[A-Za-z0-9_]{1,50}){0,1}(:[A-Za-z0-9_]{1,50}){0,1}$/);
    }
  });

  const rows: [string, (c: Mutable) => void, string, string][] = [
    [
      "an unknown scope",
      (c) => (c.identityCenter.trustedTokenIssuer = tti({ scopes: ["s3:everything"] })),
      "identityCenter.trustedTokenIssuer.scopes[0]",
      "IAM Identity Center access scope: sso:account:access",
    ],
    [
      "no scopes",
      (c) => (c.identityCenter.trustedTokenIssuer = tti({ scopes: [] })),
      "identityCenter.trustedTokenIssuer.scopes",
      "at least one access scope",
    ],
    [
      "a scope twice",
      (c) =>
        (c.identityCenter.trustedTokenIssuer = tti({ scopes: ["redshift:connect", "redshift:connect"] })),
      "identityCenter.trustedTokenIssuer.scopes",
      "each scope once",
    ],
    [
      "a short account id",
      (c) => (c.identityCenter.trustedTokenIssuer = tti({ tokenExchangeAccounts: ["11111111111"] })),
      "identityCenter.trustedTokenIssuer.tokenExchangeAccounts[0]",
      "12-digit AWS account id",
    ],
    [
      "no token-exchange account",
      (c) => (c.identityCenter.trustedTokenIssuer = tti({ tokenExchangeAccounts: [] })),
      "identityCenter.trustedTokenIssuer.tokenExchangeAccounts",
      "at least one account id",
    ],
    [
      "an http callback URL other than localhost",
      (c) => (c.identityCenter.trustedTokenIssuer = tti({ callbackUrls: ["http://app.acme.example/cb"] })),
      "identityCenter.trustedTokenIssuer.callbackUrls[0]",
      "https:// URL, or http://localhost",
    ],
    [
      "an http callback on 127.0.0.1 (Cognito takes only localhost)",
      (c) => (c.identityCenter.trustedTokenIssuer = tti({ callbackUrls: ["http://127.0.0.1:3000/cb"] })),
      "identityCenter.trustedTokenIssuer.callbackUrls[0]",
      "http://localhost",
    ],
    [
      "a callback URL with a fragment",
      (c) => (c.identityCenter.trustedTokenIssuer = tti({ callbackUrls: ["https://app.acme.example/#cb"] })),
      "identityCenter.trustedTokenIssuer.callbackUrls[0]",
      "without a fragment",
    ],
    [
      "a relative callback URL",
      (c) => (c.identityCenter.trustedTokenIssuer = tti({ callbackUrls: ["/callback"] })),
      "identityCenter.trustedTokenIssuer.callbackUrls[0]",
      "https:// URL",
    ],
    [
      "no callback URL",
      (c) => (c.identityCenter.trustedTokenIssuer = tti({ callbackUrls: [] })),
      "identityCenter.trustedTokenIssuer.callbackUrls",
      "1-100 callback URLs",
    ],
    [
      "a trusted token issuer name with a space",
      (c) => (c.identityCenter.trustedTokenIssuer = tti({ name: "cognito pool" })),
      "identityCenter.trustedTokenIssuer.name",
      "trusted token issuer name",
    ],
    [
      "an application name longer than 100",
      (c) => (c.identityCenter.trustedTokenIssuer = tti({ applicationName: "a".repeat(101) })),
      "identityCenter.trustedTokenIssuer.applicationName",
      "1-100 letters",
    ],
    [
      "a missing application name",
      (c) => (c.identityCenter.trustedTokenIssuer = tti({ applicationName: undefined })),
      "identityCenter.trustedTokenIssuer.applicationName",
      "required",
    ],
  ];

  it.each(rows)(
    "rejects %s, naming the field, the value and the expected form",
    (_n, change, field, expected) => {
      const line = problems(change).find((l) => l.startsWith(`  - ${field}: `));
      expect(line).toBeDefined();
      expect(line).toContain(expected);
      expect(line).toMatch(/; got .+$/);
    },
  );

  it("reports problems of both blocks and the rest of the config at once", () => {
    const lines = problems((c) => {
      c.cognito.region = "moon-1";
      c.cognito.iamFederation = { roles: [role({ name: "a b" })] };
      c.identityCenter.trustedTokenIssuer = tti({ scopes: ["nope"] });
    });
    expect(lines).toHaveLength(3);
  });
});
