#!/usr/bin/env node
// Bundles the cdktf app (main.ts with config/, stacks/ and the Lambda contracts it imports, cdktf, constructs,
// zod and the providers' deep-imported resources) into ONE CommonJS file, dist/app/main.js, so a synth runs
// plain JavaScript: no TypeScript transpiler at synth time and no module resolution across node_modules.
// Measured (README "Speed"): the app alone takes about 0.25 s this way against about 0.8 s under tsx, and
// bundling the providers loads faster than leaving node_modules external (one file to read and compile, no
// resolution of thousands of requires).
//
// The config check, cli/validate.ts, is bundled beside it (dist/app/validate.js, without cdktf), for
// `npm run validate`.
//
// Usage: node scripts/build-app.mjs [--if-stale]
//   --if-stale: do nothing when the bundle is newer than every source it was built from (see appSources),
//   package-lock.json, tsconfig.json and this script. The cdktf app command and `npm run synth` do this.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { filesUnder, isFresh, writeAtomically } from "./freshness.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(root, "dist", "app");
/** The app bundle the cdktf app command runs. */
export const APP_BUNDLE = path.join(outdir, "main.js");
/** The bundle of `npm run validate` (cli/validate.ts). */
export const VALIDATE_BUNDLE = path.join(outdir, "validate.js");
/** The entry points, each bundled to dist/app/<its base name>.js. */
const ENTRIES = ["main.ts", "cli/validate.ts"];
/** Project files the last build read (esbuild's metafile), so an import of any new folder counts as a source. */
const INPUTS_FILE = path.join(outdir, "inputs.json");

const isSource = (file) =>
  /\.[cm]?ts$/.test(file) && !/\.test\.ts$/.test(file) && !/(^|\/)test-support\//.test(file);

/** Every file the app bundle depends on, beyond node_modules (which package-lock.json stands for). */
export function appSources() {
  const recorded = existsSync(INPUTS_FILE)
    ? JSON.parse(readFileSync(INPUTS_FILE, "utf8")).map((file) => path.join(root, file))
    : [];
  return [
    ...ENTRIES.map((entry) => path.join(root, entry)),
    path.join(root, "package-lock.json"),
    path.join(root, "tsconfig.json"),
    fileURLToPath(import.meta.url),
    ...filesUnder(path.join(root, "config"), isSource),
    ...filesUnder(path.join(root, "stacks"), isSource),
    ...filesUnder(path.join(root, "lambda-src"), (file) => /(^|\/)(contract|metric-names)\.ts$/.test(file)),
    ...recorded,
  ];
}

/** True when every bundle of dist/app exists and is newer than all of appSources(). */
export function isAppFresh() {
  const sources = appSources();
  return [APP_BUNDLE, VALIDATE_BUNDLE].every((bundle) => isFresh(bundle, sources));
}

/**
 * `__dirname` and `__filename` of the project's own modules, as they are in the source tree: the sources
 * locate files relative to themselves (config/example.json, dist/lambda/…), and in one bundle every module
 * would otherwise get the bundle's directory. Each module gets its directory relative to the bundle, so the
 * checkout can move without a rebuild and no absolute path of this machine lands in the bundle.
 */
const sourceDirname = {
  name: "source-dirname",
  setup(build) {
    build.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
      if (args.path.split(path.sep).includes("node_modules")) return undefined;
      const source = await readFile(args.path, "utf8");
      if (!/\b__(dirname|filename)\b/.test(source)) return undefined;
      const id = `__source_${path.relative(root, args.path).replace(/[^A-Za-z0-9]/g, "_")}`;
      // esbuild's define rewrites only identifiers in code, never strings or comments.
      const { transform } = await import("esbuild");
      const { code } = await transform(source, {
        loader: "ts",
        sourcefile: args.path,
        tsconfigRaw: readFileSync(path.join(root, "tsconfig.json"), "utf8"),
        define: { __dirname: `${id}_dirname`, __filename: `${id}_filename` },
      });
      const relative = (file) => JSON.stringify(path.relative(outdir, file).split(path.sep).join("/"));
      const prelude =
        `const ${id}_dirname = require("node:path").join(__dirname, ${relative(path.dirname(args.path))});\n` +
        `const ${id}_filename = require("node:path").join(__dirname, ${relative(args.path)});\n`;
      return { contents: prelude + code, loader: "js" };
    });
  },
};

/** esbuild options of the app bundle (the bench builds a variant with node_modules external). */
export function appBuildOptions() {
  return {
    absWorkingDir: root,
    entryPoints: ENTRIES,
    outdir,
    entryNames: "[name]",
    write: false,
    metafile: true,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    // ES modules first: some packages' CommonJS builds are UMD wrappers whose require() calls esbuild cannot
    // follow (jsonc-parser's lib/umd requires './impl/format' dynamically).
    mainFields: ["module", "main"],
    // Not minified: it loads no faster (measured), and readable stack traces help when a synth fails.
    minify: false,
    sourcemap: false,
    legalComments: "none",
    charset: "utf8",
    logLevel: "warning",
    plugins: [sourceDirname],
  };
}

/** Builds the bundles of dist/app, each replaced atomically (a concurrent synth runs the old or the new one). */
export async function buildApp({ quiet = false } = {}) {
  const started = performance.now();
  const { build } = await import("esbuild");
  const result = await build(appBuildOptions());
  mkdirSync(outdir, { recursive: true });
  const inputs = Object.keys(result.metafile.inputs).filter(
    (file) => !file.split("/").includes("node_modules"),
  );
  // Inputs first: the bundle must end up newer than the record it is checked against.
  writeAtomically(INPUTS_FILE, JSON.stringify(inputs.sort(), null, 2) + "\n");
  for (const output of result.outputFiles) writeAtomically(output.path, output.contents);
  // Code caches of the previous bundle (scripts/app.mjs) would only be rejected.
  for (const file of readdirSync(outdir))
    if (file.endsWith(".v8-cache")) rmSync(path.join(outdir, file), { force: true });
  if (!quiet) {
    const sizes = result.outputFiles.map(
      (output) => `${path.relative(root, output.path)} ${(output.contents.length / 1024).toFixed(0)} KiB`,
    );
    const ms = Math.round(performance.now() - started);
    process.stdout.write(`build-app: ${sizes.join(", ")} in ${ms} ms\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!(process.argv.includes("--if-stale") && isAppFresh())) await buildApp();
}
