/**
 * The one frame of every command in cli/: options parsed strictly with node:util parseArgs, `-h/--help`,
 * no empty option values, required options, and the exit code (0 ok, 1 failure, 2 usage error) with the
 * error printed on stderr (the usage after a usage error).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ConfigError, displayPath, loadConfig, resolveConfigPath } from "../../config";
import type { BridgeConfig } from "../../config/schema";

/** A wrong or missing command-line argument: the command prints its usage and exits 2. */
export class UsageError extends Error {}

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig["options"]>;

const HELP = { help: { type: "boolean", short: "h", default: false } } as const;

type ParseConfig<O extends ParseArgsOptionsConfig> = {
  options: O & typeof HELP;
  strict: true;
  allowPositionals: true;
};

type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<ParseConfig<O>>>;

/** What parseArgs makes of the command line: `values` typed by the options (required ones given), and `positionals`. */
export type ParsedArgs<O extends ParseArgsOptionsConfig, R extends keyof O = never> = {
  values: Parsed<O>["values"] & { [K in R]: string };
  positionals: string[];
};

export interface Command<O extends ParseArgsOptionsConfig, R extends keyof O & string = never> {
  /** The command's name, the prefix of its error lines. */
  readonly name: string;
  /** The text printed for --help and after a usage error. */
  readonly usage: string;
  /** Its options; -h/--help is added. A string option given must not be empty. */
  readonly options: O;
  /** String options that must be given. */
  readonly required?: readonly R[];
  /** Whether positional arguments are allowed (default: none). */
  readonly positionals?: boolean;
  /** Added to the error line of a failure, e.g. the AWS service and error name. */
  readonly errorDetail?: (error: Error) => string;
}

/** The parsed arguments, checked; undefined after printing the usage for --help. */
function parse<O extends ParseArgsOptionsConfig, R extends keyof O & string>(
  command: Command<O, R>,
  argv: string[],
): ParsedArgs<O, R> | undefined {
  let parsed: ParsedArgs<O, R>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...command.options, ...HELP },
      strict: true,
      allowPositionals: command.positionals ?? false,
    }) as ParsedArgs<O, R>;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const values = parsed.values as Record<string, unknown>;
  if (values.help) {
    console.log(command.usage);
    return undefined;
  }
  for (const name of command.required ?? []) {
    if (values[name] === undefined || values[name] === "") throw new UsageError(`--${name} is required`);
  }
  for (const [name, option] of Object.entries(command.options)) {
    if (option.type === "string" && values[name] === "") throw new UsageError(`--${name} must not be empty`);
  }
  return parsed;
}

function failed(command: Command<ParseArgsOptionsConfig, string>, e: unknown): number {
  const error = e instanceof Error ? e : new Error(String(e));
  // A config error already names its file and each problem.
  console.error(
    error instanceof ConfigError
      ? error.message
      : `${command.name}: ${error.message}${command.errorDetail?.(error) ?? ""}`,
  );
  if (error instanceof UsageError) {
    console.error(`\n${command.usage}`);
    return 2;
  }
  return 1;
}

/**
 * Runs a command on `argv`: prints the usage for --help, else runs `run` with the parsed arguments; returns
 * its exit code, or 2 after a usage error and 1 after any other error, printed on stderr.
 */
export function runCommand<O extends ParseArgsOptionsConfig, R extends keyof O & string = never>(
  command: Command<O, R>,
  argv: string[],
  run: (args: ParsedArgs<O, R>) => number,
): number {
  try {
    const args = parse(command, argv);
    return args === undefined ? 0 : run(args);
  } catch (e) {
    return failed(command, e);
  }
}

/** runCommand for a command that runs asynchronously. */
export async function runAsyncCommand<O extends ParseArgsOptionsConfig, R extends keyof O & string = never>(
  command: Command<O, R>,
  argv: string[],
  run: (args: ParsedArgs<O, R>) => Promise<number>,
): Promise<number> {
  try {
    const args = parse(command, argv);
    return args === undefined ? 0 : await run(args);
  } catch (e) {
    return failed(command, e);
  }
}

/** Runs `main` on the process's arguments when the file is run as a script, and sets the exit code. */
export function runAsScript(module: NodeJS.Module, main: (argv: string[]) => number | Promise<number>): void {
  if (require.main !== module) return;
  void Promise.resolve(main(process.argv.slice(2))).then((code) => (process.exitCode = code));
}

export interface CommandConfig {
  readonly config: BridgeConfig;
  /** The file it came from. */
  readonly file: string;
}

/**
 * The one rule of every command and script for the config and `--env`: the config is BRIDGE_CONFIG, else
 * config/example.json; `--env ENV`, where given, must be that config's `environment` (else a config error
 * naming the field), and without it the environment is the config's. `given` replaces the file (tests).
 */
export function commandConfig(
  env: NodeJS.ProcessEnv,
  requestedEnvironment: string | undefined,
  given?: BridgeConfig,
): CommandConfig {
  const file = resolveConfigPath(env);
  const config = given ?? loadConfig(file);
  if (requestedEnvironment !== undefined) expectEnvironment(config, requestedEnvironment, file);
  return { config, file };
}

/** A config chosen for `--env ENV` must be that environment's. */
export function expectEnvironment(config: BridgeConfig, expected: string, file: string): void {
  if (config.environment !== expected) {
    throw new ConfigError(displayPath(file), [
      {
        path: "environment",
        message: `expected the environment given with --env (${expected})`,
        value: JSON.stringify(config.environment),
      },
    ]);
  }
}
