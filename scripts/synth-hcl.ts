/**
 * `npm run synth:hcl [-- --output DIR]`: `cdktf synth --hcl`, then repairs what cdktf 0.21's HCL renderer gets
 * wrong, so the HCL is a working exit path from cdktf: it writes precondition/postcondition blocks as list
 * attributes (`postcondition = [{ … }]`), which Terraform rejects ("Did you mean to define a block?").
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

const CONDITION_LIST = /^(\s*)(precondition|postcondition) = \[$/;

/** Rewrites cdktf's `precondition = [ { … }, ]` lists as one `precondition { … }` block per item. */
export function conditionListsToBlocks(hcl: string): string {
  const lines = hcl.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const list = CONDITION_LIST.exec(lines[i]);
    if (list === null) {
      out.push(lines[i]);
      continue;
    }
    const [, indent, name] = list;
    for (i++; lines[i] !== `${indent}]`; i++) {
      if (i >= lines.length) throw new Error(`unterminated ${name} list in the synthesized HCL`);
      if (lines[i] === `${indent}  {`) out.push(`${indent}${name} {`);
      else if (lines[i] === `${indent}  },`) out.push(`${indent}}`);
      else out.push(lines[i].replace(/^ {2}/, ""));
    }
  }
  return out.join("\n");
}

function main(args: string[]): number {
  const cli = path.join(__dirname, "..", "node_modules", "cdktf-cli", "bundle", "bin", "cdktf");
  const synth = spawnSync(process.execPath, [cli, "synth", "--hcl", ...args], {
    stdio: "inherit",
    env: { ...process.env, CHECKPOINT_DISABLE: "1" },
  });
  if (synth.status !== 0) return synth.status ?? 1;
  const flag = args.findIndex((a) => a === "--output" || a === "-o");
  const outdir = path.resolve(flag >= 0 ? args[flag + 1] : "cdktf.out");
  const stacksDir = path.join(outdir, "stacks");
  for (const stack of existsSync(stacksDir) ? readdirSync(stacksDir) : []) {
    const file = path.join(stacksDir, stack, "cdk.tf");
    if (existsSync(file)) writeFileSync(file, conditionListsToBlocks(readFileSync(file, "utf8")));
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
