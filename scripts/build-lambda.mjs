#!/usr/bin/env node
// Bundles the Pre Token Generation Lambda into ONE minified CommonJS file exporting `handler`:
//   dist/lambda/pre-token-generation/index.js
// That directory is zipped as the Lambda package, so it holds index.js and nothing else.
// The AWS SDK client and Powertools are bundled (pinned versions, no reliance on the runtime's copy).
// The output is deterministic: the same sources give the same bytes (no timestamps, no absolute paths).
//
// Usage: node scripts/build-lambda.mjs [--outdir <dir>] [--if-stale]
//   --if-stale: do nothing when the bundle is newer than its sources, package-lock.json and this script
//   (the cdktf app command uses it, so `cdktf synth/diff/deploy` never ship a stale bundle).
import { build } from "esbuild";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const defaultOutdir = path.join(root, "dist", "lambda", "pre-token-generation");
const outdirFlag = process.argv.indexOf("--outdir");
const outdir = outdirFlag >= 0 ? path.resolve(process.argv[outdirFlag + 1] ?? "") : defaultOutdir;
const outfile = path.join(outdir, "index.js");

if (process.argv.includes("--if-stale") && isFresh(outfile)) process.exit(0);

/** True when `file` exists and is newer than everything the bundle is built from. */
function isFresh(file) {
  if (!existsSync(file)) return false;
  const built = statSync(file).mtimeMs;
  const sources = [
    path.join(root, "package-lock.json"),
    fileURLToPath(import.meta.url),
    ...readdirSync(path.join(root, "lambda-src"), { recursive: true })
      .map((f) => path.join(root, "lambda-src", f))
      .filter((f) => /\.ts$/.test(f) && !/\.test\.ts$/.test(f)),
  ];
  return sources.every((f) => !existsSync(f) || statSync(f).mtimeMs <= built);
}

const started = performance.now();
if (outdir === defaultOutdir) {
  rmSync(outdir, { recursive: true, force: true });
} else if (existsSync(outdir) && readdirSync(outdir).length > 0) {
  // Never delete a directory we do not own.
  process.stderr.write(`build-lambda: --outdir ${outdir} must be empty or not exist\n`);
  process.exit(1);
}
mkdirSync(outdir, { recursive: true });
const buildOptions = {
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  // Prefer the SDK's ES modules: smaller bundle (better tree shaking) and a faster cold start.
  mainFields: ["module", "main"],
  minify: true,
  sourcemap: false,
  legalComments: "none",
  charset: "utf8",
  logLevel: "warning",
};
const result = await build({
  ...buildOptions,
  entryPoints: ["lambda-src/pre-token-generation/index.ts"],
  outfile,
});
if (result.errors.length > 0) process.exit(1);

// The deprovisioning Lambda, same settings, into its own package directory (only with the default outdir).
if (outdir === defaultOutdir) {
  const deprovisioningDir = path.join(root, "dist", "lambda", "deprovisioning");
  rmSync(deprovisioningDir, { recursive: true, force: true });
  const deprovisioning = await build({
    ...buildOptions,
    entryPoints: ["lambda-src/deprovisioning/index.ts"],
    outfile: path.join(deprovisioningDir, "index.js"),
  });
  if (deprovisioning.errors.length > 0) process.exit(1);
}

const files = readdirSync(outdir);
if (files.length !== 1 || files[0] !== "index.js") {
  process.stderr.write(`build-lambda: expected only index.js in ${outdir}, found: ${files.join(", ")}\n`);
  process.exit(1);
}
const kib = (statSync(outfile).size / 1024).toFixed(1);
const ms = Math.round(performance.now() - started);
process.stdout.write(`build-lambda: ${path.relative(root, outfile) || outfile} ${kib} KiB in ${ms} ms\n`);
