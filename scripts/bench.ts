/**
 * `npm run bench`: measures what users wait for, on this machine.
 *  - synth: `cdktf synth` of the example config through the CLI, and the app alone (main.ts);
 *  - the JIT Lambda bundle: build time, size, and cold start (require time in a fresh process);
 *  - the JIT handler against a local Identity Store (real AWS JSON protocol over loopback):
 *    first sign-in, known user, and known user with group sync.
 * Prints a table and writes bench-results.json. Numbers are medians (and p95 for invocations).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, statSync, writeFileSync, mkdtempSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { preTokenEvent } from "../lambda-src/pre-token-generation/test-support/events";
import { BUNDLE_PATH, containerEnv, LambdaContainer, startCognito } from "../__tests__/lambda/bundle-harness";
import { IdentityStoreTestServer } from "../__tests__/lambda/identity-store-server";

const ROOT = path.join(__dirname, "..");
const env = { ...process.env, CHECKPOINT_DISABLE: "1" };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Wall time of a command, in ms; fails loudly if the command fails. */
function timeCommand(command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(command, args, { cwd: ROOT, env: { ...env, ...extraEnv }, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${run.stderr}`);
  return ms;
}

function repeat(times: number, fn: () => number): number {
  return median(Array.from({ length: times }, fn));
}

const results: Record<string, number> = {};
const scratch = mkdtempSync(path.join(os.tmpdir(), "bridge-bench-"));

async function main(): Promise<void> {
  // Bundle first: synth and the invocations use it.
  results["bundle build (ms)"] = repeat(3, () => timeCommand(process.execPath, ["scripts/build-lambda.mjs"]));
  const bundle = readFileSync(BUNDLE_PATH);
  results["bundle size (KiB)"] = statSync(BUNDLE_PATH).size / 1024;
  results["bundle gzip (KiB)"] = gzipSync(bundle).length / 1024;
  const requireMs = `const t=process.hrtime.bigint();require(${JSON.stringify(BUNDLE_PATH)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  results["bundle cold require (ms)"] = repeat(7, () => {
    const run = spawnSync(process.execPath, ["-e", requireMs], {
      env: { ...env, IDENTITY_STORE_ID: "d-1234567890", IDENTITY_STORE_REGION: "eu-west-1" },
      encoding: "utf8",
    });
    return Number(run.stdout);
  });

  const tsx = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  const cli = path.join(ROOT, "node_modules", "cdktf-cli", "bundle", "bin", "cdktf");
  results["synth, app only: tsx main.ts (ms)"] = repeat(3, () =>
    timeCommand(process.execPath, [tsx, "main.ts"], { CDKTF_OUTDIR: path.join(scratch, "app") }),
  );
  results["synth, cdktf CLI: npm run synth (ms)"] = repeat(3, () =>
    timeCommand(process.execPath, [cli, "synth", "--output", path.join(scratch, "cli")]),
  );

  await invocations();

  const width = Math.max(...Object.keys(results).map((k) => k.length));
  console.log(`\nidc-oidc-bridge bench (${os.cpus().length} CPUs, node ${process.version})`);
  for (const [name, value] of Object.entries(results)) {
    console.log(`  ${name.padEnd(width)}  ${value.toFixed(1).padStart(8)}`);
  }
  writeFileSync(path.join(ROOT, "bench-results.json"), JSON.stringify(results, null, 2) + "\n");
}

async function invocations(): Promise<void> {
  const server = await IdentityStoreTestServer.start();
  // The Lambda links each person in Cognito (AdminUpdateUserAttributes): a local Cognito answers it.
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
    const elapsed = async (
      container: LambdaContainer,
      email: (i: number) => string,
      groupNames: string[] = [],
    ) => {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const result = await container.invoke(
          preTokenEvent({ userAttributes: { email: email(i) }, groups: groupNames }),
        );
        if (!result.ok) throw new Error(`${result.error.name}: ${result.error.message}`);
        times.push(result.elapsedMs);
      }
      return times;
    };
    const first = await elapsed(plain, (i) => `new.person${i}@acme.example`);
    const known = await elapsed(plain, (i) => `new.person${i}@acme.example`);
    const sync = await elapsed(synced, (i) => `new.person${i}@acme.example`, ["admins"]);
    results["JIT first sign-in p50 (ms)"] = median(first);
    results["JIT first sign-in p95 (ms)"] = percentile(first, 95);
    results["JIT known user p50 (ms)"] = median(known);
    results["JIT known user p95 (ms)"] = percentile(known, 95);
    results["JIT known user + group sync p50 (ms)"] = median(sync);
    results["JIT known user + group sync p95 (ms)"] = percentile(sync, 95);
  } finally {
    await Promise.all([plain.stop(), synced.stop()]);
    await Promise.all([server.close(), cognito.close()]);
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(scratch, { recursive: true, force: true }));
