/**
 * Checks a config without synthesizing anything:
 *
 *   npm run validate [-- [--quiet] [FILE]]
 *
 * FILE defaults to BRIDGE_CONFIG, else config/example.json. Only the config modules load here (zod, no cdktf,
 * no provider bindings), so it answers in about a second: CI and `npm run synth` run it first.
 */
import { parseArgs } from "node:util";
import { ConfigError, configWarnings, displayPath, loadConfig, resolveConfigPath } from "../config";

const USAGE = `Usage: npm run validate -- [--quiet] [FILE]

Validates a bridge config (FILE, else BRIDGE_CONFIG, else config/example.json) and lists every problem
with the field, the value found and the form expected. Exit code 0 when valid, 1 when not.

Options:
  --quiet      print nothing unless the config is invalid (no warnings, no summary)
  -h, --help   show this help`;

/** Runs the command; returns the process exit code (0 valid, 1 invalid, 2 usage error). */
export function main(argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  let values: { quiet: boolean; help: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        quiet: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: true,
    }));
    if (positionals.length > 1) throw new Error("expected at most one config file");
  } catch (e) {
    console.error(`validate: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const file = positionals[0] ?? resolveConfigPath(env);
  try {
    const config = loadConfig(file);
    if (!values.quiet) {
      for (const warning of configWarnings(config)) console.error(`Warning: ${warning}`);
      const stacks = ["identity-center", "cognito", "cloudflare-access"].map(
        (s) => `${config.environment}-${s}`,
      );
      console.log(
        `✔ ${displayPath(file)} is valid: environment ${config.environment}, stacks ${stacks.join(", ")}`,
      );
    }
    return 0;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
