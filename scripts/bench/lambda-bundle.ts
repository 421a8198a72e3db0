/**
 * Bench scenario "bundle": the JIT Lambda bundle's size, gzip and cold `require` against a naive bundle of the
 * same handler (`esbuild --bundle --platform=node`, no other option), the effect of each bundle option, and
 * the cold start a signing-in person waits for (cold-start.ts).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { build, type BuildOptions } from "esbuild";
import { BUNDLE_PATH } from "../../__tests__/lambda/bundle-harness";
import { coldStarts, LAMBDA_ENV } from "./cold-start";
import { bundleChoices, figure, interleaved, ROOT, scratch } from "./measure";

function coldRequire(file: string): number {
  const code = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const run = spawnSync(process.execPath, ["-e", code], { env: LAMBDA_ENV, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`require(${file}) failed:\n${run.stderr}`);
  return Number(run.stdout);
}

async function bundleVariant(name: string, options: BuildOptions): Promise<string> {
  const outfile = path.join(scratch, "bundles", name, "index.js");
  await build({ ...options, outfile, write: true, logLevel: "warning" });
  return outfile;
}

export async function lambdaBundle(): Promise<void> {
  // The real build (scripts/build-lambda.mjs), and the same handler built naively and with each option added.
  spawnSync(process.execPath, ["scripts/build-lambda.mjs"], { cwd: ROOT, stdio: "ignore" });
  const lambda = (await import(path.join(ROOT, "scripts", "build-lambda.mjs"))) as {
    lambdaBuildOptions(fn: string): BuildOptions;
  };
  const ours = lambda.lambdaBuildOptions("pre-token-generation");
  const entry = { absWorkingDir: ROOT, entryPoints: ours.entryPoints };
  const plugins = (...names: string[]) =>
    (ours.plugins ?? []).filter((plugin) => names.includes(plugin.name));
  const steps: Array<[string, BuildOptions]> = [
    ["naive: `esbuild --bundle --platform=node`", { ...entry, bundle: true, platform: "node" }],
    [
      "+ `target: node22`, `format: cjs`",
      { ...entry, bundle: true, platform: "node", target: "node22", format: "cjs" },
    ],
    [
      "+ `mainFields: module, main` (ES modules first)",
      {
        ...entry,
        bundle: true,
        platform: "node",
        target: "node22",
        format: "cjs",
        mainFields: ["module", "main"],
      },
    ],
    ["+ `minify`, `legalComments: none`", { ...ours, plugins: [], write: true }],
    ["+ environment-only credentials", { ...ours, plugins: plugins("env-credentials"), write: true }],
    [
      "+ unused parts left out (event streams, semver but `gte`, package.json but name/version) = `npm run build:lambda`",
      { ...ours, write: true },
    ],
    ["(rejected) + `keepNames`", { ...ours, write: true, keepNames: true }],
  ];
  const BUILT_STEP = 5;
  const files: string[] = [];
  for (const [index, [, options]] of steps.entries())
    files.push(await bundleVariant(`step-${index}`, options));
  const naive = files[0];
  const built = BUNDLE_PATH;
  if (!readFileSync(files[BUILT_STEP]).equals(readFileSync(built))) {
    throw new Error(
      "the bench's copy of the build options no longer gives the bytes of npm run build:lambda",
    );
  }
  const cold = interleaved(
    21,
    files.map((file) => () => coldRequire(file)),
  );
  steps.forEach(([choice], index) => {
    const bytes = readFileSync(files[index]);
    bundleChoices.push({
      choice,
      sizeKiB: bytes.length / 1024,
      gzipKiB: gzipSync(bytes).length / 1024,
      coldRequireMs: cold[index],
    });
  });
  const size = statSync(built).size;
  figure(
    "Lambda bundle",
    { label: "JIT bundle size", value: size / 1024, unit: "KiB" },
    { label: "naive bundle", value: statSync(naive).size / 1024, unit: "KiB" },
    { text: "≤ 400 KB (390.6 KiB)", met: size <= 400_000 },
  );
  figure(
    "Lambda bundle",
    { label: "JIT bundle gzip", value: gzipSync(readFileSync(built)).length / 1024, unit: "KiB" },
    { label: "naive bundle", value: gzipSync(readFileSync(naive)).length / 1024, unit: "KiB" },
  );
  figure(
    "Lambda bundle",
    {
      label: "cold `require` (fresh process, Lambda-like env, tracing on)",
      value: cold[BUILT_STEP],
      unit: "ms",
    },
    { label: "naive bundle", value: cold[0], unit: "ms" },
    { text: "≤ 0.8×", met: cold[BUILT_STEP] <= 0.8 * cold[0] },
  );
  // What a person signing in waits for: the module load and the first call (issue 21: at most half the naive).
  const [start, naiveStart] = await coldStarts([built, naive], 11);
  figure(
    "Lambda bundle",
    {
      label: "cold start: load + first call for a known person (median of 11 fresh processes, tracing on)",
      value: start,
      unit: "ms",
    },
    { label: "naive bundle", value: naiveStart, unit: "ms" },
    { text: "≤ 0.5×", met: start <= 0.5 * naiveStart },
  );
}
