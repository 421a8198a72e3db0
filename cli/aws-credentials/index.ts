/**
 * AWS credentials for an IAM federation role, for the AWS CLI and SDKs' `credential_process`:
 *
 *   npm run --silent aws-credentials -- --role NAME [--env ENV | --settings FILE] [--duration SECONDS]
 *
 * Signs the person in with the user pool's hosted UI (authorization code + PKCE, loopback callback), or with
 * the cached refresh token when it is still valid, then trades the ID token for role credentials with
 * STS AssumeRoleWithWebIdentity (an unsigned call: no AWS credentials needed) and prints them as
 * `credential_process` JSON on stdout. Everything else goes to stderr. The pieces: the hosted-UI sign-in
 * (browser-sign-in.ts), the refresh-token cache (token-cache.ts), the STS exchange (sts-exchange.ts) and the
 * settings (settings.ts); this file is the command.
 */
import * as fs from "node:fs";
import { awsSide, sideProcessEnv } from "../shared/aws-side";
import { commandConfig, runAsScript, runAsyncCommand, UsageError } from "../shared/command";
import { deployedStackOutputs, OUTDIR_OPTION } from "../shared/stack-outputs";
import {
  browserSignIn,
  openSystemBrowser,
  tokenRequest,
  TokenEndpointError,
  type Dependencies,
  type TokenResponse,
} from "./browser-sign-in";
import { CommandError, parseSettings, readSettingsFile, type FederationSettings } from "./settings";
import { assumeRole } from "./sts-exchange";
import { cacheFile, readRefreshToken, writeRefreshToken } from "./token-cache";

export type { Dependencies } from "./browser-sign-in";
export { parseSettings, type FederationSettings } from "./settings";
export { cacheDirectory, cacheFile } from "./token-cache";
export { openSystemBrowser } from "./browser-sign-in";
export { roleSessionName } from "./sts-exchange";

export const SETTINGS_OUTPUT = "iam_federation";
const DEFAULT_TIMEOUT_SECONDS = 180;

const USAGE = `Usage: npm run --silent aws-credentials -- --role NAME [options]

Prints AWS credentials for an IAM federation role as credential_process JSON. The first time, and
whenever the cached sign-in has expired, it opens the Cognito hosted UI in your browser.

Options:
  --role NAME        the role (cognito.iamFederation.roles[].name)
  --env ENV          environment: reads the iam_federation output of the <env>-cognito stack, as
                     cognito.assumeRoleArn when set (must be "environment" of the config in BRIDGE_CONFIG,
                     default config/example.json, which it defaults to)
  --settings FILE    that output saved with \`terraform output -json iam_federation > FILE\`
                     (no Terraform state access needed; this is what you give to people)
  --outdir DIR       cdktf output directory for --env (default: cdktf.out)
  --duration SECONDS session length, 900 up to the role's maximum (default: the maximum)
  --timeout SECONDS  how long to wait for the browser sign-in (default: ${DEFAULT_TIMEOUT_SECONDS})
  --no-browser       fail instead of opening the browser when there is no valid cached sign-in
  -h, --help         show this help

The refresh token is cached, readable only by you (0600), in $XDG_CACHE_HOME/idc-oidc-bridge
(default ~/.cache/idc-oidc-bridge).`;

function positiveInteger(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(
      `--${name}: expected an integer from ${min} to ${max}; got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** Runs the command; resolves to the exit code (0 ok, 1 failure, 2 usage error). */
export function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  deps: Dependencies = { openBrowser: (url) => openSystemBrowser(url, env) },
): Promise<number> {
  const log = (m: string) => console.error(m);
  return runAsyncCommand(
    {
      name: "aws-credentials",
      usage: USAGE,
      options: {
        role: { type: "string" },
        env: { type: "string" },
        settings: { type: "string" },
        ...OUTDIR_OPTION,
        duration: { type: "string" },
        timeout: { type: "string", default: String(DEFAULT_TIMEOUT_SECONDS) },
        "no-browser": { type: "boolean", default: false },
      },
      required: ["role"],
    },
    argv,
    async ({ values: o }) => {
      if (o.settings !== undefined && o.env !== undefined)
        throw new UsageError("give --env or --settings, not both");
      const timeout = positiveInteger("timeout", o.timeout, 1, 3600);

      let settings: FederationSettings;
      if (o.settings !== undefined) {
        settings = readSettingsFile(o.settings);
      } else {
        const { config } = commandConfig(env, o.env);
        const stack = `${config.environment}-cognito`;
        const outputs = deployedStackOutputs(
          o.outdir,
          stack,
          await sideProcessEnv(awsSide(config, "cognito"), "aws-credentials", env),
        );
        if (outputs[SETTINGS_OUTPUT] === undefined) {
          throw new CommandError(
            `stack ${stack} has no ${SETTINGS_OUTPUT} output: is cognito.iamFederation configured and deployed?`,
          );
        }
        settings = parseSettings(outputs[SETTINGS_OUTPUT], `output ${SETTINGS_OUTPUT} of ${stack}`);
      }
      const role = settings.roles[o.role];
      if (!role) {
        throw new CommandError(
          `unknown role ${JSON.stringify(o.role)}: expected one of ${Object.keys(settings.roles).join(", ")}`,
        );
      }
      const duration =
        o.duration === undefined
          ? role.maxSessionDuration
          : positiveInteger("duration", o.duration, 900, role.maxSessionDuration);

      const cache = cacheFile(env, settings);
      let tokens: TokenResponse | undefined;
      const refreshToken = readRefreshToken(cache, log);
      if (refreshToken !== undefined) {
        try {
          tokens = await tokenRequest(settings, { grant_type: "refresh_token", refresh_token: refreshToken });
          tokens = { ...tokens, refresh_token: tokens.refresh_token ?? refreshToken };
        } catch (e) {
          if (!(e instanceof TokenEndpointError) || e.error !== "invalid_grant") throw e;
          fs.rmSync(cache, { force: true });
          if (o["no-browser"]) {
            throw new CommandError(
              `the cached sign-in has expired or was revoked (${e.message}), and --no-browser is set: run without --no-browser to sign in again`,
            );
          }
          log("The cached sign-in has expired or was revoked: signing in again in the browser.");
        }
      } else if (o["no-browser"]) {
        throw new CommandError(
          "no cached sign-in, and --no-browser is set: run without --no-browser to sign in",
        );
      }
      tokens ??= await browserSignIn(settings, timeout, deps, log);
      if (tokens.refresh_token !== undefined) writeRefreshToken(cache, tokens.refresh_token);

      const credentials = await assumeRole(settings, o.role, tokens.id_token, duration, env);
      console.log(JSON.stringify(credentials));
      return 0;
    },
  );
}

runAsScript(module, main);
