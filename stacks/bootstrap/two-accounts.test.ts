/**
 * The bootstrap of a config with IAM Identity Center and Cognito in two accounts
 * (__tests__/fixtures/config/two-account.json): CI roles in each account, each provider pinned to its account,
 * and the one state bucket (Cognito's account) shared with the other account's roles by its bucket and key
 * policies, proven with the IAM policy simulator.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { synthBootstrap } from "../../cli/bootstrap";
import { loadConfig, parseConfig } from "../../config";
import { bootstrapSettings } from "../../config/bootstrap";
import {
  policyDocument,
  roleTrustPolicy,
  simulate,
  simulateAssumeRole,
  type NamedPolicy,
  type Substitution,
} from "../../__tests__/helpers/iam-simulator";
import type { TerraformJson } from "../../__tests__/helpers/stacks";
import { tempDir } from "../../__tests__/helpers/temp-dirs";

const IDC = "444444444444";
const COGNITO = "555555555555";
const BUCKET = "arn:aws:s3:::split-terraform-state";
const KEY = `arn:aws:kms:ca-central-1:${COGNITO}:key/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0`;
const STATE = `${BUCKET}/identity/bridge/split/identity-center.tfstate`;
const VALUES: Substitution[] = [
  ["data.aws_partition.partition.partition", "aws"],
  [/^aws_iam_openid_connect_provider\.identity-center-.*\.arn$/, `arn:aws:iam::${IDC}:oidc-provider/x`],
  [/^aws_iam_openid_connect_provider\..*\.arn$/, `arn:aws:iam::${COGNITO}:oidc-provider/x`],
  [/^aws_s3_bucket\..*\.arn$/, BUCKET],
  [/^aws_kms_key\..*\.arn$/, KEY],
  [
    /^aws_iam_role\.identity-center-plan-role_.*\.arn$/,
    `arn:aws:iam::${IDC}:role/split-idc-oidc-bridge-plan`,
  ],
  [
    /^aws_iam_role\.identity-center-apply-role_.*\.arn$/,
    `arn:aws:iam::${IDC}:role/split-idc-oidc-bridge-apply`,
  ],
];

const settings = bootstrapSettings(
  loadConfig(path.join(__dirname, "..", "..", "__tests__", "fixtures", "config", "two-account.json")),
);
if (Array.isArray(settings)) throw new Error(JSON.stringify(settings));
const root = tempDir("bridge-bootstrap-two-");
const doc: TerraformJson = JSON.parse(
  readFileSync(
    path.join(synthBootstrap(settings, path.join(root, "out"), root).stackDir, "cdk.tf.json"),
    "utf8",
  ),
);
const docId = (prefix: string) =>
  Object.keys(doc.data.aws_iam_policy_document).find((id) => id.startsWith(prefix))!;
const inline = (prefix: string): NamedPolicy[] => [
  { name: "state", policy: policyDocument(doc, docId(`${prefix}-role_policy_`), VALUES) },
];

it("pins one aws provider to each account, reached through the configured admin roles", () => {
  expect(
    (doc.provider.aws as TerraformJson[]).map((p) => [
      p.alias,
      p.allowed_account_ids,
      p.assume_role[0].role_arn,
    ]),
  ).toEqual([
    [undefined, [COGNITO], `arn:aws:iam::${COGNITO}:role/idc-oidc-bridge-admin`],
    ["identity-center", [IDC], `arn:aws:iam::${IDC}:role/idc-oidc-bridge-admin`],
  ]);
});

it("creates GitHub's OIDC provider and the two CI roles in each account, and the state bucket once", () => {
  const providerOf = (type: string) =>
    Object.values<TerraformJson>(doc.resource[type])
      .map((r) => r.provider ?? "aws")
      .sort();
  expect(providerOf("aws_iam_openid_connect_provider")).toEqual(["aws", "aws.identity-center"]);
  expect(providerOf("aws_iam_role")).toEqual(["aws", "aws", "aws.identity-center", "aws.identity-center"]);
  expect(providerOf("aws_s3_bucket")).toEqual(["aws"]);
  expect(Object.keys(doc.output).sort()).toEqual(
    expect.arrayContaining(["identity_center_apply_role_arn", "identity_center_plan_role_arn"]),
  );
});

it("trusts, in the IdC account too, only the repository's pull requests and default branch (plan) and environment (apply)", async () => {
  const can = async (role: string, sub: string) =>
    (
      await simulateAssumeRole({
        trustPolicy: roleTrustPolicy(
          { ...doc, resource: { aws_iam_role: pick(doc.resource.aws_iam_role, "identity-center-") } },
          role,
          VALUES,
        ),
        roleArn: `arn:aws:iam::${IDC}:role/${role}`,
        principal: `arn:aws:iam::${IDC}:oidc-provider/x`,
        action: "sts:AssumeRoleWithWebIdentity",
        context: {
          "token.actions.githubusercontent.com:sub": sub,
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        },
      })
    ).allowed;
  expect(await can("split-idc-oidc-bridge-plan", "repo:acme/idc-bridge:pull_request")).toBe(true);
  expect(await can("split-idc-oidc-bridge-plan", "repo:acme/idc-bridge:environment:split")).toBe(false);
  expect(await can("split-idc-oidc-bridge-apply", "repo:acme/idc-bridge:environment:split")).toBe(true);
  expect(await can("split-idc-oidc-bridge-apply", "repo:acme/idc-bridge:pull_request")).toBe(false);
});

describe("the state bucket in the Cognito account, for the IdC account's roles", () => {
  const bucketPolicy = policyDocument(doc, docId("state_tls-only_"), VALUES);
  const keyPolicy = policyDocument(doc, docId("state_key-policy_"), [
    ...VALUES,
    ["data.aws_caller_identity.account.account_id", COGNITO],
  ]);
  const request = async (role: "plan" | "apply", account: string, action: string, resource: string) => {
    const principal = `arn:aws:iam::${account}:role/split-idc-oidc-bridge-${role}`;
    const kms = action.startsWith("kms:");
    return (
      await simulate({
        identityPolicies: inline(`identity-center-${role}`),
        action,
        resource,
        principal,
        resourceAccount: COGNITO,
        resourcePolicy: kms ? keyPolicy : bucketPolicy,
        context: {
          "aws:PrincipalAccount": account,
          "aws:PrincipalArn": principal,
          ...(kms ? { "kms:ResourceAliases": ["alias/split-tfstate"] } : { "aws:SecureTransport": "true" }),
        },
      })
    ).allowed;
  };

  it("the plan role reads the environment's state and decrypts it, and writes nothing", async () => {
    expect(await request("plan", IDC, "s3:GetObject", STATE)).toBe(true);
    expect(await request("plan", IDC, "s3:ListBucket", BUCKET)).toBe(true);
    expect(await request("plan", IDC, "kms:Decrypt", KEY)).toBe(true);
    expect(await request("plan", IDC, "s3:PutObject", `${STATE}.tflock`)).toBe(false);
    expect(await request("plan", IDC, "kms:GenerateDataKey", KEY)).toBe(false);
    expect(await request("plan", IDC, "s3:GetObject", `${BUCKET}/identity/bridge/other/x.tfstate`)).toBe(
      false,
    );
  });

  it("the apply role writes the state and its lock file", async () => {
    expect(await request("apply", IDC, "s3:PutObject", STATE)).toBe(true);
    expect(await request("apply", IDC, "s3:DeleteObject", `${STATE}.tflock`)).toBe(true);
    expect(await request("apply", IDC, "kms:GenerateDataKey", KEY)).toBe(true);
  });

  it("a role of the same name in any third account gets nothing", async () => {
    for (const action of ["s3:GetObject", "kms:Decrypt"]) {
      expect(await request("apply", "666666666666", action, action === "kms:Decrypt" ? KEY : STATE)).toBe(
        false,
      );
    }
  });
});

function pick(all: Record<string, unknown>, prefix: string) {
  return Object.fromEntries(Object.entries(all).filter(([id]) => id.startsWith(prefix)));
}

it("keeps the state bucket (and the first roles' addresses) in the IdC account with bootstrap.stateAccount", () => {
  const input = JSON.parse(
    readFileSync(
      path.join(__dirname, "..", "..", "__tests__", "fixtures", "config", "two-account.json"),
      "utf8",
    ),
  );
  input.bootstrap.stateAccount = "identity-center";
  input.backend.kmsKeyId = `arn:aws:kms:ca-central-1:${IDC}:alias/split-tfstate`;
  const moved = bootstrapSettings(parseConfig(input));
  if (Array.isArray(moved)) throw new Error(JSON.stringify(moved));
  expect(moved.accounts.map((a) => [a.side, a.accountId])).toEqual([
    ["identity-center", IDC],
    ["cognito", COGNITO],
  ]);
  const dir = tempDir("bridge-bootstrap-moved-");
  const out: TerraformJson = JSON.parse(
    readFileSync(
      path.join(synthBootstrap(moved, path.join(dir, "out"), dir).stackDir, "cdk.tf.json"),
      "utf8",
    ),
  );
  expect((out.provider.aws as TerraformJson[]).map((p) => [p.alias, p.allowed_account_ids])).toEqual([
    [undefined, [IDC]],
    ["cognito", [COGNITO]],
  ]);
  // The roles made while everything was one account keep their addresses; the new account's are added.
  const roles = Object.keys(out.resource.aws_iam_role).map((id) => id.replace(/_[0-9A-F]{8}$/, ""));
  expect(roles.sort()).toEqual(["apply-role", "cognito-apply-role", "cognito-plan-role", "plan-role"]);
  delete input.cognito.accountId;
  delete input.cognito.assumeRoleArn;
  const one = bootstrapSettings(parseConfig(input));
  if (Array.isArray(one)) throw new Error(JSON.stringify(one));
  const before: TerraformJson = JSON.parse(
    readFileSync(path.join(synthBootstrap(one, path.join(dir, "one"), dir).stackDir, "cdk.tf.json"), "utf8"),
  );
  for (const type of ["aws_iam_role", "aws_s3_bucket", "aws_kms_key", "aws_iam_openid_connect_provider"]) {
    for (const id of Object.keys(before.resource[type])) expect(out.resource[type]).toHaveProperty([id]);
  }
  expect(Object.values<TerraformJson>(out.resource.aws_s3_bucket)[0].provider).toBeUndefined();
});
