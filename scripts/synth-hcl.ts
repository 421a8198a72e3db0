/**
 * `npm run synth:hcl [-- --output DIR] [--env ENV]`: the stacks as plain Terraform HCL in their own folder (default
 * `cdktf.out.hcl/`, never beside the JSON of `npm run synth`), written the way a person would write them, so
 * the HCL is a working exit path from cdktf and reads well in a review:
 *
 * - cdktf 0.21's HCL renderer writes precondition/postcondition blocks as list attributes
 *   (`postcondition = [{ … }]`), which Terraform rejects ("Did you mean to define a block?"): each becomes
 *   a block;
 * - a string that is one interpolation (`"${aws_iam_role.x.arn}"`) becomes the bare expression, as
 *   `terraform fmt` writes it (Terraform returns such a template's value unconverted, so nothing changes);
 * - `depends_on`, `ignore_changes` and `provider` hold quoted references, which Terraform deprecates: they
 *   become bare references.
 *
 * The app runs in cdktf's in-process HCL mode (SYNTH_HCL_OUTPUT, no cdktf CLI); the HCL is laid out by
 * hclwrite's formatter (`@cdktf/hcl-tools`, what the cdktf CLI uses) before the rewrites above.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { format } from "@cdktf/hcl-tools";
import { commandConfig } from "../cli/shared/command";

const ROOT = path.join(__dirname, "..");
export const DEFAULT_HCL_OUTDIR = "cdktf.out.hcl";

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

interface QuotedString {
  /** Index of the closing quote. */
  readonly end: number;
  /** The expression when the string is exactly one `${…}` interpolation, else undefined. */
  readonly expression?: string;
}

/** Scans the quoted template string whose opening quote is at `start`. */
function scanString(text: string, start: number): QuotedString {
  let i = start + 1;
  let interpolations = 0;
  let other = false;
  let expression: string | undefined;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') return { end: i, expression: interpolations === 1 && !other ? expression : undefined };
    if (c === "\n") break;
    if (c === "\\") {
      other = true;
      i += 2;
    } else if (text.startsWith("$${", i) || text.startsWith("%%{", i)) {
      other = true;
      i += 3;
    } else if (text.startsWith("${", i) || text.startsWith("%{", i)) {
      const close = scanExpression(text, i + 2);
      if (text[i] === "$") {
        interpolations++;
        // Strip markers (`${~ x ~}`) trim literal text around them: there is none here.
        expression = text
          .slice(i + 2, close)
          .replace(/^~/, "")
          .replace(/~$/, "");
      } else {
        other = true;
      }
      i = close + 1;
    } else {
      other = true;
      i++;
    }
  }
  throw new Error(`unterminated string in the synthesized HCL at offset ${start}`);
}

/** Index of the `}` that closes an interpolation whose expression starts at `start`. */
function scanExpression(text: string, start: number): number {
  let depth = 1;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') i = scanString(text, i).end;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  throw new Error(`unterminated interpolation in the synthesized HCL at offset ${start}`);
}

const HEREDOC = /^<<-?([A-Za-z_][\w-]*)\n/;
const QUOTED_REFERENCE = /^"((?:data\.)?[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*|module\.[A-Za-z_][\w-]*)",?$/;
/** An `ignore_changes` entry as cdktf quotes it: an attribute path such as `provider_details[\"token_url\"]`. */
const QUOTED_ATTRIBUTE_PATH = /^"([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\]|\[\\"[^"\\]*\\"\])*)",?$/;
/** A resource's `provider` meta-argument as cdktf quotes it (`provider = "aws.cognito"`). */
const QUOTED_PROVIDER = /^( {2}provider += )"([A-Za-z_][\w-]*\.[A-Za-z_][\w-]*)"$/;

/**
 * HCL as `terraform fmt` and a reviewer want it: one-interpolation strings as bare expressions (object keys
 * excepted: a bare key would be a literal name) and `depends_on` entries as bare references. Heredocs,
 * comments and every other string are kept byte for byte.
 */
export function idiomaticHcl(hcl: string): string {
  let out = "";
  let i = 0;
  let inDependsOn = false;
  let inIgnoreChanges = false;
  while (i < hcl.length) {
    const c = hcl[i];
    const lineStart = i === 0 || hcl[i - 1] === "\n";
    if (lineStart) {
      const line = hcl.slice(i, hcl.indexOf("\n", i) === -1 ? hcl.length : hcl.indexOf("\n", i));
      const provider = QUOTED_PROVIDER.exec(line);
      if (/^\s*depends_on = \[$/.test(line)) inDependsOn = true;
      else if (/^\s*ignore_changes = \[$/.test(line)) inIgnoreChanges = true;
      else if ((inDependsOn || inIgnoreChanges) && /^\s*\]$/.test(line))
        inDependsOn = inIgnoreChanges = false;
      else if (inDependsOn || inIgnoreChanges) {
        const indent = /^\s*/.exec(line)![0];
        const ref = (inDependsOn ? QUOTED_REFERENCE : QUOTED_ATTRIBUTE_PATH).exec(line.trim());
        if (ref !== null) {
          out += `${indent}${ref[1]!.replace(/\\"/g, '"')}${line.trim().endsWith(",") ? "," : ""}`;
          i += line.length;
          continue;
        }
      } else if (provider !== null) {
        // Terraform deprecates quoted references in meta-arguments ("Quoted references are deprecated").
        out += `${provider[1]}${provider[2]}`;
        i += line.length;
        continue;
      }
    }
    if (c === "#" || hcl.startsWith("//", i)) {
      const end = hcl.indexOf("\n", i);
      const stop = end === -1 ? hcl.length : end;
      out += hcl.slice(i, stop);
      i = stop;
    } else if (hcl.startsWith("/*", i)) {
      const stop = hcl.indexOf("*/", i) + 2;
      out += hcl.slice(i, stop);
      i = stop;
    } else if (hcl.startsWith("<<", i) && HEREDOC.test(hcl.slice(i))) {
      const marker = HEREDOC.exec(hcl.slice(i))![1];
      const close = new RegExp(`\\n\\s*${marker}(?=\\n|$)`).exec(hcl.slice(i));
      if (close === null) throw new Error(`unterminated heredoc ${marker} in the synthesized HCL`);
      const stop = i + close.index + close[0].length;
      out += hcl.slice(i, stop);
      i = stop;
    } else if (c === '"') {
      const s = scanString(hcl, i);
      const isKey = /^\s*(?:=(?!=)|:)/.test(hcl.slice(s.end + 1, s.end + 40));
      out += s.expression !== undefined && !isKey ? s.expression.trim() : hcl.slice(i, s.end + 1);
      i = s.end + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The whole repair of one stack's `cdk.tf`, as the app writes it in HCL mode (unformatted). */
export async function repairHcl(hcl: string): Promise<string> {
  return idiomaticHcl(conditionListsToBlocks(await format(hcl)));
}

async function main(args: string[]): Promise<number> {
  let values: { output?: string; env?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { output: { type: "string", short: "o" }, env: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch {
    values = { output: "" };
  }
  if (values.output === "" || values.env === "") {
    console.error("usage: npm run synth:hcl [-- --output DIR] [--env ENV]");
    return 2;
  }
  // The config is BRIDGE_CONFIG (default config/example.json), and --env must be its environment.
  commandConfig(process.env, values.env);
  const outdir = path.resolve(values.output ?? DEFAULT_HCL_OUTDIR);
  const env = { ...process.env, CHECKPOINT_DISABLE: "1" };
  const build = spawnSync(process.execPath, [path.join(ROOT, "scripts", "build-lambda.mjs"), "--if-stale"], {
    stdio: "inherit",
    env,
  });
  if (build.status !== 0) return build.status ?? 1;
  // A fresh output: no stack of an earlier run (or of a JSON synth) stays behind.
  rmSync(path.join(outdir, "stacks"), { recursive: true, force: true });
  rmSync(path.join(outdir, "manifest.json"), { force: true });
  const tsx = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  const synth = spawnSync(process.execPath, [tsx, path.join(ROOT, "main.ts")], {
    stdio: "inherit",
    env: { ...env, SYNTH_HCL_OUTPUT: "true", CDKTF_OUTDIR: outdir },
  });
  if (synth.status !== 0) return synth.status ?? 1;
  const stacksDir = path.join(outdir, "stacks");
  const stacks = existsSync(stacksDir) ? readdirSync(stacksDir).sort() : [];
  for (const stack of stacks) {
    const file = path.join(stacksDir, stack, "cdk.tf");
    writeFileSync(file, await repairHcl(readFileSync(file, "utf8")));
  }
  console.log(`Wrote HCL for ${stacks.join(", ")} into ${path.relative(process.cwd(), outdir) || "."}`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: Error) => {
      console.error(e.name === "ConfigError" ? e.message : `synth:hcl: ${e.message}`);
      process.exitCode = 1;
    },
  );
}
