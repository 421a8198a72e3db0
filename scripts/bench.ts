/**
 * `npm run bench`: measures what users and signing-in people wait for, on this machine, each figure beside
 * what it is compared with IN THE SAME RUN (so a busy machine slows both sides):
 *  - synth: `npm run synth` against the cdktf template's default (`cdktf synth` running `npx ts-node main.ts`);
 *    the app phase of `cdktf diff/deploy` (cdktf.json's app command, run as the CLI runs it) against the
 *    template's; `npm run validate` (or, without it, a config-only load) against a full synth;
 *  - the JIT Lambda bundle: size, gzip and cold `require` against a naive bundle of the same handler
 *    (`esbuild --bundle --platform=node`, no other option), and the effect of each bundle option;
 *  - the JIT handler against the local Identity Store (real AWS JSON protocol over loopback): warm p50/p99
 *    of a known person, a first sign-in and a known person with group sync; a store that never answers;
 *  - storms against the Identity Store test server limited to 20 requests/s per operation: 200 first-time
 *    people within 2 s (first try, after Cognito's retries, duplicates, calls per success) and one first
 *    sign-in into 50 mapped groups.
 * Writes bench/results.json and the README's "Speed" table (both generated: never edit them by hand).
 * Timings are medians of interleaved runs; nothing here asserts a timing, it reports targets met or not.
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { build, type BuildOptions } from "esbuild";
import * as prettier from "prettier";
import { preTokenEvent } from "../lambda-src/pre-token-generation/test-support/events";
import {
  BUNDLE_PATH,
  containerEnv,
  LambdaContainer,
  startCognito,
  TEST_POOL_ID,
} from "../__tests__/lambda/bundle-harness";
import type { CognitoTestServer } from "../__tests__/lambda/cognito-server";
import { DEFAULT_RATE_LIMIT, IdentityStoreTestServer } from "../__tests__/lambda/identity-store-server";
import { LambdaFleet } from "./bench-fleet";
import {
  renderReadmeBlock,
  replaceReadmeBlock,
  type BenchResults,
  type Figure,
  type Measure,
} from "./bench-report";

const ROOT = path.join(__dirname, "..");
/** The cdktf typescript template's app command (cdktf-cli's templates/typescript/cdktf.json). */
const TEMPLATE_APP = "npx ts-node main.ts";
/** Cognito waits 5 s for the trigger, and tries it up to 3 times (Amazon Cognito Developer Guide, Lambda triggers). */
const COGNITO_TIMEOUT_MS = 5000;
const COGNITO_ATTEMPTS = 3;

const baseEnv: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1" };
delete baseEnv.BRIDGE_CONFIG;
const scratch = mkdtempSync(path.join(os.tmpdir(), "bridge-bench-"));
const figures: Figure[] = [];
const bundleChoices: BenchResults["bundleChoices"] = [];
let scratchCount = 0;

function fresh(name: string): string {
  return path.join(scratch, `${name}-${(scratchCount += 1)}`);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const median = (values: number[]): number => percentile(values, 50);

/** Wall time of a command in ms; fails loudly if the command fails. */
function timed(command: string, args: string[], options: SpawnSyncOptions = {}): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(command, args, { cwd: ROOT, env: baseEnv, encoding: "utf8", ...options });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0)
    throw new Error(`${command} ${args.join(" ")} failed (${run.status}):\n${run.stderr}`);
  return ms;
}

/** Medians of `runs` interleaved runs of each command (a load spike hits all of them alike). */
function interleaved(runs: number, commands: Array<() => number>): number[] {
  const times = commands.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) commands.forEach((command, j) => times[j].push(command()));
  return times.map(median);
}

function figure(
  section: string,
  measure: Measure,
  comparison?: Measure,
  target?: Figure["target"],
  options: { ratio?: boolean } = {},
): void {
  figures.push({ section, ...measure, comparison, ratio: options.ratio ?? comparison !== undefined, target });
}

/** Every file under `dir`: relative path → sha256. */
function tree(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" }).sort()) {
    const full = path.join(dir, file);
    if (statSync(full).isFile())
      entries[file] = createHash("sha256").update(readFileSync(full)).digest("hex");
  }
  return entries;
}

// ---- synth ---------------------------------------------------------------------------------------

/** The environment the cdktf CLI gives the app command (see scripts/synth.mjs). */
function cliAppEnv(outdir: string): NodeJS.ProcessEnv {
  return {
    ...baseEnv,
    NODE_ENV: "production",
    NODE_OPTIONS: "--max-old-space-size=4096",
    CDKTF_OUTDIR: outdir,
    CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true",
    CDKTF_CONTEXT_JSON: JSON.stringify({ cdktfRelativeModules: [] }),
    SYNTH_HCL_OUTPUT: "false",
  };
}

/** The app bundle with node_modules external, the alternative to bundling the providers (same depth as dist/app). */
async function externalAppBundle(): Promise<string> {
  const app = (await import(path.join(ROOT, "scripts", "build-app.mjs"))) as {
    appBuildOptions(): BuildOptions;
  };
  const outfile = path.join(ROOT, "dist", "bench-app-external", "main.js");
  const result = await build({
    ...app.appBuildOptions(),
    entryPoints: ["main.ts"],
    outdir: undefined,
    entryNames: undefined,
    outfile,
    packages: "external",
  });
  mkdirSync(path.dirname(outfile), { recursive: true });
  writeFileSync(outfile, result.outputFiles![0].contents);
  return outfile;
}

async function synth(): Promise<void> {
  const externalApp = await externalAppBundle();
  try {
    await synthFigures(externalApp);
  } finally {
    rmSync(path.dirname(externalApp), { recursive: true, force: true });
  }
}

async function synthFigures(externalApp: string): Promise<void> {
  const npm = process.env.npm_execpath?.endsWith(".js")
    ? [process.execPath, process.env.npm_execpath]
    : ["npm"];
  const npx = npm.length === 2 ? [process.execPath, path.join(path.dirname(npm[1]), "npx-cli.js")] : ["npx"];
  const fastSynth = (outdir = fresh("fast")): number =>
    timed(npm[0], [...npm.slice(1), "run", "--silent", "synth", "--", "--output", outdir]);
  const templateSynth = (outdir = fresh("template")): number =>
    timed(npx[0], [
      ...npx.slice(1),
      "--no-install",
      "cdktf",
      "synth",
      "--app",
      TEMPLATE_APP,
      "--output",
      outdir,
    ]);

  // Warm-up (file cache, the app bundle and its code cache), and proof that both write the same tree.
  const [fastDir, templateDir] = [fresh("fast"), fresh("template")];
  fastSynth(fastDir);
  templateSynth(templateDir);
  if (JSON.stringify(tree(fastDir)) !== JSON.stringify(tree(templateDir))) {
    throw new Error(
      "npm run synth and the template's cdktf synth wrote different files: the bench would compare unlike things",
    );
  }
  const [fast, template] = interleaved(3, [fastSynth, templateSynth]);
  figure(
    "synth",
    { label: "`npm run synth` (example config, three stacks)", value: fast / 1000, unit: "s" },
    {
      label: "cdktf template default (`cdktf synth`, app `npx ts-node main.ts`)",
      value: template / 1000,
      unit: "s",
    },
    { text: "≤ 0.25×", met: fast <= 0.25 * template },
  );

  // The app phase of `cdktf diff/deploy`: the app command alone, run by a shell with the CLI's environment.
  const appCommand = JSON.parse(readFileSync(path.join(ROOT, "cdktf.json"), "utf8")).app as string;
  const app = (command: string) => (): number => {
    const outdir = fresh("app");
    return timed(command, [], { shell: true, env: cliAppEnv(outdir) });
  };
  const node = JSON.stringify(process.execPath);
  const [ours, theirs, tsx, bundled, external] = interleaved(5, [
    app(appCommand),
    app(TEMPLATE_APP),
    app(`${node} ${JSON.stringify(path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"))} main.ts`),
    app(`${node} dist/app/main.js`),
    app(`${node} ${JSON.stringify(externalApp)}`),
  ]);
  figure(
    "synth",
    { label: `app phase of \`cdktf diff/deploy\` (\`${appCommand}\`)`, value: ours / 1000, unit: "s" },
    { label: "template app command (`npx ts-node main.ts`)", value: theirs / 1000, unit: "s" },
    { text: "< 0.5 s", met: ours < 500 },
  );
  figure(
    "synth",
    { label: "app alone: the bundle (`node scripts/app.mjs`)", value: ours / 1000, unit: "s" },
    { label: "the TypeScript sources under tsx (`tsx main.ts`)", value: tsx / 1000, unit: "s" },
  );
  figure(
    "synth",
    { label: "app bundle, providers bundled (`node dist/app/main.js`)", value: bundled / 1000, unit: "s" },
    { label: "node_modules left external (`packages: external`)", value: external / 1000, unit: "s" },
  );

  await validate(npm);
}

/** `npm run validate` (the bundled config check) against the TypeScript source under tsx. */
async function validate(npm: string[]): Promise<void> {
  const tsx = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  const bundled = () => timed(npm[0], [...npm.slice(1), "run", "--silent", "validate", "--", "--quiet"]);
  const sources = () => timed(process.execPath, [tsx, "cli/validate.ts", "--quiet"]);
  bundled();
  const [ms, tsxMs] = interleaved(5, [bundled, sources]);
  figure(
    "synth",
    { label: "`npm run validate` (config only)", value: ms / 1000, unit: "s" },
    { label: "the TypeScript source under tsx (`tsx cli/validate.ts`)", value: tsxMs / 1000, unit: "s" },
    { text: "< 0.5 s", met: ms < 500 },
  );
}

// ---- Lambda bundle -------------------------------------------------------------------------------

/** A Lambda-like environment for cold starts: tracing on (AWS_EXECUTION_ENV), the function's variables. */
const LAMBDA_ENV = {
  PATH: process.env.PATH ?? "",
  AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
  AWS_LAMBDA_FUNCTION_NAME: "prod-pre-token-generation",
  AWS_REGION: "eu-west-1",
  AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  AWS_SESSION_TOKEN: "bench",
  IDENTITY_STORE_ID: "d-1234567890",
  IDENTITY_STORE_REGION: "eu-west-1",
};

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

async function lambdaBundle(): Promise<void> {
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
}

// ---- JIT handler ---------------------------------------------------------------------------------

/**
 * The event Cognito sends when `username` signs in: their current attributes in the pool, so a person the
 * Lambda has linked (custom:idc_user_id, written with AdminUpdateUserAttributes) comes back linked.
 */
function signInEvent(cognito: CognitoTestServer, username: string, email: string, groups: string[] = []) {
  if (cognito.attributesOf(TEST_POOL_ID, username) === undefined)
    cognito.addUser(TEST_POOL_ID, username, { email });
  const event = preTokenEvent({
    userAttributes: { ...cognito.attributesOf(TEST_POOL_ID, username), email },
    groups,
  });
  event.userName = username;
  return event;
}

async function jitWarm(): Promise<void> {
  // No quota here: these are latencies, and 200 sign-ins in a row would exceed 20 requests/s.
  const server = await IdentityStoreTestServer.start({ rateLimit: false });
  const cognito = await startCognito();
  const groups = [server.addGroup(), server.addGroup()];
  const plain = await LambdaContainer.start(containerEnv(server, {}, { cognito }));
  const synced = await LambdaContainer.start(
    containerEnv(
      server,
      { GROUP_MAP: JSON.stringify({ admins: groups[0], readers: groups[1] }) },
      { cognito },
    ),
  );
  try {
    const runs = 200;
    // One sign-in every 60 ms: the Lambda paces each container to 20 requests/s per operation, so sign-ins
    // back to back would measure the pacing (50 ms a call), not the latency of one sign-in.
    const times = async (
      container: LambdaContainer,
      person: (i: number) => string,
      groupNames: string[] = [],
    ) => {
      const elapsed: number[] = [];
      for (let i = 0; i < runs; i++) {
        await new Promise((resolve) => setTimeout(resolve, 60));
        const name = person(i);
        const result = await container.invoke(signInEvent(cognito, name, `${name}@acme.example`, groupNames));
        if (!result.ok) throw new Error(`${result.error.name}: ${result.error.message}`);
        elapsed.push(result.elapsedMs);
      }
      return elapsed;
    };
    // Warm the containers (the first invocations open connections), then measure.
    await times(plain, (i) => `warm.up${i}`);
    await times(synced, (i) => `warm.up${i}`, ["admins"]);
    const first = await times(plain, (i) => `new.person${i}`);
    const calls = server.calls.length;
    const known = await times(plain, (i) => `new.person${i}`);
    const knownCalls = (server.calls.length - calls) / runs;
    // Alternate between the two mapped groups, so every sign-in adds one membership and removes one.
    const sync: number[] = [];
    for (const groupNames of [["admins"], ["readers"]]) {
      sync.push(...(await times(synced, (i) => `new.person${i}`, groupNames)));
    }
    const limit = { label: "Cognito's trigger limit", value: COGNITO_TIMEOUT_MS, unit: "ms" as const };
    for (const [label, values] of [
      [`known person (linked: ${knownCalls} Identity Store call${knownCalls === 1 ? "" : "s"})`, known],
      ["first sign-in (look-up, create, link)", first],
      ["known person + group sync (one added, one removed)", sync],
    ] as const) {
      figure(
        "JIT (warm, loopback store)",
        { label: `${label}: p50`, value: median(values), unit: "ms" },
        limit,
        undefined,
        { ratio: false },
      );
      figure(
        "JIT (warm, loopback store)",
        { label: `${label}: p99`, value: percentile(values, 99), unit: "ms" },
        limit,
        undefined,
        { ratio: false },
      );
    }
  } finally {
    await Promise.all([plain.stop(), synced.stop()]);
    await Promise.all([server.close(), cognito.close()]);
  }
}

async function hungStore(): Promise<void> {
  const server = await IdentityStoreTestServer.start({ rateLimit: false });
  const cognito = await startCognito();
  server.hang();
  const deny = await LambdaContainer.start(containerEnv(server, { ON_SYNC_FAILURE: "deny" }, { cognito }));
  const allow = await LambdaContainer.start(containerEnv(server, { ON_SYNC_FAILURE: "allow" }, { cognito }));
  try {
    const [denied, allowed] = await Promise.all([
      deny.invoke(preTokenEvent(), { remainingMs: COGNITO_TIMEOUT_MS }),
      allow.invoke(preTokenEvent(), { remainingMs: COGNITO_TIMEOUT_MS }),
    ]);
    const limit = { label: "Cognito's trigger limit", value: COGNITO_TIMEOUT_MS, unit: "ms" as const };
    figure(
      "JIT (hung store)",
      {
        label: `store never answers: settles (onSyncFailure deny, ${denied.ok ? "signed in" : "denied"})`,
        value: denied.elapsedMs,
        unit: "ms",
      },
      limit,
      { text: "< 5000 ms", met: denied.elapsedMs < COGNITO_TIMEOUT_MS },
    );
    figure(
      "JIT (hung store)",
      {
        label: `store never answers: settles (onSyncFailure allow, ${allowed.ok ? "signed in" : "denied"})`,
        value: allowed.elapsedMs,
        unit: "ms",
      },
      limit,
      { text: "< 5000 ms", met: allowed.elapsedMs < COGNITO_TIMEOUT_MS },
    );
  } finally {
    await Promise.all([deny.stop(), allow.stop()]);
    await Promise.all([server.close(), cognito.close()]);
  }
}

// ---- storms (Identity Store test server limited to 20 requests/s per operation) ------------------

/** The Identity Store test server with the Identity Store's quota: 20 requests/s per operation, burst 20. */
async function throttledServer(): Promise<IdentityStoreTestServer> {
  return IdentityStoreTestServer.start({ rateLimit: DEFAULT_RATE_LIMIT });
}

/**
 * 200 first-time people within 2 s. A try that fails (an error, or no answer within 5 s) is tried again, up to
 * 3 tries in all: Cognito retries a trigger that does not answer in time ("After 3 unsuccessful attempts, the
 * function times out", Amazon Cognito Developer Guide, Lambda triggers), and a person told "please try again"
 * signs in again; both are counted the same here.
 */
async function signInStorm(): Promise<void> {
  const server = await throttledServer();
  const cognito = await startCognito();
  const people = 200;
  const fleet = await LambdaFleet.start({
    bundlePath: BUNDLE_PATH,
    env: containerEnv(server, {}, { cognito }),
    containers: people,
    scratchDir: scratch,
  });
  try {
    // Warm containers: a linked known person each (one DescribeUser), paced below the quota so the storm
    // starts with full buckets and no throttling behind it.
    const warmUp = Array.from({ length: people }, (_, i) => {
      const email = `warm.up${i}@acme.example`;
      const userId = server.addUser({
        UserName: email,
        Emails: [{ Value: email, Type: "work", Primary: true }],
      });
      cognito.addUser(TEST_POOL_ID, `warm_up${i}`, { email, "custom:idc_user_id": userId });
      return signInEvent(cognito, `warm_up${i}`, email);
    });
    const warmUpFailures = await fleet.warmUp(warmUp, DEFAULT_RATE_LIMIT.ratePerSecond * 0.75);
    if (warmUpFailures.length > 0) {
      throw new Error(
        `${warmUpFailures.length} warm-up sign-ins failed: ${[...new Set(warmUpFailures)].join("; ")}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 2000)); // the buckets refill
    const callsBefore = server.calls.length;

    const triesNeeded: Array<number | undefined> = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: people }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, (i * 2000) / people));
        for (let attempt = 1; attempt <= COGNITO_ATTEMPTS; attempt++) {
          // Each try carries the person's attributes as they are now (as Cognito sends them).
          const event = signInEvent(cognito, `storm_person${i}`, `storm.person${i}@acme.example`);
          const result = await fleet.invoke(event, COGNITO_TIMEOUT_MS);
          if (result.ok && result.elapsedMs <= COGNITO_TIMEOUT_MS) {
            triesNeeded[i] = attempt;
            return;
          }
        }
      }),
    );
    const wallMs = performance.now() - started;
    const calls = server.calls.slice(callsBefore);
    const firstTry = triesNeeded.filter((tries) => tries === 1).length;
    const succeeded = triesNeeded.filter((tries) => tries !== undefined).length;
    // Duplicates: more than one IdC user for one person.
    const usersPerPerson = Array.from(
      { length: people },
      (_, i) => server.usersWithEmail(`storm.person${i}@acme.example`).length,
    );
    const created = usersPerPerson.reduce((sum, count) => sum + count, 0);
    const duplicates = usersPerPerson.reduce((sum, count) => sum + Math.max(0, count - 1), 0);
    const section = "storm (200 in 2 s, 20 req/s per operation)";
    const everyone = { label: "people", value: people, unit: "count" as const };
    figure(section, { label: "signed in on the first try", value: firstTry, unit: "count" }, everyone, {
      text: "≥ 50",
      met: firstTry >= 50,
    });
    figure(
      section,
      { label: `signed in within ${COGNITO_ATTEMPTS} tries`, value: succeeded, unit: "count" },
      everyone,
      { text: "all 200", met: succeeded === people },
    );
    figure(
      section,
      { label: "duplicate users", value: duplicates, unit: "count" },
      { label: "users created", value: created, unit: "count" },
      { text: "0", met: duplicates === 0 },
      { ratio: false },
    );
    figure(
      section,
      {
        label: "Identity Store calls per signed-in person",
        value: calls.length / Math.max(1, succeeded),
        unit: "calls",
      },
      { label: "calls in all", value: calls.length, unit: "calls" },
      undefined,
      { ratio: false },
    );
    figure(
      section,
      {
        label: "throttled calls",
        value: calls.filter((call) => call.outcome === "ThrottlingException").length,
        unit: "calls",
      },
      { label: "calls in all", value: calls.length, unit: "calls" },
    );
    figure(section, { label: "until everyone settled", value: wallMs / 1000, unit: "s" });
  } finally {
    await fleet.stop();
    await Promise.all([server.close(), cognito.close()]);
  }
}

/** One first sign-in into 50 mapped groups at 20 requests/s per operation. */
async function fiftyGroups(): Promise<void> {
  const server = await throttledServer();
  const cognito = await startCognito();
  const groupMap: Record<string, string> = {};
  for (let i = 0; i < 50; i++) groupMap[`team-${i}`] = server.addGroup();
  const container = await LambdaContainer.start(
    containerEnv(server, { GROUP_MAP: JSON.stringify(groupMap) }, { cognito }),
  );
  try {
    const email = "many.groups@acme.example";
    const result = await container.invoke(signInEvent(cognito, "many_groups", email, Object.keys(groupMap)), {
      remainingMs: COGNITO_TIMEOUT_MS,
    });
    const user = server.userByName(email);
    const memberships = user ? server.groupsOf(user.UserId).length : 0;
    const throttled = server.calls.filter((call) => call.outcome === "ThrottlingException").length;
    const section = "50 mapped groups (20 req/s per operation)";
    figure(
      section,
      { label: `first sign-in (${result.ok ? "signed in" : "denied"})`, value: result.elapsedMs, unit: "ms" },
      { label: "Cognito's trigger limit", value: COGNITO_TIMEOUT_MS, unit: "ms" },
      { text: "< 5000 ms, signed in", met: result.ok && result.elapsedMs < COGNITO_TIMEOUT_MS },
    );
    figure(
      section,
      { label: "memberships created", value: memberships, unit: "count" },
      { label: "mapped groups", value: 50, unit: "count" },
      { text: "all 50", met: memberships === 50 },
    );
    figure(
      section,
      { label: "throttled calls", value: throttled, unit: "calls" },
      { label: "calls in all", value: server.calls.length, unit: "calls" },
    );
  } finally {
    await container.stop();
    await Promise.all([server.close(), cognito.close()]);
  }
}

// ---- report --------------------------------------------------------------------------------------

async function report(write: boolean): Promise<void> {
  const results: BenchResults = {
    machine: { cpus: os.cpus().length, node: process.version, loadAverage: loadAtStart },
    figures,
    bundleChoices,
  };
  printResults(results);
  if (write) {
    await writeResults(results);
    console.log(`\nwrote bench/results.json and README.md ("Speed")`);
  } else {
    console.log("\n(--only: bench/results.json and README.md left as they were)");
  }
}

async function writeResults(results: BenchResults): Promise<void> {
  const format = async (file: string, text: string) =>
    prettier.format(text, { ...(await prettier.resolveConfig(file)), filepath: file });
  mkdirSync(path.join(ROOT, "bench"), { recursive: true });
  const resultsFile = path.join(ROOT, "bench", "results.json");
  writeFileSync(resultsFile, await format(resultsFile, JSON.stringify(results, null, 2)));
  const readmeFile = path.join(ROOT, "README.md");
  const readme = replaceReadmeBlock(readFileSync(readmeFile, "utf8"), renderReadmeBlock(results));
  writeFileSync(readmeFile, await format(readmeFile, readme));
}

function printResults(results: BenchResults): void {
  const width = Math.max(...figures.map((f) => `${f.section}: ${f.label}`.length));
  console.log(
    `\nidc-oidc-bridge bench (${results.machine.cpus} CPUs, node ${results.machine.node}, load ${loadAtStart.map((l) => l.toFixed(1)).join(" ")})`,
  );
  for (const f of figures) {
    const ratio =
      f.ratio && f.comparison && f.comparison.unit === f.unit
        ? `  ${(f.value / f.comparison.value).toFixed(2)}×`
        : "";
    const target = f.target ? `  target ${f.target.text}: ${f.target.met ? "met" : "NOT MET"}` : "";
    const against = f.comparison ? `  vs ${f.comparison.label} ${f.comparison.value.toFixed(2)}` : "";
    console.log(
      `  ${`${f.section}: ${f.label}`.padEnd(width)}  ${f.value.toFixed(2).padStart(9)} ${f.unit}${against}${ratio}${target}`,
    );
  }
}

const loadAtStart = os.loadavg();

const SECTIONS: Record<string, () => Promise<void>> = {
  bundle: lambdaBundle,
  synth,
  jit: jitWarm,
  hung: hungStore,
  storm: signInStorm,
  groups: fiftyGroups,
};

/** `npm run bench` runs every section and writes the results; `-- --only storm,groups` only prints some. */
async function main(args: string[]): Promise<void> {
  const flag = args.indexOf("--only");
  const only = flag >= 0 ? (args[flag + 1] ?? "").split(",") : undefined;
  const unknown = (only ?? []).filter((name) => !(name in SECTIONS));
  if (unknown.length > 0)
    throw new Error(
      `unknown section(s) ${unknown.join(", ")}; sections: ${Object.keys(SECTIONS).join(", ")}`,
    );
  for (const [name, section] of Object.entries(SECTIONS))
    if (only === undefined || only.includes(name)) await section();
  await report(only === undefined);
}

main(process.argv.slice(2))
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(scratch, { recursive: true, force: true }));
