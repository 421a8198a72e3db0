/**
 * The Lambda package produced by `npm run build:lambda`: one deterministic, self-contained,
 * minified CommonJS file exporting `handler`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { assertBundleBuilt, BUNDLE_PATH } from "./bundle-harness";

const ROOT = path.resolve(__dirname, "../..");
const BUILD_SCRIPT = path.join(ROOT, "scripts/build-lambda.mjs");

describe("Lambda bundle", () => {
  beforeAll(() => assertBundleBuilt());

  it("is the only file in the package directory", () => {
    expect(readdirSync(path.dirname(BUNDLE_PATH))).toEqual(["index.js"]);
  });

  it("contains no absolute paths of the build machine and no source map reference", () => {
    const code = readFileSync(BUNDLE_PATH, "utf8");
    expect(code).not.toContain(ROOT);
    expect(code).not.toContain("sourceMappingURL");
  });

  it("bundles its dependencies: the only require() calls are Node built-ins", () => {
    const code = readFileSync(BUNDLE_PATH, "utf8");
    // (An SDK error message quotes `[require("@aws-sdk/signature-v4-crt");]`: not a call.)
    const required = new Set([...code.matchAll(/(?<!\[)\brequire\("([^"]+)"\)/g)].map((match) => match[1]));
    expect(required.size).toBeGreaterThan(0);
    const builtins = new Set(builtinModules);
    const external = [...required].filter((name) => !builtins.has(name.replace(/^node:/, "")));
    expect(external).toEqual([]);
  });

  it("is byte-for-byte reproducible", () => {
    const outdir = mkdtempSync(path.join(tmpdir(), "build-lambda-"));
    try {
      rmSync(outdir, { recursive: true });
      execFileSync(process.execPath, [BUILD_SCRIPT, "--outdir", outdir], { cwd: ROOT, stdio: "pipe" });
      expect(readdirSync(outdir)).toEqual(["index.js"]);
      expect(readFileSync(path.join(outdir, "index.js")).equals(readFileSync(BUNDLE_PATH))).toBe(true);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("refuses to write into a non-empty directory it does not own", () => {
    const outdir = mkdtempSync(path.join(tmpdir(), "build-lambda-"));
    try {
      execFileSync(process.execPath, [
        "-e",
        `require("fs").writeFileSync(${JSON.stringify(path.join(outdir, "keep.txt"))}, "x")`,
      ]);
      expect(() =>
        execFileSync(process.execPath, [BUILD_SCRIPT, "--outdir", outdir], { stdio: "pipe" }),
      ).toThrow(/must be empty or not exist/);
      expect(readdirSync(outdir)).toEqual(["keep.txt"]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
