/**
 * The Lambda packages produced by `npm run build:lambda`: for every lambda-src/<fn>/index.ts one deterministic,
 * self-contained, minified CommonJS file exporting `handler`, dist/lambda/<fn>/index.js.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, utimesSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { tempDir } from "../helpers/temp-dirs";
import { assertBundleBuilt, BUNDLE_PATH } from "./bundle-harness";

const ROOT = path.resolve(__dirname, "../..");
const BUILD_SCRIPT = path.join(ROOT, "scripts/build-lambda.mjs");
const LAMBDA_DIR = path.join(ROOT, "dist", "lambda");
/** Every deployed function: a folder of lambda-src with an index.ts (shared code and test support are not). */
const FUNCTIONS = readdirSync(path.join(ROOT, "lambda-src")).filter(
  (name) =>
    !["shared", "test-support"].includes(name) && existsSync(path.join(ROOT, "lambda-src", name, "index.ts")),
);

/** Runs an ES module snippet that imports the build script (it is .mjs, outside Jest's transform). */
function withBuildScript(code: string): string {
  return execFileSync(
    process.execPath,
    ["--input-type=module", "-e", `import * as lambda from ${JSON.stringify(BUILD_SCRIPT)};\n${code}`],
    { cwd: ROOT, encoding: "utf8" },
  );
}

describe("Lambda bundles", () => {
  beforeAll(() => assertBundleBuilt());

  it("exist for every function, each the only file in its package directory", () => {
    expect(FUNCTIONS).toContain("pre-token-generation");
    for (const fn of FUNCTIONS)
      expect({ fn, files: readdirSync(path.join(LAMBDA_DIR, fn)) }).toEqual({ fn, files: ["index.js"] });
  });

  it.each(FUNCTIONS)("%s: exports its handler function", (fn) => {
    const exported = execFileSync(
      process.execPath,
      [
        "-e",
        `process.stdout.write(typeof require(${JSON.stringify(path.join(LAMBDA_DIR, fn, "index.js"))}).handler)`,
      ],
      {
        encoding: "utf8",
        env: {
          ...process.env,
          IDENTITY_STORE_ID: "d-1234567890",
          IDENTITY_STORE_REGION: "eu-west-1",
          USER_POOL_ID: "eu-west-1_abcDEF123",
          LINK_KEY_ARN: "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        },
      },
    );
    expect(exported).toBe("function");
  });

  it.each(FUNCTIONS)(
    "%s: contains no absolute paths of the build machine and no source map reference",
    (fn) => {
      const code = readFileSync(path.join(LAMBDA_DIR, fn, "index.js"), "utf8");
      expect(code).not.toContain(ROOT);
      expect(code).not.toContain("sourceMappingURL");
    },
  );

  it.each(FUNCTIONS)("%s: bundles its dependencies: the only require() calls are Node built-ins", (fn) => {
    const code = readFileSync(path.join(LAMBDA_DIR, fn, "index.js"), "utf8");
    // (An SDK error message quotes `[require("@aws-sdk/signature-v4-crt");]`: not a call.)
    const required = new Set([...code.matchAll(/(?<!\[)\brequire\("([^"]+)"\)/g)].map((match) => match[1]));
    expect(required.size).toBeGreaterThan(0);
    const builtins = new Set(builtinModules);
    const external = [...required].filter((name) => !builtins.has(name.replace(/^node:/, "")));
    expect(external).toEqual([]);
  });

  // Issue 14's 400 KB, plus ~50 KB for the KMS client of the signed link (issue 18: one GenerateMac per
  // container, required lazily so it is parsed but not run on a known person's sign-in). The SDK client is
  // kept over a hand-written SigV4 request: its errors and retries are the SDK's own.
  it("keeps the JIT bundle within its 460 KB budget (parse time is most of a cold start)", () => {
    expect(statSync(BUNDLE_PATH).size).toBeLessThanOrEqual(460_000);
  });

  it("takes credentials from the environment only: the SDK's other credential sources are not bundled", () => {
    // In Lambda the execution role's credentials are environment variables; SSO, INI profiles, credential
    // processes, web identity and instance metadata never apply, and cost a third of the bundle.
    const inputs = JSON.parse(
      withBuildScript(`
        const { build } = await import("esbuild");
        const result = await build({ ...lambda.lambdaBuildOptions("pre-token-generation"), metafile: true });
        process.stdout.write(JSON.stringify(Object.keys(result.metafile.inputs)));`),
    ) as string[];
    const packages = new Set(
      inputs.map((file) => /node_modules\/(@aws-sdk\/[^/]+)/.exec(file)?.[1]).filter(Boolean),
    );
    expect(packages).toContain("@aws-sdk/credential-provider-env");
    expect(packages).toContain("@aws-sdk/client-identitystore");
    for (const dropped of [
      "@aws-sdk/credential-provider-node",
      "@aws-sdk/credential-provider-ini",
      "@aws-sdk/credential-provider-sso",
      "@aws-sdk/credential-provider-process",
      "@aws-sdk/credential-provider-web-identity",
      "@aws-sdk/nested-clients",
    ]) {
      expect(packages).not.toContain(dropped);
    }
  });

  it("leaves out only parts no function uses: event-stream serde, semver but gte, package.json but name/version", () => {
    const bundled = JSON.parse(
      withBuildScript(`
        const { build } = await import("esbuild");
        const result = await build({ ...lambda.lambdaBuildOptions("pre-token-generation"), metafile: true });
        process.stdout.write(JSON.stringify(Object.keys(result.metafile.inputs)));`),
    ) as string[];
    expect(bundled.filter((file) => file.includes("@smithy/core/dist-es/submodules/event-streams/"))).toEqual(
      [],
    );
    expect(bundled).toContain("unused-parts:@smithy/core/event-streams");
    expect(bundled.filter((file) => /node_modules\/semver\//.test(file))).toContain(
      "node_modules/semver/functions/gte.js",
    );
    expect(bundled).not.toContain("node_modules/semver/index.js");
    const code = readFileSync(BUNDLE_PATH, "utf8");
    // What the SDK clients (user agent) and X-Ray (segment metadata) read is still there.
    const version = (name: string) =>
      JSON.parse(readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8"))
        .version as string;
    expect(code).toContain(`"${version("@aws-sdk/client-identitystore")}"`);
    expect(code).toContain(`name:"aws-xray-sdk-core",version:"${version("aws-xray-sdk-core")}"`);
    // …and nothing else of a package.json (e.g. its description).
    expect(code).not.toContain("AWS SDK for JavaScript Identitystore Client");
  });

  it("is byte-for-byte reproducible, for every function", () => {
    const outdir = path.join(tempDir("build-lambda-"), "out");
    execFileSync(process.execPath, [BUILD_SCRIPT, "--outdir", outdir], { cwd: ROOT, stdio: "pipe" });
    expect(readdirSync(outdir).sort()).toEqual([...FUNCTIONS].sort());
    for (const fn of FUNCTIONS) {
      expect(readdirSync(path.join(outdir, fn))).toEqual(["index.js"]);
      const rebuilt = readFileSync(path.join(outdir, fn, "index.js"));
      expect({ fn, same: rebuilt.equals(readFileSync(path.join(LAMBDA_DIR, fn, "index.js"))) }).toEqual({
        fn,
        same: true,
      });
    }
  });

  it("--if-stale rebuilds only bundles older than their sources", () => {
    const outdir = path.join(tempDir("build-lambda-"), "out");
    execFileSync(process.execPath, [BUILD_SCRIPT, "--outdir", outdir], { cwd: ROOT, stdio: "pipe" });
    const bundle = path.join(outdir, "pre-token-generation", "index.js");
    const stale = (): string[] =>
      JSON.parse(
        withBuildScript(
          `process.stdout.write(JSON.stringify(lambda.staleLambdas(${JSON.stringify(outdir)})));`,
        ),
      );
    expect(stale()).toEqual([]);
    // A bundle from before the newest source (e.g. after `git pull`) is stale.
    utimesSync(bundle, new Date(0), new Date(0));
    expect(stale()).toEqual(["pre-token-generation"]);
  });

  it("refuses to write into a non-empty directory it does not own", () => {
    const outdir = tempDir("build-lambda-");
    execFileSync(process.execPath, [
      "-e",
      `require("fs").writeFileSync(${JSON.stringify(path.join(outdir, "keep.txt"))}, "x")`,
    ]);
    expect(() =>
      execFileSync(process.execPath, [BUILD_SCRIPT, "--outdir", outdir], { stdio: "pipe" }),
    ).toThrow(/must be empty or not exist/);
    expect(readdirSync(outdir)).toEqual(["keep.txt"]);
  });
});
