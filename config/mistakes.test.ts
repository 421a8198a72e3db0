import { readFileSync } from "node:fs";
import * as path from "node:path";
import { ConfigError, configWarnings, parseConfig } from ".";
import { AWS_MANAGED_POLICIES } from "./managed-policies";
import { closest, editDistance } from "./suggest";

/* eslint-disable @typescript-eslint/no-explicit-any -- configs are edited as plain JSON here */

const read = (file: string) => JSON.parse(readFileSync(path.join(__dirname, file), "utf8"));
const example = () => read("example.json");
const rich = () => read("../__tests__/fixtures/config/rich.json");
const federated = () => read("../__tests__/fixtures/config/federated.json");

function problemLines(config: unknown): string[] {
  try {
    parseConfig(config);
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split("\n").slice(1);
    throw e;
  }
  return [];
}

type Row = [name: string, base: () => any, change: (c: any) => void, field: string, expected: string[]];

/**
 * Mistakes a new user makes that pass a shape check but fail in the cloud, or silently do nothing. Each names
 * the field, the value written and the form expected, with a suggestion where a near match exists.
 */
const mistakes: Row[] = [
  // 1. The six mistakes of issue 20.
  [
    "a misspelt AWS managed policy in a permission set (AttachManagedPolicyToPermissionSet: NoSuchEntity)",
    example,
    (c) => (c.identityCenter.permissionSets[2].managedPolicies = ["arn:aws:iam::aws:policy/ReadOnlyAcess"]),
    "identityCenter.permissionSets[2].managedPolicies[0]",
    [
      'got "arn:aws:iam::aws:policy/ReadOnlyAcess"',
      "existing AWS managed policy",
      "did you mean arn:aws:iam::aws:policy/ReadOnlyAccess?",
    ],
  ],
  [
    "a misspelt ABAC source path (IdC gives the session no tag)",
    rich,
    (c) => (c.identityCenter.accessControlAttributes.Department = "${path:enterprise.departmnet}"),
    "identityCenter.accessControlAttributes.Department",
    [
      'got "${path:enterprise.departmnet}"',
      "a path IAM Identity Center supports",
      "did you mean ${path:enterprise.department}?",
    ],
  ],
  [
    "an upstream issuerUrl ending in /.well-known/openid-configuration (Cognito appends it)",
    rich,
    (c) =>
      (c.cognito.upstreamProviders[1].issuerUrl =
        "https://accounts.google.com/.well-known/openid-configuration"),
    "cognito.upstreamProviders[1].issuerUrl",
    [
      'got "https://accounts.google.com/.well-known/openid-configuration"',
      "expected the issuer itself, such as https://accounts.google.com",
    ],
  ],
  [
    "OIDC upstream scopes without openid (no ID token, every sign-in fails)",
    federated,
    (c) => (c.cognito.upstreamProviders[0].scopes = ["email", "profile"]),
    "cognito.upstreamProviders[0].scopes",
    ['got ["email","profile"]', 'expected "openid" among the scopes'],
  ],
  [
    "an iamFederation requiredGroups entry naming no declared group (nobody could assume the role)",
    federated,
    (c) => (c.cognito.iamFederation.roles[0].requiredGroups = ["auditor"]),
    "cognito.iamFederation.roles[0].requiredGroups[0]",
    [
      'got "auditor"',
      "expected a group declared in cognito.groups: research-team, auditors",
      'did you mean "auditors"?',
    ],
  ],
  [
    "a state kmsKeyId in another region than the state bucket (S3 refuses the key)",
    rich,
    (c) => (c.backend.kmsKeyId = "arn:aws:kms:eu-west-1:333333333333:alias/tfstate"),
    "backend.kmsKeyId",
    [
      'got "arn:aws:kms:eu-west-1:333333333333:alias/tfstate"',
      "expected a key in the state bucket's region backend.region (eu-central-1), such as arn:aws:kms:eu-central-1:333333333333:alias/tfstate",
    ],
  ],
  // 2. One more of each class.
  [
    "managed policies: an AWS managed policy without its path (job-function/)",
    example,
    (c) => (c.identityCenter.permissionSets[2].managedPolicies = ["arn:aws:iam::aws:policy/ViewOnlyAccess"]),
    "identityCenter.permissionSets[2].managedPolicies[0]",
    [
      "expected arn:aws:iam::aws:policy/job-function/ViewOnlyAccess: the policy ViewOnlyAccess has the path job-function/",
    ],
  ],
  [
    "managed policies: an AWS managed policy of another partition than the IdC region's",
    example,
    (c) =>
      (c.identityCenter.permissionSets[2].managedPolicies = ["arn:aws-cn:iam::aws:policy/ReadOnlyAccess"]),
    "identityCenter.permissionSets[2].managedPolicies[0]",
    [
      "expected an ARN in partition aws (the region's partition), such as arn:aws:iam::aws:policy/ReadOnlyAccess",
    ],
  ],
  [
    "managed policies: a misspelt AWS managed policy on an IAM federation role",
    federated,
    (c) => (c.cognito.iamFederation.roles[0].managedPolicies = ["arn:aws:iam::aws:policy/SecurityAudits"]),
    "cognito.iamFederation.roles[0].managedPolicies[0]",
    ["did you mean arn:aws:iam::aws:policy/SecurityAudit?"],
  ],
  [
    "ARN of the wrong account: a customer managed policy of another account on a federation role",
    () => {
      const c = federated();
      c.identityCenter.accountId = "111111111111";
      return c;
    },
    (c) => (c.cognito.iamFederation.roles[0].managedPolicies = ["arn:aws:iam::999999999999:policy/audit"]),
    "cognito.iamFederation.roles[0].managedPolicies[0]",
    ["expected a policy in the role's account 111111111111", "arn:aws:iam::111111111111:policy/audit"],
  ],
  [
    "ABAC: an enterprise path the JIT Lambda never fills (not in enterpriseAttributes)",
    rich,
    (c) => (c.identityCenter.accessControlAttributes.Division = "${path:enterprise.division}"),
    "identityCenter.accessControlAttributes.Division",
    ["expected division in cognito.provisioning.enterpriseAttributes"],
  ],
  [
    "ABAC: a misspelt Cloudflare claim",
    rich,
    (c) => (c.cloudflare.accessControlAttributes = { Email: "emial" }),
    "cloudflare.accessControlAttributes.Email",
    ['got "emial"', "expected a claim of Cognito's ID token", 'did you mean "email"?'],
  ],
  [
    "issuer URL: an issuer with a query string",
    rich,
    (c) => (c.cognito.upstreamProviders[1].issuerUrl = "https://accounts.google.com?tenant=x"),
    "cognito.upstreamProviders[1].issuerUrl",
    ["expected an issuer URL without a query or fragment"],
  ],
  [
    "scopes/enums: a misspelt IdC access scope",
    () => read("../__tests__/fixtures/config/rich.json"),
    (c) =>
      (c.identityCenter.trustedTokenIssuer = {
        name: "cognito",
        applicationName: "app",
        scopes: ["s3:access_grants:readwrite"],
        tokenExchangeAccounts: ["444444444444"],
        callbackUrls: ["https://app.corp.example/callback"],
      }),
    "identityCenter.trustedTokenIssuer.scopes[0]",
    ['did you mean "s3:access_grants:read_write"?'],
  ],
  [
    "references: a misspelt group in a permission set assignment",
    example,
    (c) => (c.identityCenter.permissionSets[0].assignments[0].group = "platform-admin"),
    "identityCenter.permissionSets[0].assignments[0].group",
    ["expected one of identityCenter.groups", 'did you mean "platform-admins"?'],
  ],
  [
    "references: a misspelt IdC group as a groupMap target",
    example,
    (c) => (c.cognito.provisioning.groupMap["cognito-readers"] = "reader"),
    'cognito.provisioning.groupMap["cognito-readers"]',
    ['did you mean "readers"?'],
  ],
  [
    "regions: the state key in another partition",
    rich,
    (c) =>
      (c.backend.kmsKeyId =
        "arn:aws-cn:kms:cn-north-1:333333333333:key/1234abcd-12ab-44cd-86ef-1234567890ab"),
    "backend.kmsKeyId",
    ["expected a key in the state bucket's region backend.region (eu-central-1)"],
  ],
  [
    "regions: Cognito in another partition than IAM Identity Center",
    example,
    (c) => (c.cognito.region = "cn-north-1"),
    "cognito.region",
    ['got "cn-north-1"', "expected a region in the partition of identityCenter.region eu-west-1 (aws)"],
  ],
  [
    "regions: a misspelt region",
    example,
    (c) => (c.identityCenter.region = "eu-west1"),
    "identityCenter.region",
    ["expected an AWS region code", 'did you mean "eu-west-1"?'],
  ],
  // 3. Did-you-mean for keys and enum values.
  [
    "a misspelt key",
    example,
    (c) => (c.cognito.upstreamProvider = []),
    "cognito.upstreamProvider",
    ["unknown key; did you mean cognito.upstreamProviders?"],
  ],
  [
    "a misspelt kind of upstream provider",
    rich,
    (c) => (c.cognito.upstreamProviders[1].type = "odic"),
    "cognito.upstreamProviders[1].type",
    ['got "odic"', 'did you mean "oidc"?'],
  ],
  [
    "a misspelt enum value",
    example,
    (c) => (c.cognito.provisioning.onSyncFailure = "alow"),
    "cognito.provisioning.onSyncFailure",
    ['did you mean "allow"?'],
  ],
];

describe("config mistakes caught before anything is written", () => {
  it.each(mistakes)("%s", (_name, base, change, field, expected) => {
    const config = base();
    expect(problemLines(config)).toEqual([]);
    change(config);
    const lines = problemLines(config).filter((l) => l.startsWith(`  - ${field}: `));
    expect(lines).toHaveLength(1);
    for (const text of expected) expect(lines[0]).toContain(text);
  });

  it("accepts the real names, paths and partitions of AWS managed policies", () => {
    const c = example();
    c.identityCenter.permissionSets[2].managedPolicies = [
      "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
      "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    ];
    expect(problemLines(c)).toEqual([]);
    const gov = example();
    gov.identityCenter.region = gov.cognito.region = "us-gov-west-1";
    for (const field of ["issuerUrl", "acsUrl"] as const)
      gov.identityCenter[field] = gov.identityCenter[field].replace("eu-west-1", "us-gov-west-1");
    gov.identityCenter.permissionSets[0].managedPolicies = [
      "arn:aws-us-gov:iam::aws:policy/AdministratorAccess",
    ];
    gov.identityCenter.permissionSets[1].managedPolicies = ["arn:aws-us-gov:iam::aws:policy/PowerUserAccess"];
    gov.identityCenter.permissionSets[2].managedPolicies = [
      "arn:aws-us-gov:iam::aws:policy/AWSGovOnlyPolicy",
    ];
    // A name the commercial list does not hold is warned about in GovCloud, not refused.
    const config = parseConfig(gov);
    expect(configWarnings(config).join("\n")).toContain("arn:aws-us-gov:iam::aws:policy/AWSGovOnlyPolicy");
  });

  it("the managed policy list is current enough to hold the policies AWS documents for job functions", () => {
    expect(AWS_MANAGED_POLICIES.size).toBeGreaterThan(1000);
    for (const id of [
      "AdministratorAccess",
      "job-function/Billing",
      "job-function/DatabaseAdministrator",
      "job-function/SystemAdministrator",
    ])
      expect(AWS_MANAGED_POLICIES.has(id)).toBe(true);
  });

  it("accepts a top-level $schema key (editors read it) and ignores it", () => {
    const c = example();
    c.$schema = "./config.schema.json";
    expect(problemLines(c)).toEqual([]);
  });
});

describe("did-you-mean", () => {
  it("measures typos as edits, a swap of neighbours as one", () => {
    expect(editDistance("upstreamProvider", "upstreamProviders")).toBe(1);
    expect(editDistance("recieve", "receive")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
  });

  it("suggests only plausible typos", () => {
    expect(closest("upstreamProvider", ["region", "upstreamProviders", "groups"])).toBe("upstreamProviders");
    expect(closest("GROUPS", ["groups", "region"])).toBe("groups");
    expect(closest("region", ["groups", "mfa"])).toBeUndefined();
  });
});

describe("warnings for valid but risky combinations", () => {
  const warningsOf = (config: unknown) => configWarnings(parseConfig(config));

  it("adoptExistingUsers with delete-user", () => {
    const c = rich();
    c.cognito.provisioning.deprovision = "delete-user";
    const w = warningsOf(c).filter((l) => l.startsWith("cognito.provisioning.adoptExistingUsers"));
    expect(w).toHaveLength(1);
    expect(w[0]).toContain('Prefer deprovision "remove-memberships"');
  });

  it("trustEmail on a provider whose tokens carry email_verified", () => {
    const c = rich();
    c.cognito.upstreamProviders[1].trustEmail = true;
    const w = warningsOf(c).filter((l) => l.includes("trustEmail is true"));
    expect(w).toHaveLength(1);
    expect(w[0]).toContain("Google's tokens carry email_verified");
    expect(w[0]).toContain("Remove trustEmail");
    // SAML sends no email_verified: trusting Okta is what the README asks for, no warning.
    expect(warningsOf(rich()).filter((l) => l.includes("trustEmail is true"))).toEqual([]);
  });

  it("deprovisioning on, with no way to know a CloudTrail trail exists", () => {
    const c = federated();
    c.cognito.provisioning.deprovision = "remove-memberships";
    const w = warningsOf(c).filter((l) => l.includes("CloudTrail"));
    expect(w).toHaveLength(1);
    expect(w[0]).toContain(`npm run doctor -- --env ${c.environment}`);
    expect(warningsOf(federated()).filter((l) => l.includes("CloudTrail"))).toEqual([]);
  });

  it("AdministratorAccess assigned to a group that JIT membership sync manages", () => {
    const w = warningsOf(example()).filter((l) => l.includes("AdministratorAccess"));
    expect(w).toHaveLength(1);
    expect(w[0]).toContain("grants AdministratorAccess to platform-admins");
    const c = example();
    delete c.cognito.provisioning.groupMap["cognito-admins"];
    expect(warningsOf(c).filter((l) => l.includes("AdministratorAccess"))).toEqual([]);
  });
});
