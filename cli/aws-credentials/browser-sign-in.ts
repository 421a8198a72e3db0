/**
 * Signing in with the user pool's hosted UI: authorization code + PKCE with a loopback callback, the token
 * endpoint (also for the refresh-token grant), and starting the system's browser.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as http from "node:http";
import { CommandError, type FederationSettings } from "./settings";

const SCOPES = "openid email profile";

/** Things a test replaces: the browser. */
export interface Dependencies {
  /** Opens the URL for the person; the default starts the system browser. */
  readonly openBrowser: (url: string) => Promise<void>;
}

export interface TokenResponse {
  readonly id_token: string;
  readonly refresh_token?: string;
}

export class TokenEndpointError extends Error {
  constructor(
    readonly error: string,
    description: string,
  ) {
    super(description ? `${error}: ${description}` : error);
  }
}

/** POST to the hosted domain's /oauth2/token (Cognito: public clients send client_id and no secret). */
export async function tokenRequest(
  s: FederationSettings,
  form: Record<string, string>,
): Promise<TokenResponse> {
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

export async function browserSignIn(
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
