/**
 * The synth fast path (issue 14): `npm run synth` runs the esbuild bundle of the app without the cdktf CLI,
 * and must write exactly what `cdktf synth` writes. Both are run here for real and their output trees
 * compared byte for byte, against the app bundle (cdktf.json's app command) and against the TypeScript
 * sources run directly (the cdktf template's way), so neither the bundle nor the fast path can drift.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import * as path from "node:path";
import { exampleInput } from "./helpers/stacks";
import { tempDir } from "./helpers/temp-dirs";

const ROOT = path.join(__dirname, "..");
const CLI = path.join(ROOT, "node_modules", "cdktf-cli", "bundle", "bin", "cdktf");
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
const NPM_CLI = process.env.npm_execpath;
const APP_BUNDLE = path.join(ROOT, "dist", "app", "main.js");
const BASE_ENV = { ...process.env, CHECKPOINT_DISABLE: "1", BRIDGE_CONFIG: "" };

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd: ROOT, env: { ...BASE_ENV, ...env }, encoding: "utf8" });
}

/** `npm run synth -- --output DIR`, as a user runs it (through npm when Jest was started by npm). */
function fastSynth(outdir: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return NPM_CLI && NPM_CLI.endsWith(".js")
    ? run(process.execPath, [NPM_CLI, "run", "--silent", "synth", "--", "--output", outdir], env)
    : run(process.execPath, ["scripts/synth.mjs", "--output", outdir], env);
}

/** `cdktf synth --output DIR`, with cdktf.json's app command or another one. */
function cliSynth(outdir: string, env: NodeJS.ProcessEnv = {}, app?: string): SpawnSyncReturns<string> {
  return run(process.execPath, [CLI, "synth", "--output", outdir, ...(app ? ["--app", app] : [])], env);
}

function succeeded(result: SpawnSyncReturns<string>): void {
  expect({ status: result.status, stderr: result.status === 0 ? "" : result.stderr }).toEqual({
    status: 0,
    stderr: "",
  });
}

/** Every file and folder under `dir`: relative path → sha256 of the content (folders: "dir"). */
function tree(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" }).sort()) {
    const full = path.join(dir, file);
    entries[file] = statSync(full).isDirectory()
      ? "dir"
      : createHash("sha256").update(readFileSync(full)).digest("hex");
  }
  return entries;
}

/** Runs an ES module snippet that imports one of the build scripts (.mjs, outside Jest's transform). */
function withScript(script: string, code: string): string {
  return execFileSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import * as s from ${JSON.stringify(path.join(ROOT, "scripts", script))};\n${code}`,
    ],
    { cwd: ROOT, encoding: "utf8" },
  );
}

describe("npm run synth (the fast path)", () => {
  it("writes the same cdktf.out as cdktf synth, byte for byte, and as the TypeScript sources do", () => {
    const dir = tempDir("synth-fast-");
    const [fast, cli, sources] = ["fast", "cli", "sources"].map((name) => path.join(dir, name));
    succeeded(fastSynth(fast));
    succeeded(cliSynth(cli));
    succeeded(cliSynth(sources, {}, `${JSON.stringify(process.execPath)} ${JSON.stringify(TSX)} main.ts`));

    const written = tree(fast);
    expect(Object.keys(written)).toEqual(
      expect.arrayContaining([
        "manifest.json",
        "stacks/prod-identity-center/cdk.tf.json",
        "stacks/prod-cognito/cdk.tf.json",
        "stacks/prod-cloudflare-access/cdk.tf.json",
      ]),
    );
    expect(
      Object.keys(written).some((file) => /^stacks\/prod-cognito\/assets\/.+\/index\.js$/.test(file)),
    ).toBe(true);
    expect(tree(cli)).toEqual(written);
    expect(tree(sources)).toEqual(written);
  });

  it("honours BRIDGE_CONFIG and cleans up after an earlier synth exactly as cdktf synth does", () => {
    // An output directory that already holds another environment's stacks and a file of the user's:
    // cdktf removes the stack folders the new manifest does not list and leaves everything else.
    const dir = tempDir("synth-fast-");
    const config = exampleInput();
    config.environment = "qa";
    const configFile = path.join(dir, "qa.json");
    writeFileSync(configFile, JSON.stringify(config));
    const outdirs = ["fast", "cli"].map((name) => path.join(dir, name));
    for (const outdir of outdirs) {
      succeeded(fastSynth(outdir));
      writeFileSync(path.join(outdir, "notes.txt"), "kept");
    }
    const env = { BRIDGE_CONFIG: configFile };
    succeeded(fastSynth(outdirs[0], env));
    succeeded(cliSynth(outdirs[1], env));

    const written = tree(outdirs[0]);
    expect(readdirSync(path.join(outdirs[0], "stacks")).sort()).toEqual([
      "qa-cloudflare-access",
      "qa-cognito",
      "qa-identity-center",
    ]);
    expect(written["notes.txt"]).toBeDefined();
    expect(tree(outdirs[1])).toEqual(written);
  });

  it("fails like the app does on a bad config: the problems named, nothing synthesized", () => {
    const dir = tempDir("synth-fast-");
    const config = exampleInput();
    config.cloudflare.teamName = "Acme Corp";
    const configFile = path.join(dir, "bad.json");
    writeFileSync(configFile, JSON.stringify(config));
    const outdir = path.join(dir, "out");
    const result = fastSynth(outdir, { BRIDGE_CONFIG: configFile });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("cloudflare.teamName: expected the Zero Trust team name");
    expect(existsSync(path.join(outdir, "manifest.json"))).toBe(false);
  });

  it("rejects arguments it does not know, naming them", () => {
    const result = run(process.execPath, ["scripts/synth.mjs", "--hcl"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('unknown argument "--hcl" (expected --output DIR)');
  });

  it("prints annotations as cdktf synth does and fails on an error annotation", () => {
    const report = (annotations: unknown[]): { lines: string[]; failed: boolean } =>
      JSON.parse(
        withScript(
          "synth.mjs",
          `process.stdout.write(JSON.stringify(s.annotationReport([{ name: "prod-cognito", annotations: ${JSON.stringify(annotations)} }])))`,
        ),
      );
    const warning = { constructPath: "prod-cognito/pool", level: "@cdktf/warn", message: "careful" };
    const error = {
      constructPath: "prod-cognito/fn",
      level: "@cdktf/error",
      message: "broken",
      stacktrace: ["at x"],
    };
    expect(report([warning])).toEqual({ lines: ["WARN [prod-cognito/pool]: careful"], failed: false });
    expect(report([warning, error])).toEqual({
      lines: ["WARN [prod-cognito/pool]: careful", "ERROR [prod-cognito/fn]: broken", "at x"],
      failed: true,
    });
  });

  it("gives the app the environment cdktf-cli 0.21 gives it", () => {
    const env = JSON.parse(
      withScript(
        "synth.mjs",
        `process.stdout.write(JSON.stringify(s.appEnvironment(
          { PATH: "/bin", TF_VAR_secret: "x", CDKTF_CONTEXT_JSON: '{"fromCaller":1}' },
          { context: { flag: true }, terraformModules: ["./modules/a", "hashicorp/consul/aws"] },
          "out")))`,
      ),
    );
    expect(env).toEqual({
      PATH: "/bin",
      NODE_ENV: "production",
      CDKTF_OUTDIR: "out",
      CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true",
      CDKTF_CONTEXT_JSON: JSON.stringify({ flag: true, cdktfRelativeModules: ["./modules/a"] }),
      SYNTH_HCL_OUTPUT: "false",
    });
  });
});

describe("the app bundle (dist/app/main.js)", () => {
  beforeAll(() => {
    execFileSync(process.execPath, ["scripts/build-app.mjs", "--if-stale"], { cwd: ROOT, stdio: "pipe" });
  });

  it("is what cdktf.json runs: one node process, no TypeScript runtime", () => {
    const cdktf = JSON.parse(readFileSync(path.join(ROOT, "cdktf.json"), "utf8"));
    expect(cdktf.app).toBe("node scripts/app.mjs");
  });

  it("holds no absolute path of this machine (sources find their files relative to the bundle)", () => {
    expect(readFileSync(APP_BUNDLE, "utf8")).not.toContain(ROOT);
    expect(readFileSync(path.join(ROOT, "dist", "app", "validate.js"), "utf8")).not.toContain(ROOT);
  });

  it("is rebuilt from every source of the app: config, stacks, the Lambda contracts, main.ts, cli/validate.ts", () => {
    const sources = (
      JSON.parse(
        withScript("build-app.mjs", "process.stdout.write(JSON.stringify(s.appSources()))"),
      ) as string[]
    ).map((file) => path.relative(ROOT, file));
    expect(sources).toEqual(
      expect.arrayContaining([
        "main.ts",
        "cli/validate.ts",
        "package-lock.json",
        "config/index.ts",
        "config/schema.ts",
        "stacks/index.ts",
        "stacks/cognito/index.ts",
        "lambda-src/pre-token-generation/contract.ts",
        "lambda-src/pre-token-generation/metric-names.ts",
      ]),
    );
    expect(sources.filter((file) => file.endsWith(".test.ts"))).toEqual([]);
  });

  it("is rebuilt when older than a source, reproducibly (the same bytes again)", () => {
    const before = readFileSync(APP_BUNDLE);
    const fresh = (): boolean =>
      JSON.parse(withScript("build-app.mjs", "process.stdout.write(JSON.stringify(s.isAppFresh()))"));
    expect(fresh()).toBe(true);
    utimesSync(APP_BUNDLE, new Date(0), new Date(0));
    expect(fresh()).toBe(false);
    execFileSync(process.execPath, ["scripts/build-app.mjs", "--if-stale"], { cwd: ROOT, stdio: "pipe" });
    expect(fresh()).toBe(true);
    expect(readFileSync(APP_BUNDLE).equals(before)).toBe(true);
  });

  it("npm run validate runs the bundled config check: the sources' output and exit code, no cdktf inside", () => {
    const dir = tempDir("validate-fast-");
    const bad = path.join(dir, "bad.json");
    const config = exampleInput();
    config.environment = "Prod";
    writeFileSync(bad, JSON.stringify(config));
    for (const args of [[], [bad], ["--quiet"], ["--bogus"]]) {
      const fast = run(process.execPath, ["scripts/validate.mjs", ...args]);
      const sources = run(process.execPath, [TSX, "cli/validate.ts", ...args]);
      expect({ args, status: fast.status, stdout: fast.stdout, stderr: fast.stderr }).toEqual({
        args,
        status: sources.status,
        stdout: sources.stdout,
        stderr: sources.stderr,
      });
    }
    const bundle = readFileSync(path.join(ROOT, "dist", "app", "validate.js"), "utf8");
    expect(bundle).toContain("node_modules/zod/");
    expect(bundle).not.toMatch(/node_modules\/(cdktf|constructs|@cdktf)\//);
  });

  it("runs with a V8 code cache that a changed bundle invalidates instead of misusing", () => {
    const dir = tempDir("synth-cache-");
    const file = path.join(dir, "app.js");
    mkdirSync(dir, { recursive: true });
    const runIt = (): string => withScript("code-cache.mjs", `s.runWithCodeCache(${JSON.stringify(file)});`);
    writeFileSync(file, 'process.stdout.write("one")');
    expect(runIt()).toBe("one");
    expect(readdirSync(dir).filter((name) => name.endsWith(".v8-cache"))).toHaveLength(1);
    expect(runIt()).toBe("one");
    writeFileSync(file, 'process.stdout.write("two")');
    expect(runIt()).toBe("two");
  });
});
