#!/usr/bin/env node
// `npm test`: type-check, lint (its ESLint and Prettier halves) and the Lambda bundles side by side (each is
// one process on one core, and the tests need only the bundles), then every test with Jest. Each check's output is printed when it ends,
// so outputs never interleave; every check runs even when another fails, and the exit code is the first
// failure's. Jest runs alone afterwards: its deadline and rate tests measure real time on this machine.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.env.npm_execpath?.endsWith(".js")
  ? [process.execPath, process.env.npm_execpath]
  : ["npm"];

/** Runs a command in the project; resolves with its exit code and (when buffered) its output. */
function run(name, command, { buffered = true, shell = false } = {}) {
  return new Promise((resolve) => {
    const bin = path.join(root, "node_modules", ".bin");
    const child = spawn(command[0], command.slice(1), {
      cwd: root,
      stdio: buffered ? ["ignore", "pipe", "pipe"] : "inherit",
      shell,
      // As `npm run` does: the project's tools first on PATH.
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` },
    });
    let output = "";
    child.stdout?.on("data", (chunk) => (output += chunk));
    child.stderr?.on("data", (chunk) => (output += chunk));
    child.on("close", (code, signal) => resolve({ name, code: code ?? (signal ? 1 : 0), output }));
  });
}

const { scripts } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const checks = await Promise.all([
  run("npm run build", [...npm, "run", "--silent", "build"]),
  // `npm run lint`'s commands, each on its own.
  ...scripts.lint.split(" && ").map((command) => run(command, [command], { shell: true })),
  run("npm run build:lambda", [...npm, "run", "--silent", "build:lambda"]),
]);
for (const { name, code, output } of checks) {
  process.stdout.write(`> ${name}: ${code === 0 ? "ok" : `failed (exit ${code})`}\n${output}`);
}
const failed = checks.find((check) => check.code !== 0);
/**
 * Tests that measure real time (the Identity Store quota and pacing, deadlines, the sign-in storm) run on
 * their own, one file at a time, after the rest has run on every CPU: two workers on two CPUs starve each
 * other's timers and such a test fails for the machine, not the code. With arguments, one plain jest run.
 */
const TIMED =
  "__tests__/lambda/|lambda-src/shared/pacing\\.test\\.ts|lambda-src/deprovisioning/(handler|budget)\\.test\\.ts";
const jestBin = [process.execPath, path.join(root, "node_modules", "jest", "bin", "jest.js")];
const args = process.argv.slice(2);
async function runJest() {
  if (args.length > 0) return run("jest", [...jestBin, ...args], { buffered: false });
  const rest = await run("jest", [...jestBin, "--testPathIgnorePatterns", TIMED], { buffered: false });
  const timed = await run("jest (timed tests, one at a time)", [...jestBin, "--runInBand", TIMED], {
    buffered: false,
  });
  return { code: rest.code || timed.code };
}
const jest = checks.some((check) => check.name === "npm run build:lambda" && check.code !== 0)
  ? { code: 1 }
  : await runJest();
process.exitCode = failed?.code ?? jest.code;
