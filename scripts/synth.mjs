#!/usr/bin/env node
// `npm run synth [-- --output DIR]`: what `cdktf synth` does, without the cdktf CLI (whose own start-up is
// about 4 s of the 5 s such a synth takes). Replicates cdktf-cli 0.21 (@cdktf/cli-core SynthStack.synth and
// the synth command), so cdktf.out is byte for byte what `cdktf synth` writes (__tests__/synth-fast-path):
//   - output directory: --output/-o, else cdktf.json "output", else cdktf.out (relative to the working directory);
//   - the app's environment: TF_VAR_* removed (Terraform variables are for plan/apply only), NODE_ENV
//     defaulting to production, CDKTF_OUTDIR, CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS (errors are reported
//     here, after the stacks are written), CDKTF_CONTEXT_JSON (cdktf.json "context", else the caller's, plus
//     cdktfRelativeModules) and SYNTH_HCL_OUTPUT=false;
//   - after the app: the manifest must exist, stack folders no longer in it are removed, annotations are
//     printed, and any error annotation fails the synth.
// Not replicated, as they do not change the output: the CLI's version and telemetry checks, its
// NODE_OPTIONS=--max-old-space-size=4096 for the app (the app runs in this process) and TF_PLUGIN_CACHE_DIR.
// `npm run synth:hcl` still goes through the CLI (it also formats HCL with the CLI's bundled formatter).
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { runApp } from "./app.mjs";

const ANNOTATION_LEVELS = { "@cdktf/info": "INFO", "@cdktf/warn": "WARN", "@cdktf/error": "ERROR" };

/** The output directory from the arguments, as the CLI's --output/-o option takes it. */
export function parseArgs(args) {
  let output;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const inline = /^(?:--output|-o)=(.*)$/.exec(arg);
    if (inline) output = inline[1];
    else if (arg === "--output" || arg === "-o") {
      output = args[++i];
      if (output === undefined || output === "") throw new Error(`${arg} needs a directory`);
    } else {
      throw new Error(`unknown argument ${JSON.stringify(arg)} (expected --output DIR)`);
    }
  }
  return { output };
}

/** The environment the cdktf CLI gives the app command. */
export function appEnvironment(env, cdktfJson, outdir) {
  const result = Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith("TF_VAR_")));
  result.NODE_ENV = env.NODE_ENV || "production";
  // The CLI replaces the caller's context with cdktf.json's whenever that has one (even {}).
  const context = cdktfJson.context
    ? cdktfJson.context
    : env.CDKTF_CONTEXT_JSON
      ? JSON.parse(env.CDKTF_CONTEXT_JSON)
      : {};
  const relativeModules = (cdktfJson.terraformModules ?? []).filter((module) => {
    const source = typeof module === "string" ? module : module.source;
    return source.startsWith("./") || source.startsWith("../");
  });
  return {
    ...result,
    CDKTF_OUTDIR: outdir,
    CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true",
    CDKTF_CONTEXT_JSON: JSON.stringify({ ...context, cdktfRelativeModules: relativeModules }),
    SYNTH_HCL_OUTPUT: "false",
  };
}

/** The CLI's printout of the stacks' annotations; any ERROR fails the synth. */
export function annotationReport(stacks) {
  const lines = [];
  let failed = false;
  for (const stack of stacks) {
    for (const annotation of stack.annotations ?? []) {
      const level = ANNOTATION_LEVELS[annotation.level] ?? annotation.level;
      lines.push(`${level} [${annotation.constructPath}]: ${annotation.message}`);
      if (level === "ERROR") {
        failed = true;
        if (annotation.stacktrace) lines.push(...annotation.stacktrace);
      }
    }
  }
  return { lines, failed };
}

function stackDirectories(outdir) {
  const dir = path.join(outdir, "stacks");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => path.join(dir, name))
    .filter((entry) => lstatSync(entry).isDirectory());
}

async function main(args) {
  let output;
  try {
    ({ output } = parseArgs(args));
  } catch (error) {
    process.stderr.write(`synth: ${error.message}\n`);
    return 1;
  }
  const cdktfJsonFile = path.join(process.cwd(), "cdktf.json");
  const cdktfJson = existsSync(cdktfJsonFile) ? JSON.parse(readFileSync(cdktfJsonFile, "utf8")) : {};
  const outdir = output ?? cdktfJson.output ?? "cdktf.out";
  const existing = stackDirectories(outdir);

  const env = appEnvironment(process.env, cdktfJson, outdir);
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
  // The app reports its own errors (a bad config names every problem) and exits non-zero.
  await runApp();

  const manifestFile = path.join(outdir, "manifest.json");
  if (!existsSync(manifestFile)) {
    process.stderr.write(`synth: the app did not call synth(): ${manifestFile} was not written\n`);
    return 1;
  }
  const stacks = Object.values(JSON.parse(readFileSync(manifestFile, "utf8")).stacks);
  const names = stacks.map((stack) => stack.name);
  for (const dir of existing) if (!names.includes(path.basename(dir))) rmSync(dir, { recursive: true });

  const report = annotationReport(stacks);
  if (report.lines.length > 0) process.stdout.write(`${report.lines.join("\n")}\n`);
  if (names.length === 0) process.stderr.write("synth: no Terraform code synthesized\n");
  if (report.failed) {
    process.stderr.write("synth: error annotations were encountered (see above)\n");
    return 1;
  }
  process.stdout.write(`Generated Terraform code for the stacks: ${names.join(", ")}\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
