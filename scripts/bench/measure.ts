/**
 * What every bench scenario shares: the scratch directory, timing of commands (wall and CPU), medians of
 * interleaved runs, and the list of figures the runner reports (scripts/bench.ts).
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { BenchResults, Figure, Measure } from "./report";

export const ROOT = path.join(__dirname, "..", "..");
/** Cognito waits 5 s for the trigger, and tries it up to 3 times (Amazon Cognito Developer Guide, Lambda triggers). */
export const COGNITO_TIMEOUT_MS = 5000;
export const COGNITO_ATTEMPTS = 3;

export const baseEnv: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1" };
delete baseEnv.BRIDGE_CONFIG;
export const scratch = mkdtempSync(path.join(os.tmpdir(), "bridge-bench-"));
export const figures: Figure[] = [];
export const bundleChoices: BenchResults["bundleChoices"] = [];
let scratchCount = 0;

/** A new path under the scratch directory. */
export function fresh(name: string): string {
  return path.join(scratch, `${name}-${(scratchCount += 1)}`);
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const median = (values: number[]): number => percentile(values, 50);

/** `npm` and `npx` as the running npm (when the bench was started by npm), else from PATH. */
export function npmCommands(): { npm: string[]; npx: string[] } {
  const npm = process.env.npm_execpath?.endsWith(".js")
    ? [process.execPath, process.env.npm_execpath]
    : ["npm"];
  const npx = npm.length === 2 ? [process.execPath, path.join(path.dirname(npm[1]), "npx-cli.js")] : ["npx"];
  return { npm, npx };
}

/** Wall time of a command in ms; fails loudly if the command fails. */
export function timed(command: string, args: string[], options: SpawnSyncOptions = {}): number {
  return timedWithCpu(command, args, options).wallMs;
}

/**
 * CPU seconds (user + system) of this process's waited-for children so far, from /proc (Linux); undefined
 * elsewhere. The difference around a spawnSync is that command's CPU, its own children included.
 */
export function childrenCpuMs(): number | undefined {
  const stat = "/proc/self/stat";
  if (!existsSync(stat)) return undefined;
  const fields = readFileSync(stat, "utf8").split(") ")[1].split(" ");
  // After "pid (comm) ": state is field 0; cutime and cstime are fields 13 and 14, in clock ticks (100/s).
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** Wall time and CPU time (undefined where /proc is missing) of a command in ms; fails if it fails. */
export function timedWithCpu(
  command: string,
  args: string[],
  options: SpawnSyncOptions = {},
): { wallMs: number; cpuMs: number | undefined } {
  const cpuBefore = childrenCpuMs();
  const started = process.hrtime.bigint();
  const run = spawnSync(command, args, { cwd: ROOT, env: baseEnv, encoding: "utf8", ...options });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0)
    throw new Error(`${command} ${args.join(" ")} failed (${run.status}):\n${run.stderr}${run.stdout}`);
  const cpuAfter = childrenCpuMs();
  return {
    wallMs,
    cpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
  };
}

/** Medians of `runs` interleaved runs of each command (a load spike hits all of them alike). */
export function interleaved(runs: number, commands: Array<() => number>): number[] {
  const times = commands.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) commands.forEach((command, j) => times[j].push(command()));
  return times.map(median);
}

/** Records one figure of the report. */
export function figure(
  section: string,
  measure: Measure,
  comparison?: Measure,
  target?: Figure["target"],
  options: { ratio?: boolean } = {},
): void {
  figures.push({ section, ...measure, comparison, ratio: options.ratio ?? comparison !== undefined, target });
}

/** Every file under `dir`: relative path → sha256. */
export function tree(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" }).sort()) {
    const full = path.join(dir, file);
    if (statSync(full).isFile())
      entries[file] = createHash("sha256").update(readFileSync(full)).digest("hex");
  }
  return entries;
}
