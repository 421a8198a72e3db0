/**
 * Checks a config without synthesizing anything:
 *
 *   npm run validate [-- [--quiet] [FILE]]
 *
 * FILE defaults to BRIDGE_CONFIG, else config/example.json. Only the config modules load here (zod, no cdktf,
 * no provider bindings), so it answers in about a second: CI and `npm run synth` run it first.
 */
import { configWarnings, displayPath, loadConfig, resolveConfigPath } from "../config";
import { expectEnvironment, runAsScript, runCommand, UsageError } from "./shared/command";

const USAGE = `Usage: npm run validate -- [--quiet] [--env ENV] [FILE]

Validates a bridge config (FILE, else BRIDGE_CONFIG, else config/example.json) and lists every problem
with the field, the value found and the form expected. Exit code 0 when valid, 1 when not.

Options:
  --quiet      print nothing unless the config is invalid (no warnings, no summary)
  --env ENV    the config must be this environment's (as every command checks --env)
  -h, --help   show this help`;

/** Runs the command; returns the process exit code (0 valid, 1 invalid, 2 usage error). */
export function main(argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  return runCommand(
    {
      name: "validate",
      usage: USAGE,
      options: { quiet: { type: "boolean", default: false }, env: { type: "string" } },
      positionals: true,
    },
    argv,
    ({ values, positionals }) => {
      if (positionals.length > 1) throw new UsageError("expected at most one config file");
      const file = positionals[0] ?? resolveConfigPath(env);
      const config = loadConfig(file);
      if (values.env !== undefined) expectEnvironment(config, values.env, file);
      if (!values.quiet) {
        for (const warning of configWarnings(config)) console.error(`Warning: ${warning}`);
        const stacks = [
          "identity-center",
          "cognito",
          "cloudflare-access",
          ...(config.identityCenter.trustedTokenIssuer ? ["identity-propagation"] : []),
        ].map((s) => `${config.environment}-${s}`);
        console.log(
          `✔ ${displayPath(file)} is valid: environment ${config.environment}, stacks ${stacks.join(", ")}`,
        );
      }
      return 0;
    },
  );
}

runAsScript(module, main);
