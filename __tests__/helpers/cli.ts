/**
 * Shared setup of the tests of the commands in cli/: what they print, and stacks "deployed" the way the
 * commands find them (cdktf.out/stacks/<stack>, read with `terraform output`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { tempDir } from "./temp-dirs";
import { applyOffline } from "./terraform-cli";

export interface CapturedConsole {
  /** One entry per console.log call, its arguments joined by spaces. */
  readonly log: string[];
  /** One entry per console.error call, its arguments joined by spaces. */
  readonly error: string[];
  /** What console.log printed, each call a line. */
  stdout(): string;
  /** What console.error printed, each call a line. */
  stderr(): string;
  restore(): void;
}

/** Records console.log and console.error (printing nothing) until restore() or jest.restoreAllMocks(). */
export function captureConsole(): CapturedConsole {
  const log: string[] = [];
  const error: string[] = [];
  const logSpy = jest
    .spyOn(console, "log")
    .mockImplementation((...a: unknown[]) => void log.push(a.join(" ")));
  const errorSpy = jest
    .spyOn(console, "error")
    .mockImplementation((...a: unknown[]) => void error.push(a.join(" ")));
  const text = (lines: string[]) => lines.map((l) => `${l}\n`).join("");
  return {
    log,
    error,
    stdout: () => text(log),
    stderr: () => text(error),
    restore: () => {
      logSpy.mockRestore();
      errorSpy.mockRestore();
    },
  };
}

/**
 * A stack directory in `outdir` as `cdktf synth` lays it out, whose configuration has only the given outputs,
 * applied to a local state (unless `apply` is false) so that `terraform output` answers there.
 */
export function deployedStack(
  outdir: string,
  stack: string,
  outputs: Record<string, unknown>,
  apply = true,
): string {
  const dir = path.join(outdir, "stacks", stack);
  fs.mkdirSync(dir, { recursive: true });
  const output = Object.fromEntries(Object.entries(outputs).map(([name, value]) => [name, { value }]));
  fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify({ output }, null, 2));
  if (apply) applyOffline(dir);
  return dir;
}

/**
 * A config file for an environment (the example with `environment` and `change` applied), for BRIDGE_CONFIG:
 * every command takes its config from there and checks `--env` against it.
 */
export function configFileFor(
  environment: string,
  change: (config: Record<string, any>) => void = () => {}, // eslint-disable-line @typescript-eslint/no-explicit-any
): string {
  const example = JSON.parse(
    fs.readFileSync(path.join(__dirname, "..", "..", "config", "example.json"), "utf8"),
  ) as Record<string, unknown>;
  const config = { ...example, environment };
  change(config);
  const file = path.join(tempDir("bridge-config-"), `${environment}.json`);
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}
