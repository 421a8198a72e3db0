#!/usr/bin/env node
// Bundles every Lambda function, lambda-src/<fn>/index.ts (not shared/ or test-support/), into ONE minified
// CommonJS file exporting `handler`:
//   dist/lambda/<fn>/index.js
// Each such directory is zipped as that function's package, so it holds index.js and nothing else.
// The AWS SDK clients and Powertools are bundled (pinned versions, no reliance on the runtime's copy).
// The output is deterministic: the same sources give the same bytes (no timestamps, no absolute paths).
//
// Usage: node scripts/build-lambda.mjs [--outdir <dir>] [--if-stale]
//   --outdir: write <dir>/<fn>/index.js instead (the directory must be empty or not exist);
//   --if-stale: build only the bundles older than lambda-src, package-lock.json or this script
//   (the cdktf app command does this, so `cdktf synth/diff/deploy` never ship a stale bundle).
//
// Size and cold start (measured by `npm run bench`, README "Speed"):
//   mainFields module-first: the SDK's and Powertools' ES modules tree-shake far better than their CJS builds;
//   minify: about half the bytes, and bytes are what a cold start parses;
//   envCredentials: in Lambda the execution role's credentials are always in the environment, so the SDK's
//     default credential chain (SSO, INI files, process, web identity, IMDS and the nested STS/SSO clients
//     it needs: about a third of the bundle) is replaced by its environment step alone;
//   legalComments none: the bundled packages carry no license comments, only coverage pragmas;
//   no keepNames: nothing here depends on function or class names (errors carry an explicit `name`).
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { filesUnder, isFresh, writeAtomically } from "./freshness.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const sourceDir = path.join(root, "lambda-src");
/** Where `npm run build:lambda` writes, and where the stacks read the packages from. */
export const LAMBDA_OUTDIR = path.join(root, "dist", "lambda");
/** Folders of lambda-src that are not functions. */
const NOT_FUNCTIONS = new Set(["shared", "test-support"]);

/** The functions to build: every lambda-src/<fn>/ with an index.ts. */
export function lambdaFunctions() {
  return readdirSync(sourceDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !NOT_FUNCTIONS.has(entry.name))
    .filter((entry) => existsSync(path.join(sourceDir, entry.name, "index.ts")))
    .map((entry) => entry.name)
    .sort();
}

/** Everything a bundle may be built from (functions may share code, so any of it counts for each). */
function lambdaSources() {
  return [
    path.join(root, "package-lock.json"),
    path.join(root, "tsconfig.json"),
    fileURLToPath(import.meta.url),
    ...filesUnder(sourceDir, (file) => /\.[cm]?[jt]s$|\.json$/.test(file) && !/\.test\.ts$/.test(file)),
  ];
}

/** The functions whose bundle in `outdir` is missing or older than its sources. */
export function staleLambdas(outdir = LAMBDA_OUTDIR) {
  const sources = lambdaSources();
  return lambdaFunctions().filter((fn) => !isFresh(path.join(outdir, fn, "index.js"), sources));
}

/**
 * The SDK's default credential provider reduced to its first step, environment variables: the Lambda
 * runtime sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from the execution role
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 * The SDK's environment step is resolved from its own credential-provider-node, so it is exactly the version
 * the SDK would have used.
 */
const envCredentials = {
  name: "env-credentials",
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, async (args) => {
      if (args.pluginData === "env-credentials") return undefined;
      const real = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: "env-credentials",
      });
      if (real.errors.length > 0) return { errors: real.errors };
      return {
        path: "@aws-sdk/credential-provider-node (environment only)",
        namespace: "env-credentials",
        pluginData: path.dirname(real.path),
      };
    });
    build.onLoad({ filter: /.*/, namespace: "env-credentials" }, (args) => ({
      contents: 'export { fromEnv as defaultProvider } from "@aws-sdk/credential-provider-env";\n',
      resolveDir: args.pluginData,
      loader: "js",
    }));
  },
};

/**
 * Parts of packages that no function here can use, replaced by what is used (each measured in README "Speed"):
 *  - `@smithy/core/event-streams`, imported lazily by the SDK's protocols only for operations that stream
 *    events: none of the Identity Store, Cognito or STS operations the functions call do. Its stub fails
 *    clearly if one ever did.
 *  - `semver`: the X-Ray SDK calls only `semver.gte`, in its AWS SDK v2 patcher; the real `gte` is kept.
 *  - bundled `package.json` files: the SDK clients read only `version` (user agent), X-Ray `name` and `version`.
 */
const xrayFile = /[\\/]node_modules[\\/]aws-xray-sdk-core[\\/]/;
const packageJsonOfReader =
  /[\\/]node_modules[\\/](@aws-sdk[\\/]client-[^\\/]+|aws-xray-sdk-core)[\\/]package\.json$/;
const unusedParts = {
  name: "unused-parts",
  setup(build) {
    build.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, (args) => ({
      path: args.path,
      namespace: "unused-parts",
    }));
    build.onLoad({ filter: /^@smithy\/core\/event-streams$/, namespace: "unused-parts" }, () => ({
      contents:
        'throw new Error("@smithy/core/event-streams is not bundled (scripts/build-lambda.mjs): no operation of this function streams events");\n',
      loader: "js",
    }));
    build.onResolve({ filter: /^semver$/ }, (args) =>
      xrayFile.test(args.importer)
        ? { path: "semver (gte only)", namespace: "unused-parts", pluginData: args.resolveDir }
        : undefined,
    );
    build.onLoad({ filter: /^semver \(gte only\)$/, namespace: "unused-parts" }, (args) => ({
      contents: 'module.exports = { gte: require("semver/functions/gte") };\n',
      resolveDir: args.pluginData,
      loader: "js",
    }));
    build.onLoad({ filter: packageJsonOfReader }, async (args) => {
      const { name, version } = JSON.parse(await readFile(args.path, "utf8"));
      return { contents: JSON.stringify({ name, version }), loader: "json" };
    });
  },
};

/** esbuild options of one function's bundle (the bench builds variants of these). */
export function lambdaBuildOptions(fn) {
  return {
    absWorkingDir: root,
    entryPoints: [`lambda-src/${fn}/index.ts`],
    outfile: path.join(LAMBDA_OUTDIR, fn, "index.js"),
    write: false,
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    mainFields: ["module", "main"],
    minify: true,
    sourcemap: false,
    legalComments: "none",
    charset: "utf8",
    logLevel: "warning",
    plugins: [envCredentials, unusedParts],
  };
}

/**
 * Builds `functions` into `<outdir>/<fn>/index.js`. Each file is replaced atomically, so a synth or test
 * running at the same time reads either the old or the new bundle, never half of one.
 */
export async function buildLambdas({
  outdir = LAMBDA_OUTDIR,
  functions = lambdaFunctions(),
  quiet = false,
} = {}) {
  const { build } = await import("esbuild");
  for (const fn of functions) {
    const started = performance.now();
    const result = await build(lambdaBuildOptions(fn));
    const [output, ...extra] = result.outputFiles;
    if (extra.length > 0)
      throw new Error(`build-lambda: ${fn}: expected one output file, got ${1 + extra.length}`);
    const dir = path.join(outdir, fn);
    mkdirSync(dir, { recursive: true });
    const outfile = path.join(dir, "index.js");
    writeAtomically(outfile, output.contents, outdir);
    // The directory is the package: nothing but index.js in it.
    for (const other of readdirSync(dir))
      if (other !== "index.js") rmSync(path.join(dir, other), { recursive: true });
    if (!quiet) {
      const kib = (statSync(outfile).size / 1024).toFixed(1);
      const ms = Math.round(performance.now() - started);
      process.stdout.write(
        `build-lambda: ${path.relative(root, outfile) || outfile} ${kib} KiB in ${ms} ms\n`,
      );
    }
  }
}

async function main(args) {
  const flag = args.indexOf("--outdir");
  if (flag >= 0) {
    const outdir = path.resolve(args[flag + 1] ?? "");
    // Never write into (or clean) a directory we do not own.
    if (existsSync(outdir) && readdirSync(outdir).length > 0) {
      process.stderr.write(`build-lambda: --outdir ${outdir} must be empty or not exist\n`);
      return 1;
    }
    mkdirSync(outdir, { recursive: true });
    await buildLambdas({ outdir });
    return 0;
  }
  const functions = args.includes("--if-stale") ? staleLambdas() : lambdaFunctions();
  if (functions.length > 0) await buildLambdas({ functions });
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
