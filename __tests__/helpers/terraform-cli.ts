/**
 * Running the real Terraform CLI from tests, for Terraform expressions that only the CLI can evaluate.
 *
 * Offline only: no provider can be downloaded here, so `applyOffline` works for configurations made of
 * variables, locals, outputs and built-in functions (cdktf's default local backend is fine). Tests that
 * need a tool which is not installed are skipped with a printed reason instead of failing.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, TerraformStack } from "cdktf";
import { SYNTH_CACHE_ENV } from "./synth-cache";

/** No version check-point calls, no interactive prompts, output meant for machines. */
export function terraformEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0", ...extra };
}

const availability = new Map<string, boolean>();

/** True when `command args…` can be started and exits 0 (memoized per command line). */
export function commandAvailable(command: string, args: string[] = ["--version"]): boolean {
  const key = [command, ...args].join(" ");
  let available = availability.get(key);
  if (available === undefined) {
    const result = spawnSync(command, args, { stdio: "ignore", env: terraformEnv(), timeout: 30_000 });
    available = result.error === undefined && result.status === 0;
    availability.set(key, available);
  }
  return available;
}

/** Set by global-setup.js for the whole run ("available" or "missing"), so `terraform version` runs once. */
export const TERRAFORM_AVAILABILITY_ENV = "BRIDGE_TEST_TERRAFORM";

export function terraformAvailable(): boolean {
  const known = process.env[TERRAFORM_AVAILABILITY_ENV];
  if (known === "available" || known === "missing") return known === "available";
  return commandAvailable("terraform", ["version"]);
}

/** `describe`, or `describe.skip` with the reason printed when `skipReason` is set. */
export function describeIf(skipReason: string | undefined, name: string, fn: () => void): void {
  if (skipReason === undefined) {
    describe(name, fn);
  } else {
    console.warn(`skipped "${name}": ${skipReason}`);
    describe.skip(name, fn);
  }
}

export function describeIfTerraform(name: string, fn: () => void): void {
  describeIf(terraformAvailable() ? undefined : "terraform CLI not found on PATH", name, fn);
}

export interface TerraformRunOptions {
  /** Extra environment, e.g. `TF_VAR_…` values for sensitive variables. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs `terraform -chdir=<dir> <args…>` and returns stdout; throws with Terraform's stderr on failure. */
export function runTerraform(dir: string, args: string[], options: TerraformRunOptions = {}): string {
  // -no-color right after the subcommand: flags after a positional argument are not parsed.
  const [subcommand, ...rest] = args;
  const result = spawnSync("terraform", [`-chdir=${dir}`, subcommand, "-no-color", ...rest], {
    encoding: "utf8",
    env: terraformEnv(options.env),
    timeout: 120_000,
  });
  if (result.error !== undefined) {
    throw new Error(`terraform ${subcommand} could not run: ${result.error.message}`);
  }
  if (result.status !== 0) {
    throw new Error(
      `terraform ${args.join(" ")} failed in ${dir} (exit ${result.status}):\n${result.stderr || result.stdout}`,
    );
  }
  return result.stdout;
}

/**
 * `terraform init` + `apply` in a synthesized stack directory (or any directory with a Terraform
 * configuration) and its outputs as `{ name: value }`. The state stays in `dir` (local backend).
 */
export function applyOffline(dir: string, options: TerraformRunOptions = {}): Record<string, unknown> {
  runTerraform(dir, ["init", "-input=false"], options);
  runTerraform(dir, ["apply", "-auto-approve", "-input=false"], options);
  const outputs = JSON.parse(runTerraform(dir, ["output", "-json"], options)) as Record<
    string,
    { value: unknown }
  >;
  return Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.value]));
}

export interface SynthesizedStack {
  /** The app's output directory (`Testing.app()` makes a temporary one: remove it when done). */
  readonly outdir: string;
  /** The stack's working directory, holding `cdk.tf.json`: pass it to `applyOffline`. */
  readonly stackDir: string;
}

/** Synthesizes the stack's app into its output directory, as `cdktf synth` lays it out. */
export function synthStack(stack: TerraformStack): SynthesizedStack {
  const app = App.of(stack);
  app.synth();
  const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { workingDirectory: string } | undefined>;
  };
  const entry = manifest.stacks[stack.node.id];
  if (entry === undefined) throw new Error(`stack ${stack.node.id} not found in ${app.outdir}/manifest.json`);
  return { outdir: app.outdir, stackDir: path.join(app.outdir, entry.workingDirectory) };
}

/**
 * The value Terraform computes for a synthesized attribute string (e.g. `${jsonencode({…})}`), after replacing
 * references it cannot resolve offline: each `[reference, literal]` pair turns `${…reference…}` occurrences into
 * the literal text. Uses a provider-free configuration with one output.
 */
export function evaluateOffline(
  value: string,
  references: readonly (readonly [RegExp, string])[] = [],
): unknown {
  let expression = value;
  for (const [pattern, literal] of references) expression = expression.replace(pattern, literal);
  const configuration = JSON.stringify({ output: { value: { value: expression } } });
  // The same configuration gives the same value: evaluated once per run (the run's cache directory).
  const runCache = process.env[SYNTH_CACHE_ENV];
  const cached =
    runCache && fs.existsSync(runCache)
      ? path.join(runCache, `tf-evaluate-${createHash("sha256").update(configuration).digest("hex")}.json`)
      : undefined;
  if (cached !== undefined && fs.existsSync(cached)) return JSON.parse(fs.readFileSync(cached, "utf8")).value;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tf-evaluate-"));
  try {
    fs.writeFileSync(path.join(dir, "main.tf.json"), configuration);
    const result = applyOffline(dir).value;
    if (cached !== undefined) {
      fs.writeFileSync(`${cached}.${process.pid}`, JSON.stringify({ value: result }));
      fs.renameSync(`${cached}.${process.pid}`, cached);
    }
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
