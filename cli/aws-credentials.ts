/**
 * AWS credentials for an IAM federation role, for the AWS CLI and SDKs' `credential_process`:
 *
 *   npm run --silent aws-credentials -- --role NAME [--env ENV | --settings FILE] [--duration SECONDS]
 *
 * Signs the person in with the user pool's hosted UI (authorization code + PKCE, loopback callback), or with
 * the cached refresh token when it is still valid, then trades the ID token for role credentials with
 * STS AssumeRoleWithWebIdentity (an unsigned call: no AWS credentials needed) and prints them as
 * `credential_process` JSON on stdout. Everything else goes to stderr.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { AWS_SESSION_TAGS_CLAIM, SESSION_TAG_KEYS } from "../lambda-src/pre-token-generation/contract";
import { runAsScript, runAsyncCommand, UsageError } from "./shared/command";
import { deployedStackOutputs, environmentStack, OUTDIR_OPTION } from "./shared/stack-outputs";

/** The `iam_federation` output of the cognito stack. */
export const SETTINGS_OUTPUT = "iam_federation";
const SCOPES = "openid email profile";
const DEFAULT_TIMEOUT_SECONDS = 180;

const USAGE = `Usage: npm run --silent aws-credentials -- --role NAME [options]

Prints AWS credentials for an IAM federation role as credential_process JSON. The first time, and
whenever the cached sign-in has expired, it opens the Cognito hosted UI in your browser.

Options:
  --role NAME        the role (cognito.iamFederation.roles[].name)
  --env ENV          environment: reads the iam_federation output of the <env>-cognito stack
                     (default: "environment" of the config in BRIDGE_CONFIG or config/example.json)
  --settings FILE    that output saved with \`terraform output -json iam_federation > FILE\`
                     (no Terraform state access needed; this is what you give to people)
  --outdir DIR       cdktf output directory for --env (default: cdktf.out)
  --duration SECONDS session length, 900 up to the role's maximum (default: the maximum)
  --timeout SECONDS  how long to wait for the browser sign-in (default: ${DEFAULT_TIMEOUT_SECONDS})
  --no-browser       fail instead of opening the browser when there is no valid cached sign-in
  -h, --help         show this help

The refresh token is cached, readable only by you (0600), in $XDG_CACHE_HOME/idc-oidc-bridge
(default ~/.cache/idc-oidc-bridge).`;

export interface FederationSettings {
  readonly region: string;
  readonly domainUrl: string;
  readonly clientId: string;
  readonly callbackUrl: string;
  readonly roles: Readonly<
    Record<string, { arn: string; maxSessionDuration: number; requiredGroups: string[] }>
  >;
}

/** Things a test replaces: the browser and the clock's patience. */
export interface Dependencies {
  /** Opens the URL for the person; the default starts the system browser. */
  readonly openBrowser: (url: string) => Promise<void>;
}

class CommandError extends Error {}

/** The `iam_federation` value, checked field by field. */
export function parseSettings(value: unknown, source: string): FederationSettings {
  const v = (value ?? {}) as Record<string, unknown>;
  const fail = (field: string, expected: string): never => {
    throw new CommandError(`${source}: ${field}: expected ${expected}; got ${JSON.stringify(v[field])}`);
  };
  const str = (field: string, test: (s: string) => boolean, expected: string): string =>
    typeof v[field] === "string" && test(v[field] as string) ? (v[field] as string) : fail(field, expected);
  // Plain http only for a loopback host: a test's fake, never a real domain.
  const webUrl = (s: string) =>
    /^https:\/\/[^/]+$/.test(s) || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(s);
  const settings = {
    region: str("region", (s) => /^[a-z]{2}(-[a-z]+)+-\d$/.test(s), "an AWS region"),
    domainUrl: str("domain_url", webUrl, "the hosted domain's https:// base URL"),
    clientId: str("client_id", (s) => /^[\w+]{1,128}$/.test(s), "a Cognito app client id"),
    callbackUrl: str(
      "callback_url",
      (s) => /^http:\/\/localhost:\d{1,5}\/callback$/.test(s),
      "http://localhost:<port>/callback",
    ),
  };
  const roles = v.roles;
  if (!roles || typeof roles !== "object" || Array.isArray(roles) || Object.keys(roles).length === 0) {
    fail("roles", "an object of role name → {arn, max_session_duration}");
  }
  return {
    ...settings,
    roles: Object.fromEntries(
      Object.entries(roles as Record<string, Record<string, unknown>>).map(([name, r]) => {
        if (typeof r?.arn !== "string" || !/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(r.arn)) {
          fail(`roles.${name}.arn`, "an IAM role ARN");
        }
        const max = r.max_session_duration;
        if (typeof max !== "number" || !Number.isInteger(max) || max < 3600 || max > 43200) {
          fail(`roles.${name}.max_session_duration`, "3600-43200 seconds");
        }
        const groups = Array.isArray(r.required_groups) ? r.required_groups.map(String) : [];
        return [name, { arn: r.arn as string, maxSessionDuration: max as number, requiredGroups: groups }];
      }),
    ),
  };
}

function readSettingsFile(file: string): FederationSettings {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new CommandError(`cannot read settings file ${file}: ${(e as Error).message}`, { cause: e });
  }
  return parseSettings(value, file);
}

// ---- Refresh-token cache ---------------------------------------------------------------------------------

/** `$XDG_CACHE_HOME/idc-oidc-bridge`, else `~/.cache/idc-oidc-bridge`. */
export function cacheDirectory(env: NodeJS.ProcessEnv): string {
  const base =
    env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)
      ? env.XDG_CACHE_HOME
      : path.join(env.HOME || os.homedir(), ".cache");
  return path.join(base, "idc-oidc-bridge");
}

/** One file per hosted domain and client, so environments never share a sign-in. */
export function cacheFile(env: NodeJS.ProcessEnv, s: FederationSettings): string {
  const key = createHash("sha256").update(`${s.domainUrl}\n${s.clientId}`).digest("hex").slice(0, 16);
  return path.join(cacheDirectory(env), `refresh-token-${key}.json`);
}

function readRefreshToken(file: string, log: (m: string) => void): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return undefined;
  }
  const posix = process.platform !== "win32" && process.getuid !== undefined;
  if (posix && ((stat.mode & 0o077) !== 0 || stat.uid !== process.getuid!())) {
    log(`ignoring ${file}: it must belong to you and be readable by you only (0600)`);
    fs.rmSync(file, { force: true });
    return undefined;
  }
  try {
    const token = (JSON.parse(fs.readFileSync(file, "utf8")) as { refresh_token?: unknown }).refresh_token;
    return typeof token === "string" && token !== "" ? token : undefined;
  } catch {
    return undefined;
  }
}

function writeRefreshToken(file: string, token: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.chmodSync(path.dirname(file), 0o700);
  // Written to a private temp file and renamed: the token is never briefly readable by others.
  const tmp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ refresh_token: token }), { mode: 0o600, flag: "wx" });
  fs.renameSync(tmp, file);
}

// ---- OAuth 2.0 with the hosted UI ---------------------------------------------------------------------------

interface TokenResponse {
  readonly id_token: string;
  readonly refresh_token?: string;
}

class TokenEndpointError extends Error {
  constructor(
    readonly error: string,
    description: string,
  ) {
    super(description ? `${error}: ${description}` : error);
  }
}

/** POST to the hosted domain's /oauth2/token (Cognito: public clients send client_id and no secret). */
async function tokenRequest(s: FederationSettings, form: Record<string, string>): Promise<TokenResponse> {
  let response: Response;
  try {
    response = await fetch(`${s.domainUrl}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({ ...form, client_id: s.clientId }).toString(),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    throw new CommandError(
      `cannot reach the token endpoint ${s.domainUrl}/oauth2/token: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Reported below with the status.
  }
  if (!response.ok) {
    if (typeof body.error === "string") {
      throw new TokenEndpointError(
        body.error,
        typeof body.error_description === "string" ? body.error_description : "",
      );
    }
    throw new CommandError(`token endpoint answered HTTP ${response.status}: ${text.slice(0, 200)}`);
  }
  if (typeof body.id_token !== "string") throw new CommandError("token endpoint returned no id_token");
  return {
    id_token: body.id_token,
    refresh_token: typeof body.refresh_token === "string" ? body.refresh_token : undefined,
  };
}

const base64url = (b: Buffer) => b.toString("base64url");

/** Waits for the hosted UI's redirect to the loopback callback (both IPv4 and IPv6 loopback). */
async function receiveCode(
  s: FederationSettings,
  state: string,
  timeoutSeconds: number,
  ready: () => Promise<void>,
): Promise<string> {
  const port = Number(new URL(s.callbackUrl).port);
  const servers: http.Server[] = [];
  let settle!: { resolve: (code: string) => void; reject: (e: Error) => void };
  const result = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  // Settled by the callback or the timer, possibly before it is awaited.
  result.catch(() => {});
  const page = (res: http.ServerResponse, status: number, text: string) => {
    res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(`<!doctype html><title>idc-oidc-bridge</title><p>${text}</p>`);
  };
  const handler: http.RequestListener = (req, res) => {
    const url = new URL(req.url ?? "/", s.callbackUrl);
    if (url.pathname !== "/callback") return page(res, 404, "Not found.");
    if (url.searchParams.get("state") !== state) {
      return page(res, 400, "This sign-in response is not for the running aws-credentials command.");
    }
    const error = url.searchParams.get("error");
    if (error) {
      page(res, 400, "Sign-in failed. You can close this tab.");
      const description = url.searchParams.get("error_description");
      return settle.reject(
        new CommandError(`sign-in failed: ${error}${description ? `: ${description}` : ""}`),
      );
    }
    const code = url.searchParams.get("code");
    if (!code) return page(res, 400, "The sign-in response has no code.");
    page(res, 200, "Signed in. You can close this tab and return to the terminal.");
    settle.resolve(code);
  };
  const listen = (host: string) =>
    new Promise<void>((resolve, reject) => {
      const server = http.createServer(handler);
      server.once("error", (e: NodeJS.ErrnoException) => {
        // A machine without IPv6 loopback still signs in over 127.0.0.1.
        if (host === "::1" && (e.code === "EADDRNOTAVAIL" || e.code === "EAFNOSUPPORT")) return resolve();
        reject(
          e.code === "EADDRINUSE"
            ? new CommandError(
                `port ${port} on ${host} is in use (the app client's callback is ${s.callbackUrl}): is another aws-credentials sign-in running?`,
              )
            : e,
        );
      });
      server.listen(port, host, () => {
        servers.push(server);
        resolve();
      });
    });
  const timer = setTimeout(
    () =>
      settle.reject(
        new CommandError(
          `no sign-in within ${timeoutSeconds} s: was the browser closed? Run the command again (or raise --timeout).`,
        ),
      ),
    timeoutSeconds * 1000,
  );
  try {
    await listen("127.0.0.1");
    await listen("::1");
    await ready();
    return await result;
  } finally {
    clearTimeout(timer);
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
  }
}

async function browserSignIn(
  s: FederationSettings,
  timeoutSeconds: number,
  deps: Dependencies,
  log: (m: string) => void,
): Promise<TokenResponse> {
  const verifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const authorize = new URL(`${s.domainUrl}/oauth2/authorize`);
  authorize.search = new URLSearchParams({
    response_type: "code",
    client_id: s.clientId,
    redirect_uri: s.callbackUrl,
    scope: SCOPES,
    state,
    code_challenge: base64url(createHash("sha256").update(verifier).digest()),
    code_challenge_method: "S256",
  }).toString();
  const code = await receiveCode(s, state, timeoutSeconds, async () => {
    log(`Opening the sign-in page in your browser. If it does not open, visit:\n  ${authorize.toString()}`);
    await deps
      .openBrowser(authorize.toString())
      .catch((e: Error) => log(`could not start a browser: ${e.message}`));
  });
  return tokenRequest(s, {
    grant_type: "authorization_code",
    code,
    redirect_uri: s.callbackUrl,
    code_verifier: verifier,
  });
}

/** Starts the system's browser (`$BROWSER`, else open / xdg-open / start) without waiting for it. */
export async function openSystemBrowser(url: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const [command, args] = env.BROWSER
    ? [env.BROWSER, [url]]
    : process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", "", url]]
        : ["xdg-open", [url]];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { detached: true, stdio: "ignore" });
    child.once("error", reject);
    child.once("spawn", () => {
      child.unref();
      resolve();
    });
  });
}

// ---- STS -------------------------------------------------------------------------------------------------

function claims(idToken: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(idToken.split(".")[1] ?? "", "base64url").toString("utf8"));
  } catch {
    return {};
  }
}

/** CloudTrail shows the session name: the person's email where it fits STS's pattern. */
export function roleSessionName(idToken: string): string {
  const email = claims(idToken).email;
  const name = typeof email === "string" ? email.replace(/[^\w+=,.@-]/g, "-").slice(0, 64) : "";
  return name.length >= 2 ? name : "idc-oidc-bridge";
}

function tokenGroups(idToken: string): string[] | undefined {
  const tags = claims(idToken)[AWS_SESSION_TAGS_CLAIM] as
    { principal_tags?: Record<string, unknown> } | undefined;
  const value = tags?.principal_tags?.[SESSION_TAG_KEYS.groups];
  const groups = Array.isArray(value) ? value[0] : value;
  return typeof groups === "string" ? groups.split(":").filter((g) => g !== "") : undefined;
}

async function assumeRole(
  s: FederationSettings,
  roleName: string,
  idToken: string,
  durationSeconds: number,
  env: NodeJS.ProcessEnv,
) {
  const role = s.roles[roleName];
  // AssumeRoleWithWebIdentity is unsigned (the SDK's no-auth scheme): the person needs no AWS credentials.
  const sts = new STSClient({
    region: s.region,
    endpoint: env.AWS_ENDPOINT_URL_STS || undefined,
    maxAttempts: 3,
  });
  try {
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: role.arn,
        RoleSessionName: roleSessionName(idToken),
        WebIdentityToken: idToken,
        DurationSeconds: durationSeconds,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new CommandError("STS returned no credentials");
    }
    return {
      Version: 1,
      AccessKeyId: c.AccessKeyId,
      SecretAccessKey: c.SecretAccessKey,
      SessionToken: c.SessionToken,
      Expiration: c.Expiration.toISOString(),
    };
  } catch (e) {
    if (e instanceof CommandError) throw e;
    const err = e as Error;
    if (err.name === "AccessDenied" || err.name === "AccessDeniedException") {
      const groups = tokenGroups(idToken);
      const needs =
        role.requiredGroups.length > 0
          ? ` It requires one of the groups ${role.requiredGroups.join(", ")}; your sign-in carries ${
              groups === undefined ? "no groups session tag" : groups.length ? groups.join(", ") : "no groups"
            }.`
          : "";
      throw new CommandError(`STS refused role ${roleName} (${role.arn}): ${err.message}.${needs}`, {
        cause: e,
      });
    }
    throw new CommandError(`STS AssumeRoleWithWebIdentity failed (${err.name}): ${err.message}`, {
      cause: e,
    });
  } finally {
    sts.destroy();
  }
}

// ---- Command -----------------------------------------------------------------------------------------------

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
        const stack = environmentStack(o.env, "cognito", env);
        const outputs = deployedStackOutputs(o.outdir, stack, env);
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
