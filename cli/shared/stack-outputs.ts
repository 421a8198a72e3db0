/**
 * Reading a deployed stack's outputs from the commands in cli/: `terraform output` in the stack's directory
 * of the cdktf output directory (where `cdktf deploy` initialised its backend), with errors that say what
 * to do about them.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** The --outdir option of the commands that read deployed stacks: the cdktf output directory. */
export const OUTDIR_OPTION = { outdir: { type: "string", default: "cdktf.out" } } as const;

/** The synthesized directory of a stack, which must exist (`npm run synth` and deploy first). */
export function stackDirectory(outdir: string, stack: string): string {
  const stackDir = path.resolve(outdir, "stacks", stack);
  if (!fs.existsSync(stackDir)) {
    throw new Error(`stack directory ${stackDir} not found: run \`npm run synth\` and deploy first`);
  }
  return stackDir;
}

function terraformOutput(stackDir: string, stack: string, args: string[], env: NodeJS.ProcessEnv): string {
  const result = spawnSync("terraform", [`-chdir=${stackDir}`, "output", "-no-color", ...args], {
    encoding: "utf8",
    env: { ...env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.error !== undefined) {
    const missing = (result.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new Error(
      missing ? "terraform CLI not found on PATH" : `could not run terraform: ${result.error.message}`,
    );
  }
  if (result.status !== 0) {
    throw new Error(
      `terraform output ${args.filter((a) => !a.startsWith("-")).join(" ") || "-json"} failed in ${stackDir} (exit ${result.status}):\n` +
        `${(result.stderr || result.stdout).trim()}\n` +
        `Has stack ${stack} been deployed from this checkout (\`npx cdktf deploy ${stack}\`)? ` +
        `Otherwise initialise its backend first: terraform -chdir=${stackDir} init`,
    );
  }
  // A state without outputs (never applied) makes Terraform print a warning on stdout and exit 0.
  if (/^\s*Warning: No outputs found/.test(result.stdout)) {
    throw new Error(
      `stack ${stack} has no outputs in its Terraform state (${stackDir}): deploy it first (npx cdktf deploy ${stack})`,
    );
  }
  return result.stdout;
}

/** One output as raw text (`terraform output -raw NAME`). */
export function readStackOutput(
  stackDir: string,
  stack: string,
  name: string,
  env: NodeJS.ProcessEnv,
): string {
  return terraformOutput(stackDir, stack, ["-raw", name], env);
}

/** All outputs of a stack, name → value (`terraform output -json`), sensitive ones included. */
export function readStackOutputs(
  stackDir: string,
  stack: string,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const parsed = JSON.parse(terraformOutput(stackDir, stack, ["-json"], env)) as Record<
    string,
    { value: unknown }
  >;
  return Object.fromEntries(Object.entries(parsed).map(([name, output]) => [name, output.value]));
}

/** All outputs of a stack synthesized into `outdir` and deployed from there. */
export function deployedStackOutputs(
  outdir: string,
  stack: string,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  return readStackOutputs(stackDirectory(outdir, stack), stack, env);
}

/** Outputs saved with `terraform output -json > FILE` (name → `{ value }`), as name → value. */
export function readStackOutputsFile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`cannot read outputs file ${file}: ${(e as Error).message}`, { cause: e });
  }
  const entries =
    parsed && typeof parsed === "object" && !Array.isArray(parsed) ? Object.entries(parsed) : [];
  if (entries.length === 0 || entries.some(([, o]) => !o || typeof o !== "object" || !("value" in o))) {
    throw new Error(
      `outputs file ${file} is not what \`terraform output -json\` prints ({"name": {"value": …}})`,
    );
  }
  return Object.fromEntries(entries.map(([name, o]) => [name, (o as { value: unknown }).value]));
}
