/**
 * A local stand-in for a Cognito user pool's hosted UI: the authorize and token endpoints for one public
 * app client, as strict as the Cognito developer guide's "Authorize endpoint" and "Token endpoint" pages
 * and RFC 7636 (PKCE): exact redirect_uri match, allowed scopes only, S256 challenge checked against the
 * verifier, single-use codes that expire after 5 minutes, form-encoded POSTs, OAuth error bodies. The ID
 * tokens are RS256 JWTs signed with the fake's key, so a fake STS can verify them.
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface Person {
  readonly sub: string;
  readonly email: string;
  /** What the JIT Lambda would put into the `groups` session tag (`:g1:g2:`); none: no tags claim. */
  readonly groups?: readonly string[];
}

interface PendingCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly method: string;
  readonly scopes: string[];
  readonly person: Person;
  readonly expires: number;
}

export interface FakeHostedUiOptions {
  readonly clientId: string;
  readonly callbackUrl: string;
  /** `iss` of the tokens (the pool issuer). */
  readonly issuer: string;
}

const ALLOWED_SCOPES = ["openid", "email", "profile"];
const UNRESERVED_43_128 = /^[A-Za-z0-9\-._~]{43,128}$/;

export class FakeHostedUi {
  readonly publicKey: KeyObject;
  private readonly privateKey: KeyObject;
  private server?: http.Server;
  private readonly codes = new Map<string, PendingCode>();
  private readonly refreshTokens = new Map<string, Person>();
  /** Who signs in when the browser reaches the authorize endpoint; `undefined`: the person cancels. */
  person: Person | undefined = { sub: "sub-1", email: "ada@initech.example", groups: ["readers"] };
  readonly log: { path: string; params: Record<string, string> }[] = [];
  baseUrl = "";

  constructor(private readonly options: FakeHostedUiOptions) {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.publicKey = publicKey;
    this.privateKey = privateKey;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Signs the person out everywhere: every refresh token stops working (Cognito: RevokeToken / GlobalSignOut). */
  revokeRefreshTokens(): void {
    this.refreshTokens.clear();
  }

  idToken(person: Person, audience = this.options.clientId, lifetimeSeconds = 3600): string {
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      sub: person.sub,
      iss: this.options.issuer,
      aud: audience,
      token_use: "id",
      email: person.email,
      email_verified: true,
      auth_time: now,
      iat: now,
      exp: now + lifetimeSeconds,
    };
    if (person.groups !== undefined) {
      payload["https://aws.amazon.com/tags"] = {
        principal_tags: { groups: [`:${person.groups.join(":")}:`], email: [person.email] },
      };
    }
    const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const input = `${part({ alg: "RS256", kid: "fake-key", typ: "JWT" })}.${part(payload)}`;
    return `${input}.${sign("sha256", Buffer.from(input), this.privateKey).toString("base64url")}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.baseUrl);
    if (req.method === "GET" && url.pathname === "/oauth2/authorize") {
      this.log.push({ path: url.pathname, params: Object.fromEntries(url.searchParams) });
      return this.authorize(url.searchParams, res);
    }
    if (req.method === "POST" && url.pathname === "/oauth2/token") {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      if (req.headers["content-type"] !== "application/x-www-form-urlencoded") {
        return json(res, 400, { error: "invalid_request", error_description: "form-encoded body required" });
      }
      const params = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      this.log.push({ path: url.pathname, params: Object.fromEntries(params) });
      return this.token(params, req.headers.authorization, res);
    }
    res.writeHead(404).end();
  }

  private authorize(q: URLSearchParams, res: http.ServerResponse): void {
    // Without a valid client and redirect URI Cognito shows an error page instead of redirecting.
    if (q.get("client_id") !== this.options.clientId || q.get("redirect_uri") !== this.options.callbackUrl) {
      res.writeHead(400, { "content-type": "text/plain" }).end("redirect_mismatch");
      return;
    }
    const redirect = (params: Record<string, string>) => {
      const to = new URL(this.options.callbackUrl);
      for (const [k, v] of Object.entries(params)) to.searchParams.set(k, v);
      const state = q.get("state");
      if (state !== null) to.searchParams.set("state", state);
      res.writeHead(302, { location: to.toString() }).end();
    };
    const scopes = (q.get("scope") ?? "").split(" ").filter(Boolean);
    if (q.get("response_type") !== "code") return redirect({ error: "unsupported_response_type" });
    if (scopes.length === 0 || scopes.some((s) => !ALLOWED_SCOPES.includes(s))) {
      return redirect({ error: "invalid_scope" });
    }
    const method = q.get("code_challenge_method") ?? "";
    const challenge = q.get("code_challenge") ?? "";
    if (method !== "S256" || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      return redirect({ error: "invalid_request", error_description: "S256 code_challenge required" });
    }
    if (this.person === undefined)
      return redirect({ error: "access_denied", error_description: "cancelled" });
    const code = randomUUID();
    this.codes.set(code, {
      clientId: this.options.clientId,
      redirectUri: this.options.callbackUrl,
      challenge,
      method,
      scopes,
      person: this.person,
      expires: Date.now() + 5 * 60_000,
    });
    redirect({ code });
  }

  private token(p: URLSearchParams, authorization: string | undefined, res: http.ServerResponse): void {
    if (p.get("client_id") !== this.options.clientId) return json(res, 400, { error: "invalid_client" });
    // A public client has no secret: a Basic header would be a confidential client's.
    if (authorization !== undefined) return json(res, 400, { error: "invalid_client" });
    const grant = p.get("grant_type");
    if (grant === "authorization_code") {
      const code = p.get("code") ?? "";
      const pending = this.codes.get(code);
      this.codes.delete(code); // single use, even when the exchange fails
      if (!pending || pending.expires < Date.now()) return json(res, 400, { error: "invalid_grant" });
      if (p.get("redirect_uri") !== pending.redirectUri) return json(res, 400, { error: "invalid_grant" });
      const verifier = p.get("code_verifier") ?? "";
      if (!UNRESERVED_43_128.test(verifier)) return json(res, 400, { error: "invalid_request" });
      if (createHash("sha256").update(verifier).digest("base64url") !== pending.challenge) {
        return json(res, 400, { error: "invalid_grant" });
      }
      const refreshToken = randomBytes(48).toString("base64url");
      this.refreshTokens.set(refreshToken, pending.person);
      return json(res, 200, {
        id_token: this.idToken(pending.person),
        access_token: randomBytes(24).toString("base64url"),
        refresh_token: refreshToken,
        token_type: "Bearer",
        expires_in: 3600,
      });
    }
    if (grant === "refresh_token") {
      const person = this.refreshTokens.get(p.get("refresh_token") ?? "");
      if (!person)
        return json(res, 400, { error: "invalid_grant", error_description: "Refresh Token has expired" });
      // Without refresh-token rotation Cognito returns no new refresh token.
      return json(res, 200, {
        id_token: this.idToken(person),
        access_token: randomBytes(24).toString("base64url"),
        token_type: "Bearer",
        expires_in: 3600,
      });
    }
    json(res, 400, { error: "unsupported_grant_type" });
  }
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
