/**
 * The scripts the workflows run (scripts/ci/*.sh, scripts/ci/stack-matrix.ts), run here as the workflows run
 * them. terraform-stack.sh is driven by the real Terraform CLI on a provider-free configuration
 * (`terraform_data`, built into Terraform), so the exit codes of `plan -detailed-exitcode` are Terraform's.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { applyOrder, type Manifest } from "../../scripts/synth-output";
import { configWith, synthBridge } from "../helpers/stacks";
import { tempDir } from "../helpers/temp-dirs";
import { describeIfTerraform, terraformEnv } from "../helpers/terraform-cli";

const ROOT = path.join(__dirname, "..", "..");
const script = (name: string) => path.join(ROOT, "scripts", "ci", name);

function bash(file: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT) {
  return spawnSync("bash", [file, ...args], { cwd, env: terraformEnv(env), encoding: "utf8" });
}

describe("apply order", () => {
  const manifest = (deps: Record<string, string[]>): Manifest => ({
    stacks: Object.fromEntries(
      Object.entries(deps).map(([name, dependencies]) => [
        name,
        { name, dependencies, workingDirectory: "", synthesizedStackPath: "" },
      ]),
    ),
  });

  it("the CI plan (scripts/ci/stack-matrix.ts) lists the synthesized stacks of the app as they must be applied", () => {
    const { outdir } = synthBridge(configWith());
    const run = spawnSync(
      process.execPath,
      [
        path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"),
        "scripts/ci/stack-matrix.ts",
        outdir,
        "prod",
        "--known",
        "scripts/ci/known-stacks.json",
      ],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(run.stderr).toBe("");
    const plan = JSON.parse(run.stdout);
    expect(plan.stacks.map((s: { stack: string }) => s.stack)).toEqual([
      "prod-identity-center",
      "prod-cognito",
      "prod-cloudflare-access",
    ]);
    expect(plan).toMatchObject({ removed: [], unknown: [], accounts: [] });
  });

  it("puts each stack after its dependencies, ties by name, and refuses cycles", () => {
    expect(
      applyOrder(
        manifest({
          "p-identity-propagation": ["p-identity-center", "p-cognito"],
          "p-cloudflare-access": ["p-identity-center", "p-cognito"],
          "p-cognito": ["p-identity-center"],
          "p-identity-center": [],
        }),
      ),
    ).toEqual(["p-identity-center", "p-cognito", "p-cloudflare-access", "p-identity-propagation"]);
    expect(() => applyOrder(manifest({ a: ["b"], b: ["a"], c: [] }))).toThrow(
      "dependency cycle between the stacks a, b",
    );
    expect(() => applyOrder(manifest({ a: ["x"] }))).toThrow("stack a depends on unknown stack x");
  });
});

describeIfTerraform("terraform-stack.sh with the Terraform CLI", () => {
  function stackDir(input: string): string {
    const dir = path.join(tempDir("bridge-ci-"), "prod-example");
    mkdirSync(dir);
    setInput(dir, input);
    return dir;
  }
  const setInput = (dir: string, input: string) =>
    writeFileSync(
      path.join(dir, "main.tf"),
      `resource "terraform_data" "x" {\n  input = "${input}"\n}\n\noutput "o" {\n  value = terraform_data.x.output\n}\n`,
    );
  function run(mode: string, dir: string) {
    const outputs = path.join(path.dirname(dir), "github-output");
    const summary = path.join(path.dirname(dir), "summary.md");
    writeFileSync(outputs, "");
    writeFileSync(summary, "");
    const result = bash(script("terraform-stack.sh"), [mode, dir], {
      GITHUB_OUTPUT: outputs,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_RUN_ID: "42",
      GITHUB_REPOSITORY: "acme/bridge",
    });
    const read = (f: string) =>
      existsSync(path.join(dir, f)) ? readFileSync(path.join(dir, f), "utf8") : "";
    return {
      status: result.status,
      output: readFileSync(outputs, "utf8"),
      summary: readFileSync(summary, "utf8"),
      report: read("report.md"),
      drift: read("drift.json") ? JSON.parse(read("drift.json")) : undefined,
      stderr: result.stderr,
    };
  }

  it("drift: changes are drift, an applied config is clean, a changed resource is drift again", () => {
    const dir = stackDir("a");
    const before = run("drift", dir);
    expect(before).toMatchObject({
      status: 0,
      output: "status=drift\n",
      drift: { stack: "prod-example", status: "drift" },
    });
    expect(before.report).toContain("### Terraform drift: `prod-example` — ⚠️ drift");
    expect(before.report).toContain("Plan: 1 to add, 0 to change, 0 to destroy.");
    expect(before.summary).toBe(before.report);

    expect(run("apply", dir)).toMatchObject({ status: 0, output: "status=applied\n" });
    expect(run("drift", dir)).toMatchObject({ status: 0, drift: { status: "clean" } });

    setInput(dir, "b");
    expect(run("drift", dir)).toMatchObject({ status: 0, drift: { status: "drift" } });
  });

  it("plan: reports changes or none and writes the plan file, without taking the state lock", () => {
    const dir = stackDir("a");
    // The read-only plan role may not write the lock object next to the state.
    expect(readFileSync(script("terraform-stack.sh"), "utf8")).toContain(
      "plan -input=false -lock=false -out=tfplan",
    );
    const planned = run("plan", dir);
    expect(planned).toMatchObject({ status: 0, output: "status=changes\n" });
    expect(existsSync(path.join(dir, "tfplan"))).toBe(true);
    expect(readFileSync(path.join(dir, "plan.txt"), "utf8")).toContain('+ input  = "a"');
    expect(planned.report).toContain("Workflow run: https://github.com/acme/bridge/actions/runs/42");
    run("apply", dir);
    expect(run("plan", dir)).toMatchObject({ status: 0, output: "status=clean\n" });
  });

  it("fails with Terraform's error in the report when the configuration is broken", () => {
    const dir = stackDir("a");
    writeFileSync(path.join(dir, "broken.tf"), 'resource "terraform_data" {\n');
    for (const mode of ["plan", "apply", "drift"]) {
      const failed = run(mode, dir);
      expect(failed).toMatchObject({ status: 1, output: "status=failed\n" });
      expect(failed.report).toContain("— ❌ failed");
      expect(failed.report).toContain("Missing name for resource");
      expect(failed.stderr).toContain(`terraform ${mode} of prod-example failed`);
    }
  });

  it("cuts a long plan for the comment and says so", () => {
    const dir = stackDir("x".repeat(3000));
    const result = spawnSync("bash", [script("terraform-stack.sh"), "plan", dir], {
      env: terraformEnv({ MAX_PLAN_CHARS: "500" }),
      encoding: "utf8",
    });
    expect(result.status).toBe(0);
    const report = readFileSync(path.join(dir, "report.md"), "utf8");
    expect(report).toMatch(/… \(\d+ more characters: see the plan artifact\)/);
    expect(report.length).toBeLessThan(1500);
  });

  it("apply: applies the reviewed plan, and refuses it when a fresh plan no longer matches it", () => {
    const dir = stackDir("a");
    expect(run("plan", dir)).toMatchObject({ status: 0, output: "status=changes\n" });
    expect(readFileSync(path.join(dir, "plan-mode"), "utf8")).toBe("normal\n");
    // What Terraform would do changes after the review (here the config; in CI an upstream stack's outputs).
    setInput(dir, "b");
    const stale = run("apply", dir);
    expect(stale).toMatchObject({ status: 1, output: "status=stale\n" });
    expect(stale.report).toContain("⛔ plan changed since review");
    expect(stale.report).toContain("Run the deploy again to review the new plan");
    expect(run("drift", dir)).toMatchObject({ drift: { status: "drift" } }); // nothing was applied
    expect(run("plan", dir)).toMatchObject({ output: "status=changes\n" });
    expect(run("apply", dir)).toMatchObject({ status: 0, output: "status=applied\n" });
    expect(run("drift", dir)).toMatchObject({ drift: { status: "clean" } });
    // No reviewed plan, nothing applied.
    expect(run("apply", stackDir("c"))).toMatchObject({ status: 1, output: "status=failed\n" });
  });

  it("plan-destroy: a reviewed destroy plan of a stack the config no longer has, applied like any plan", () => {
    const dir = stackDir("a");
    run("plan", dir);
    run("apply", dir);
    const destroy = run("plan-destroy", dir);
    expect(destroy).toMatchObject({ status: 0, output: "status=changes\n" });
    expect(destroy.report).toContain("The config no longer has this stack: this plan destroys it.");
    expect(destroy.report).toContain("0 to add, 0 to change, 1 to destroy");
    expect(readFileSync(path.join(dir, "plan-mode"), "utf8")).toBe("destroy\n");
    expect(run("apply", dir)).toMatchObject({ status: 0, output: "status=applied\n" });
    // Destroyed: the config would create it again.
    expect(run("drift", dir).report).toContain("1 to add, 0 to change, 0 to destroy");
  });

  it("plan: a stack whose upstream stack was never applied is waiting (neutral), naming the upstream stack", () => {
    const dir = path.join(tempDir("bridge-ci-"), "prod-cloudflare-access");
    mkdirSync(dir);
    // What cdktf writes for a cross-stack read; the upstream stack's state does not exist yet.
    writeFileSync(
      path.join(dir, "main.tf.json"),
      JSON.stringify({
        data: {
          terraform_remote_state: {
            "cross-stack-reference-input-prod-cognito": {
              backend: "local",
              config: { path: "../never-applied/prod-cognito.tfstate" },
            },
          },
        },
        resource: {
          terraform_data: {
            x: {
              input:
                "${data.terraform_remote_state.cross-stack-reference-input-prod-cognito.outputs.cross-stack-output-aws_cognito_user_poolpoolid}",
            },
          },
        },
      }),
    );
    for (const mode of ["plan", "drift"]) {
      const waiting = run(mode, dir);
      expect(waiting).toMatchObject({ status: 0, output: "status=waiting\n" });
      expect(waiting.report).toContain("⏳ waiting for prod-cognito");
      expect(waiting.report).toContain("has not been applied yet");
    }
    // A real error stays an error.
    writeFileSync(path.join(dir, "broken.tf"), 'resource "terraform_data" {\n');
    expect(run("plan", dir)).toMatchObject({ status: 1, output: "status=failed\n" });
  });

  it("refuses a usage error", () => {
    expect(bash(script("terraform-stack.sh"), ["destroy", ROOT]).status).toBe(2);
    expect(bash(script("terraform-stack.sh"), ["plan", path.join(ROOT, "no-such-dir")]).status).toBe(2);
  });
});

describeIfTerraform("the deploy: review-plans.sh, then apply-reviewed.sh, with the Terraform CLI", () => {
  const PASS = "correct horse";
  function stack(root: string, name: string, input: string) {
    const dir = path.join(root, "cdktf.out", "stacks", name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "main.tf"), `resource "terraform_data" "x" {\n  input = "${input}"\n}\n`);
    return dir;
  }
  /** What a deploy's plan job leaves: the plan-<stack> artifact (encrypted plan, text, mode, status). */
  function planJob(root: string, name: string, mode = "plan") {
    const dir = path.join(root, "cdktf.out", "stacks", name);
    bash(script("terraform-stack.sh"), [mode, dir]);
    bash(script("protect-plan.sh"), [dir], { PLAN_ARTIFACT_PASSPHRASE: PASS, REQUIRE_PLAN_PASSPHRASE: "1" });
    const artifact = path.join(root, "plans", `plan-${name}`);
    mkdirSync(artifact, { recursive: true });
    for (const f of ["tfplan.enc", "plan.txt", "plan-mode", "status.json"]) {
      if (existsSync(path.join(dir, f)))
        writeFileSync(path.join(artifact, f), readFileSync(path.join(dir, f)));
    }
  }
  const row = (name: string, destroy = false) => ({ stack: name, account: "", destroy });

  it("applies, after one review, only the stacks whose plan has changes, in order", () => {
    const root = tempDir("bridge-deploy-");
    stack(root, "prod-a", "1");
    stack(root, "prod-b", "1");
    // prod-b is already applied: its plan has no changes.
    const b = path.join(root, "cdktf.out", "stacks", "prod-b");
    bash(script("terraform-stack.sh"), ["plan", b]);
    expect(bash(script("terraform-stack.sh"), ["apply", b]).status).toBe(0);
    planJob(root, "prod-a");
    planJob(root, "prod-b");
    const outputs = path.join(root, "github-output");
    const summary = path.join(root, "summary.md");
    writeFileSync(outputs, "");
    writeFileSync(summary, "");
    const matrix = JSON.stringify([row("prod-a"), row("prod-b")]);
    const review = bash(script("review-plans.sh"), [path.join(root, "plans")], {
      MATRIX: matrix,
      GITHUB_OUTPUT: outputs,
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(review.status).toBe(0);
    expect(readFileSync(outputs, "utf8")).toBe('apply=["prod-a"]\nchanges=true\n');
    expect(readFileSync(summary, "utf8")).toContain("| `prod-b` | clean — no changes: skipped |");
    expect(readFileSync(summary, "utf8")).toContain("applies exactly these plans, in this order: prod-a.");

    const applied = bash(script("apply-reviewed.sh"), [path.join(root, "plans")], {
      MATRIX: matrix,
      APPLY: '["prod-a"]',
      PLAN_ARTIFACT_PASSPHRASE: PASS,
      CDKTF_OUT: path.join(root, "cdktf.out"),
    });
    expect(applied.stdout).toContain("terraform apply of prod-a: applied");
    expect(applied.status).toBe(0);
    // A wrong passphrase reads no plan and applies nothing.
    const wrong = bash(script("apply-reviewed.sh"), [path.join(root, "plans")], {
      MATRIX: matrix,
      APPLY: '["prod-a"]',
      PLAN_ARTIFACT_PASSPHRASE: "wrong",
      CDKTF_OUT: path.join(root, "cdktf.out"),
    });
    expect(wrong.status).not.toBe(0);
  });

  it("asks for no approval when nothing changes, and refuses when a plan failed or is missing", () => {
    const root = tempDir("bridge-deploy-");
    mkdirSync(path.join(root, "plans", "plan-prod-a"), { recursive: true });
    writeFileSync(
      path.join(root, "plans", "plan-prod-a", "status.json"),
      '{"stack":"prod-a","status":"clean"}',
    );
    mkdirSync(path.join(root, "plans", "plan-prod-b"), { recursive: true });
    writeFileSync(
      path.join(root, "plans", "plan-prod-b", "status.json"),
      '{"stack":"prod-b","status":"waiting"}',
    );
    const outputs = path.join(root, "out");
    writeFileSync(outputs, "");
    const matrix = [row("prod-a"), row("prod-b")];
    const quiet = bash(script("review-plans.sh"), [path.join(root, "plans")], {
      MATRIX: JSON.stringify(matrix),
      GITHUB_OUTPUT: outputs,
    });
    expect(quiet.status).toBe(0);
    expect(readFileSync(outputs, "utf8")).toBe("apply=[]\nchanges=false\n");
    expect(quiet.stdout).toContain("prod-b: run the deploy again after this one to plan them.");
    const failed = bash(script("review-plans.sh"), [path.join(root, "plans")], {
      MATRIX: JSON.stringify([...matrix, row("prod-c")]),
    });
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain("❌ No plan for prod-c: nothing is applied.");
  });

  it("refuses to keep a deploy's plan without the passphrase", () => {
    const dir = tempDir("protect-plan-");
    writeFileSync(path.join(dir, "tfplan"), "secret");
    const r = bash(script("protect-plan.sh"), [dir], {
      PLAN_ARTIFACT_PASSPHRASE: "",
      REQUIRE_PLAN_PASSPHRASE: "1",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("PLAN_ARTIFACT_PASSPHRASE is not set");
    expect(existsSync(path.join(dir, "tfplan"))).toBe(false);
  });
});

describe("aws-profile.sh", () => {
  it("keeps the step's credentials as the profile bridge-<account>, for a 12-digit account only", () => {
    const home = tempDir("bridge-aws-home-");
    const bin = tempDir("bridge-fake-aws-");
    // A stand-in `aws` that records `configure set` calls.
    writeFileSync(path.join(bin, "aws"), '#!/bin/sh\necho "$*" >> "$HOME/calls"\n', { mode: 0o755 });
    const env = {
      HOME: home,
      PATH: `${bin}:${process.env.PATH}`,
      AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_SESSION_TOKEN: "token",
      AWS_REGION: "eu-west-1",
    };
    expect(bash(script("aws-profile.sh"), ["444444444444"], env).status).toBe(0);
    const calls = readFileSync(path.join(home, "calls"), "utf8").trim().split("\n");
    expect(calls.slice(0, 4)).toEqual([
      "configure set aws_access_key_id AKIAEXAMPLE --profile bridge-444444444444",
      "configure set aws_secret_access_key secret --profile bridge-444444444444",
      "configure set aws_session_token token --profile bridge-444444444444",
      "configure set region eu-west-1 --profile bridge-444444444444",
    ]);
    expect(bash(script("aws-profile.sh"), ["arn:aws:iam::1:role/x"], env).status).toBe(2);
  });
});

describe("upstream-secrets.sh", () => {
  function run(secrets: string | undefined) {
    const envFile = path.join(tempDir("bridge-ci-env-"), "env");
    writeFileSync(envFile, "");
    const result = bash(script("upstream-secrets.sh"), [], {
      GITHUB_ENV: envFile,
      ...(secrets === undefined ? {} : { UPSTREAM_CLIENT_SECRETS: secrets }),
    });
    return { ...result, env: readFileSync(envFile, "utf8") };
  }

  it("masks each secret, then exports it as its TF_VAR_ variable", () => {
    const r = run(
      JSON.stringify({
        TF_VAR_upstream_google_client_secret: "s3cr3t",
        TF_VAR_upstream_okta_client_secret: "x y",
      }),
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("::add-mask::s3cr3t\n::add-mask::x y\n");
    expect(r.env).toBe(
      "TF_VAR_upstream_google_client_secret=s3cr3t\nTF_VAR_upstream_okta_client_secret=x y\n",
    );
    expect(r.stdout.split("\n").filter((l) => l.includes("s3cr3t") && !l.startsWith("::add-mask::"))).toEqual(
      [],
    );
  });

  it("does nothing without the secret, and refuses anything but TF_VAR_upstream_<name>_client_secret", () => {
    expect(run(undefined)).toMatchObject({ status: 0, env: "" });
    for (const bad of [
      '{"AWS_SECRET": "x"}',
      '{"TF_VAR_upstream_google_client_secret": "two\\nlines"}',
      '{"TF_VAR_upstream_google_client_secret": 1}',
      "not json",
    ]) {
      const r = run(bad);
      expect({ bad, status: r.status, env: r.env }).toEqual({ bad, status: 1, env: "" });
      expect(r.stderr).toContain("UPSTREAM_CLIENT_SECRETS must be a JSON object");
    }
  });
});

describe("synth.sh", () => {
  function run(environment: string) {
    return bash(script("synth.sh"), [], { BRIDGE_ENVIRONMENT: environment });
  }

  it("refuses a bad environment name, a missing config and a config of another environment", () => {
    expect(run("Prod; rm -rf /")).toMatchObject({
      status: 1,
      stderr: expect.stringContaining("is not an environment name"),
    });
    expect(run("nosuchenv")).toMatchObject({
      status: 1,
      stderr: expect.stringContaining("config/nosuchenv.json not found"),
    });
    // config/example.json declares environment "prod".
    expect(run("example")).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('config/example.json declares environment "prod", expected "example"'),
    });
  });
});

describe("protect-plan.sh", () => {
  const planWith = (content: string) => {
    const dir = tempDir("protect-plan-");
    writeFileSync(path.join(dir, "tfplan"), content);
    writeFileSync(path.join(dir, "plan.txt"), "redacted plan");
    return dir;
  };

  it("keeps the binary plan only encrypted with PLAN_ARTIFACT_PASSPHRASE, and openssl gets it back", () => {
    const dir = planWith("client_secret = s3cr3t-value");
    const result = bash(script("protect-plan.sh"), [dir], { PLAN_ARTIFACT_PASSPHRASE: "correct horse" });
    expect(result.status).toBe(0);
    expect(existsSync(path.join(dir, "tfplan"))).toBe(false);
    const encrypted = readFileSync(path.join(dir, "tfplan.enc"));
    expect(encrypted.toString("latin1")).not.toContain("s3cr3t-value");
    const decrypted = spawnSync(
      "openssl",
      ["enc", "-d", "-aes-256-cbc", "-pbkdf2", "-in", path.join(dir, "tfplan.enc"), "-pass", "env:P"],
      { env: { ...process.env, P: "correct horse" }, encoding: "utf8" },
    );
    expect(decrypted.stdout).toBe("client_secret = s3cr3t-value");
  });

  it("drops the binary plan without a passphrase, keeping the redacted text", () => {
    const dir = planWith("client_secret = s3cr3t-value");
    const result = bash(script("protect-plan.sh"), [dir], { PLAN_ARTIFACT_PASSPHRASE: "" });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("PLAN_ARTIFACT_PASSPHRASE is not set");
    expect(existsSync(path.join(dir, "tfplan"))).toBe(false);
    expect(existsSync(path.join(dir, "tfplan.enc"))).toBe(false);
    expect(readFileSync(path.join(dir, "plan.txt"), "utf8")).toBe("redacted plan");
  });
});

describe("with-account.sh", () => {
  it("runs the command with the account's profile instead of the keys in the environment", () => {
    const env = { AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: "t" };
    const show = ["sh", "-c", 'echo "${AWS_PROFILE:-none} ${AWS_ACCESS_KEY_ID:-none}"'];
    expect(bash(script("with-account.sh"), ["444444444444", ...show], env).stdout).toBe(
      "bridge-444444444444 none\n",
    );
    expect(bash(script("with-account.sh"), ["", ...show], env).stdout).toBe("none AKIAEXAMPLE\n");
  });
});
