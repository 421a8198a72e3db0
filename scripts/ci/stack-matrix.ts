/**
 * `npx tsx scripts/ci/stack-matrix.ts OUTDIR ENVIRONMENT [--known FILE [--previous OUTDIR]] [--write-overrides]`: the CI plan of
 * one synthesized environment, as one JSON object on stdout:
 *
 *   { "stacks":   [ { "stack", "account", "plan_role", "deploy_role", "other_account", "other_plan_role",
 *                     "other_deploy_role", "dependencies", "destroy" } … ]   (apply order)
 *     "accounts": [ { "account", "plan_role", "deploy_role" } … ],
 *     "removed":  [ stacks in the known list that the config no longer synthesizes ] }
 *
 * Each stack's account is that of its aws provider (`allowed_account_ids`, from identityCenter.accountId /
 * cognito.accountId); `other_account` is a second account one of its providers works in (identity-propagation
 * creates an app client in the Cognito account). The roles are the bootstrap's, by their fixed names. A config
 * that names no account gives "" (the workflows then use the repository variables AWS_PLAN_ROLE_ARN and
 * AWS_APPLY_ROLE_ARN: one account, one pair of roles).
 *
 * --write-overrides writes `ci_accounts_override.tf.json` into each stack directory: Terraform merges it into
 * the stack (override files) and every pinned aws provider then uses the AWS CLI profile `bridge-<account>`
 * (the CI role of its account, written by scripts/ci/aws-profile.sh), instead of assuming the config's
 * assumeRoleArn (an administrator's role, for `cdktf deploy` from a workstation). An empty role_arn makes the
 * aws provider skip assume_role (hashicorp/terraform-provider-aws internal/provider/provider.go, configure:
 * `if s, ok := l["role_arn"]; !ok || s == ""` → no AssumeRole).
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { partitionOfRegion } from "../../config/accounts";
import { ciRoleNames } from "../../stacks/bootstrap";
import { applyOrder, readManifest, readStackJson, type Manifest, type TerraformJson } from "../synth-output";

export interface StackRow {
  readonly stack: string;
  readonly account: string;
  readonly plan_role: string;
  readonly deploy_role: string;
  readonly other_account: string;
  readonly other_plan_role: string;
  readonly other_deploy_role: string;
  readonly dependencies: readonly string[];
  /** A stack the config no longer has, planned for destruction (see `removedStacks`). */
  readonly destroy: boolean;
}

export interface AccountRoles {
  readonly account: string;
  readonly plan_role: string;
  readonly deploy_role: string;
}

export interface CiPlan {
  readonly stacks: readonly StackRow[];
  readonly accounts: readonly AccountRoles[];
  readonly removed: readonly string[];
  /** Synthesized stacks the committed list does not name yet. */
  readonly unknown: readonly string[];
}

/** The aws providers of a stack: alias ("" for the default), account (or undefined) and region. */
function awsProviders(stack: TerraformJson) {
  return ((stack.provider?.aws ?? []) as TerraformJson[]).map((p) => ({
    alias: (p.alias as string | undefined) ?? "",
    account: (p.allowed_account_ids as string[] | undefined)?.[0],
    region: p.region as string,
    assumesRole: Array.isArray(p.assume_role) && p.assume_role.length > 0,
  }));
}

export function accountRoles(environment: string, account: string, region: string): AccountRoles {
  const names = ciRoleNames(environment);
  const arn = (name: string) => `arn:${partitionOfRegion(region)}:iam::${account}:role/${name}`;
  return { account, plan_role: arn(names.plan), deploy_role: arn(names.apply) };
}

/** The row of one synthesized stack. */
export function stackRow(
  environment: string,
  manifest: Manifest,
  outdir: string,
  name: string,
  destroy = false,
): StackRow {
  const stack = manifest.stacks[name];
  const providers = awsProviders(readStackJson(outdir, stack));
  const main = providers.find((p) => p.alias === "") ?? providers[0];
  const other = providers.find((p) => p.account !== undefined && p.account !== main?.account);
  const roles = (p: (typeof providers)[number] | undefined) =>
    p?.account === undefined
      ? { account: "", plan_role: "", deploy_role: "" }
      : accountRoles(environment, p.account, p.region);
  const mine = roles(main);
  const theirs = roles(other);
  return {
    stack: name,
    ...mine,
    other_account: theirs.account,
    other_plan_role: theirs.plan_role,
    other_deploy_role: theirs.deploy_role,
    dependencies: [...stack.dependencies],
    destroy,
  };
}

/**
 * Stacks CI knows for the environment (the committed list) that the config no longer synthesizes: each is
 * planned for destruction, not left behind with its resources.
 */
export function removedStacks(known: readonly string[], synthesized: readonly string[]): string[] {
  return known.filter((s) => !synthesized.includes(s));
}

/** The known stacks of an environment from the committed list (`{ "<environment>": ["cognito", …] }`). */
export function knownStacks(file: string, environment: string): string[] {
  const list = JSON.parse(readFileSync(file, "utf8")) as Record<string, string[]>;
  return (list[environment] ?? []).map((s) => `${environment}-${s}`);
}

/**
 * `known` is the committed list; `previous` the synth output of an earlier config that still had the removed
 * stacks: each becomes a `destroy` row, before the others, dependents first.
 */
/** Synthesized stacks missing from the committed list: removing them later would leave their resources. */
export function unknownStacks(known: readonly string[], synthesized: readonly string[]): string[] {
  return synthesized.filter((s) => !known.includes(s));
}

export function ciPlan(
  outdir: string,
  environment: string,
  known: readonly string[] = [],
  previous?: string,
): CiPlan {
  const manifest = readManifest(outdir);
  const order = applyOrder(manifest);
  const removed = removedStacks(known, order);
  const destroyRows: StackRow[] = [];
  if (removed.length > 0 && previous !== undefined) {
    const before = readManifest(previous);
    const missing = removed.filter((s) => before.stacks[s] === undefined);
    if (missing.length > 0)
      throw new Error(
        `the earlier config does not synthesize ${missing.join(", ")} either: no configuration to destroy it with`,
      );
    for (const name of applyOrder(before)
      .reverse()
      .filter((s) => removed.includes(s))) {
      destroyRows.push({ ...stackRow(environment, before, previous, name, true), dependencies: [] });
    }
  }
  const rows = [...destroyRows, ...order.map((name) => stackRow(environment, manifest, outdir, name))];
  const accounts = new Map<string, AccountRoles>();
  for (const r of rows) {
    if (r.account !== "")
      accounts.set(r.account, { account: r.account, plan_role: r.plan_role, deploy_role: r.deploy_role });
    if (r.other_account !== "")
      accounts.set(r.other_account, {
        account: r.other_account,
        plan_role: r.other_plan_role,
        deploy_role: r.other_deploy_role,
      });
  }
  return { stacks: rows, accounts: [...accounts.values()], removed, unknown: unknownStacks(known, order) };
}

/** The override file that points each pinned aws provider of a stack at its account's CI profile. */
export function accountsOverride(stack: TerraformJson): TerraformJson | undefined {
  const pinned = awsProviders(stack).filter((p) => p.account !== undefined);
  if (pinned.length === 0) return undefined;
  return {
    provider: {
      aws: pinned.map((p) => ({
        ...(p.alias === "" ? {} : { alias: p.alias }),
        profile: `bridge-${p.account}`,
        ...(p.assumesRole ? { assume_role: [{ role_arn: "" }] } : {}),
      })),
    },
  };
}

export function writeOverrides(outdir: string): void {
  const manifest = readManifest(outdir);
  for (const stack of Object.values(manifest.stacks)) {
    const override = accountsOverride(readStackJson(outdir, stack));
    if (override === undefined) continue;
    const file = path.join(outdir, path.dirname(stack.synthesizedStackPath), "ci_accounts_override.tf.json");
    writeFileSync(file, `${JSON.stringify(override, null, 2)}\n`);
  }
}

if (require.main === module) {
  try {
    const args = process.argv.slice(2);
    const flag = (name: string) => {
      const i = args.indexOf(name);
      if (i < 0) return undefined;
      const [, value] = args.splice(i, 2);
      return value;
    };
    const overrides = args.includes("--write-overrides");
    if (overrides) args.splice(args.indexOf("--write-overrides"), 1);
    const knownFile = flag("--known");
    const previous = flag("--previous");
    const [outdir, environment] = args;
    if (outdir === undefined || environment === undefined)
      throw new Error("usage: stack-matrix.ts OUTDIR ENVIRONMENT [--known FILE] [--write-overrides]");
    const known = knownFile === undefined ? [] : knownStacks(knownFile, environment);
    if (overrides)
      for (const dir of previous === undefined ? [outdir] : [outdir, previous]) writeOverrides(dir);
    console.log(JSON.stringify(ciPlan(outdir, environment, known, previous)));
  } catch (e) {
    console.error(`stack-matrix: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
