/**
 * The CI plan the workflows run (scripts/ci/stack-matrix.ts), on synthesized manifests: each stack with the
 * CI roles of its account (one account, two accounts), the override that points each pinned provider at its
 * account's CI profile, and a stack the config stops synthesizing turned into a reviewed destroy.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { BridgeConfigInput } from "../../config";
import { loadConfig, parseConfig } from "../../config";
import { accountsOverride, ciPlan, knownStacks, writeOverrides } from "../../scripts/ci/stack-matrix";
import { previousConfig, type Synth } from "../../scripts/ci/previous-config";
import { readManifest, readStackJson } from "../../scripts/synth-output";
import { configWith, synthBridge } from "../helpers/stacks";
import { tempDir } from "../helpers/temp-dirs";

const ROOT = path.join(__dirname, "..", "..");
const TWO_ACCOUNT = path.join(__dirname, "..", "fixtures", "config", "two-account.json");
const IDC = "444444444444";
const COGNITO = "555555555555";
const role = (account: string, kind: string) => `arn:aws:iam::${account}:role/split-idc-oidc-bridge-${kind}`;

const twoAccountInput = (): BridgeConfigInput => JSON.parse(readFileSync(TWO_ACCOUNT, "utf8"));
const twoAccounts = synthBridge(loadConfig(TWO_ACCOUNT)).outdir;
const example = synthBridge(configWith()).outdir;

describe("the stack matrix", () => {
  it("gives every stack of a two-account config the roles of its account, in apply order", () => {
    const plan = ciPlan(twoAccounts, "split");
    expect(plan.stacks.map((s) => [s.stack, s.account, s.plan_role, s.deploy_role, s.other_account])).toEqual(
      [
        ["split-identity-center", IDC, role(IDC, "plan"), role(IDC, "apply"), ""],
        ["split-cognito", COGNITO, role(COGNITO, "plan"), role(COGNITO, "apply"), ""],
        ["split-cloudflare-access", COGNITO, role(COGNITO, "plan"), role(COGNITO, "apply"), ""],
        ["split-identity-propagation", IDC, role(IDC, "plan"), role(IDC, "apply"), COGNITO],
      ],
    );
    const propagation = plan.stacks[3];
    expect([propagation.other_plan_role, propagation.other_deploy_role]).toEqual([
      role(COGNITO, "plan"),
      role(COGNITO, "apply"),
    ]);
    expect(propagation.dependencies).toEqual(["split-identity-center", "split-cognito"]);
    expect(plan.accounts).toEqual([
      { account: IDC, plan_role: role(IDC, "plan"), deploy_role: role(IDC, "apply") },
      { account: COGNITO, plan_role: role(COGNITO, "plan"), deploy_role: role(COGNITO, "apply") },
    ]);
  });

  it("names no role when the config names no account (the repository variables' one account)", () => {
    const plan = ciPlan(example, "prod");
    expect(plan.stacks.map((s) => s.stack)).toEqual([
      "prod-identity-center",
      "prod-cognito",
      "prod-cloudflare-access",
    ]);
    for (const s of plan.stacks) {
      expect([s.account, s.plan_role, s.deploy_role, s.other_account]).toEqual(["", "", "", ""]);
    }
    expect(plan.accounts).toEqual([]);
  });

  it("points each pinned provider at its account's CI profile instead of the config's admin role", () => {
    const manifest = readManifest(twoAccounts);
    const stack = readStackJson(twoAccounts, manifest.stacks["split-identity-propagation"]);
    expect(accountsOverride(stack)).toEqual({
      provider: {
        aws: [
          { profile: `bridge-${IDC}`, assume_role: [{ role_arn: "" }] },
          { alias: "cognito", profile: `bridge-${COGNITO}`, assume_role: [{ role_arn: "" }] },
        ],
      },
    });
    writeOverrides(twoAccounts);
    const file = path.join(
      twoAccounts,
      "stacks",
      "split-identity-propagation",
      "ci_accounts_override.tf.json",
    );
    // Terraform merges *_override.tf.json files into the configuration.
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(accountsOverride(stack));
    // One account without account ids: nothing to override.
    writeOverrides(example);
    expect(existsSync(path.join(example, "stacks", "prod-cognito", "ci_accounts_override.tf.json"))).toBe(
      false,
    );
  });

  it("plans the destruction of a listed stack the config no longer synthesizes, before the other stacks", () => {
    const input = twoAccountInput();
    delete (input.identityCenter as { trustedTokenIssuer?: unknown }).trustedTokenIssuer;
    const now = synthBridge(parseConfig(input)).outdir;
    const known = ["identity-center", "cognito", "cloudflare-access", "identity-propagation"].map(
      (s) => `split-${s}`,
    );
    const plan = ciPlan(now, "split", known, twoAccounts);
    expect(plan.removed).toEqual(["split-identity-propagation"]);
    expect(plan.stacks.map((s) => [s.stack, s.destroy, s.account])).toEqual([
      ["split-identity-propagation", true, IDC],
      ["split-identity-center", false, IDC],
      ["split-cognito", false, COGNITO],
      ["split-cloudflare-access", false, COGNITO],
    ]);
    expect(plan.stacks[0].dependencies).toEqual([]);
    // Without an earlier synth that has it, there is nothing to destroy it with: said, not skipped.
    expect(() => ciPlan(now, "split", known, now)).toThrow(
      "the earlier config does not synthesize split-identity-propagation either",
    );
    // A stack the list does not name yet is reported.
    expect(ciPlan(twoAccounts, "split", known.slice(0, 3)).unknown).toEqual(["split-identity-propagation"]);
  });

  it("reads the committed list of known stacks, which names the example's stacks", () => {
    const file = path.join(ROOT, "scripts", "ci", "known-stacks.json");
    const known = knownStacks(file, "prod");
    const plan = ciPlan(example, "prod", known);
    expect(plan.removed).toEqual([]);
    expect(plan.unknown).toEqual([]);
  });
});

describe("the configuration of a stack that was turned off (scripts/ci/previous-config.ts)", () => {
  const git = (cwd: string, ...args: string[]) => {
    const r = spawnSync("git", args, {
      cwd,
      encoding: "utf8",
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@x",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@x",
      },
    });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout.trim();
  };
  const synth: Synth = (file, outdir) => {
    synthBridge(parseConfig(JSON.parse(readFileSync(file, "utf8"))), undefined, { outdir });
    return true;
  };

  it("is the newest earlier config that still synthesizes it, found in the git history", () => {
    const repo = tempDir("bridge-history-");
    git(repo, "init", "-q");
    mkdirSync(path.join(repo, "config"));
    const file = path.join(repo, "config", "split.json");
    const commit = (input: BridgeConfigInput, message: string) => {
      writeFileSync(file, JSON.stringify(input));
      git(repo, "add", "-A");
      git(repo, "commit", "-qm", message);
      return git(repo, "rev-parse", "HEAD");
    };
    const input = twoAccountInput();
    commit(input, "with identity propagation");
    input.tags = { ...input.tags, step: "2" };
    const last = commit(input, "still with it");
    delete (input.identityCenter as { trustedTokenIssuer?: unknown }).trustedTokenIssuer;
    commit(input, "turned off");
    input.tags = { ...input.tags, step: "4" };
    commit(input, "a later change");

    const outdir = path.join(tempDir("bridge-previous-"), "out");
    expect(previousConfig(repo, "config/split.json", ["split-identity-propagation"], outdir, synth)).toBe(
      last,
    );
    expect(Object.keys(readManifest(outdir).stacks)).toContain("split-identity-propagation");
    // None of the versions looked at (here the newest two) has it: said, not guessed.
    expect(
      previousConfig(repo, "config/split.json", ["split-never-there"], outdir, synth, 2),
    ).toBeUndefined();
  });
});
