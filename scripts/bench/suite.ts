/**
 * Bench scenario "suite": what a contributor waits for, `npm test`, as scripts/test.mjs runs it: type-check,
 * lint and the Lambda bundles side by side, then Jest alone. Each figure is a wall time beside the CPU time
 * (user + system, child processes included) it took. Caches are left as they are (Jest's transforms,
 * ESLint's and Prettier's), so this is the loop of a contributor, not of a clean clone.
 */
import { spawn } from "node:child_process";
import { childrenCpuMs, figure, npmCommands, ROOT } from "./measure";

/** Wall time of a command run asynchronously (so several can run side by side); fails if it fails. */
function wallOf(command: string[]): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) =>
      code === 0
        ? resolve(Number(process.hrtime.bigint() - started) / 1e6)
        : reject(new Error(`${command.join(" ")} failed (${code}):\n${stderr}`)),
    );
  });
}

/** Wall and CPU ms of `commands` run side by side. */
async function sideBySide(
  commands: string[][],
): Promise<{ wallMs: number[]; totalMs: number; cpuMs?: number }> {
  const cpuBefore = childrenCpuMs();
  const started = process.hrtime.bigint();
  const wallMs = await Promise.all(commands.map(wallOf));
  const totalMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpuAfter = childrenCpuMs();
  return {
    wallMs,
    totalMs,
    cpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
  };
}

export async function suite(): Promise<void> {
  const { npm } = npmCommands();
  const section = "tests (`npm test`)";
  const scripts = ["build", "lint", "build:lambda"];
  const checks = await sideBySide(scripts.map((script) => [...npm, "run", "--silent", script]));
  scripts.forEach((script, i) =>
    figure(section, {
      label: `\`npm run ${script}\` (side by side): wall`,
      value: checks.wallMs[i] / 1000,
      unit: "s",
    }),
  );
  const cpu = (ms: number | undefined) =>
    ms === undefined ? undefined : { label: "CPU (user + system)", value: ms / 1000, unit: "s" as const };
  figure(
    section,
    { label: "type-check, lint and bundles together: wall", value: checks.totalMs / 1000, unit: "s" },
    cpu(checks.cpuMs),
    undefined,
    { ratio: false },
  );
  const jest = await sideBySide([[process.execPath, "node_modules/jest/bin/jest.js", "--silent"]]);
  figure(
    section,
    { label: "`npx jest` (every test file): wall", value: jest.totalMs / 1000, unit: "s" },
    cpu(jest.cpuMs),
    { text: "< 60 s", met: jest.totalMs < 60_000 },
    { ratio: false },
  );
  const total = checks.totalMs + jest.totalMs;
  figure(section, { label: "`npm test` in all: wall", value: total / 1000, unit: "s" }, undefined, {
    text: "≤ 90 s",
    met: total <= 90_000,
  });
}
