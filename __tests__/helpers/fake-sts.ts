/**
 * A local STS that answers AssumeRoleWithWebIdentity over the AWS Query protocol, as strict as the STS API
 * reference for that action: Action and Version, RoleArn (20-2048 characters, an IAM role ARN),
 * RoleSessionName (2-64 of [\w+=,.@-]), WebIdentityToken (4-20000), DurationSeconds (900-43200 and at most
 * the role's maximum), an unsigned request, the token's RS256 signature, issuer, audience and expiry; the
 * documented error codes (AccessDenied 403, InvalidIdentityToken, ExpiredTokenException, ValidationError).
 * Which tokens a role accepts is the test's `trusts` predicate (the trust policies themselves are proven
 * with the IAM simulator elsewhere).
 */
import { randomBytes, randomUUID, verify, type KeyObject } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeRole {
  readonly maxSessionDuration: number;
  /** Whether the role's trust policy admits a token with these claims. */
  readonly trusts: (claims: Record<string, unknown>) => boolean;
}

export interface FakeStsOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly publicKey: KeyObject;
  readonly roles: Readonly<Record<string, FakeRole>>;
}

export interface StsRequest {
  readonly headers: http.IncomingHttpHeaders;
  readonly params: Record<string, string>;
}

const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

export class FakeSts {
  private server?: http.Server;
  readonly requests: StsRequest[] = [];
  url = "";

  constructor(private readonly options: FakeStsOptions) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
    this.requests.push({ headers: req.headers, params });
    const error = (status: number, code: string, message: string) =>
      xml(
        res,
        status,
        `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
    if (
      req.method !== "POST" ||
      !String(req.headers["content-type"]).startsWith("application/x-www-form-urlencoded")
    ) {
      return error(400, "InvalidAction", "POST with a form-encoded body expected");
    }
    if (params.Action !== "AssumeRoleWithWebIdentity" || params.Version !== "2011-06-15") {
      return error(400, "InvalidAction", "Could not find operation");
    }
    if (req.headers.authorization !== undefined || req.headers["x-amz-security-token"] !== undefined) {
      // Not an STS rule (signed calls are allowed), but the command promises never to need credentials.
      return error(400, "UnexpectedSignature", "the test expects an unsigned call");
    }
    const { RoleArn = "", RoleSessionName = "", WebIdentityToken = "", DurationSeconds = "3600" } = params;
    const arn = ROLE_ARN.exec(RoleArn);
    if (RoleArn.length < 20 || RoleArn.length > 2048 || !arn) {
      return error(
        400,
        "ValidationError",
        "1 validation error detected: Value at 'roleArn' failed to satisfy constraint",
      );
    }
    if (!/^[\w+=,.@-]{2,64}$/.test(RoleSessionName)) {
      return error(400, "ValidationError", "Value at 'roleSessionName' failed to satisfy constraint");
    }
    if (WebIdentityToken.length < 4 || WebIdentityToken.length > 20000) {
      return error(400, "ValidationError", "Value at 'webIdentityToken' failed to satisfy constraint");
    }
    const duration = Number(DurationSeconds);
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
      return error(400, "ValidationError", "Value at 'durationSeconds' failed to satisfy constraint");
    }
    const claims = this.verifiedClaims(WebIdentityToken);
    if (claims === "invalid")
      return error(400, "InvalidIdentityToken", "Couldn't verify the token signature");
    if ((claims.exp as number) * 1000 < Date.now())
      return error(400, "ExpiredTokenException", "Token is expired");
    if (claims.iss !== this.options.issuer)
      return error(400, "InvalidIdentityToken", "No OpenIDConnect provider found");
    if (claims.aud !== this.options.audience) {
      return error(400, "InvalidIdentityToken", "Incorrect token audience");
    }
    const role = this.options.roles[RoleArn];
    if (!role || !role.trusts(claims)) {
      return error(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
    }
    if (duration > role.maxSessionDuration) {
      return error(
        400,
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
      );
    }
    const expiration = new Date(Date.now() + duration * 1000).toISOString();
    const roleId = `AROA${randomBytes(8).toString("hex").toUpperCase()}`;
    xml(
      res,
      200,
      `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Audience>${claims.aud}</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::${arn[1]}:assumed-role/${arn[2]}/${RoleSessionName}</Arn>
      <AssumedRoleId>${roleId}:${RoleSessionName}</AssumedRoleId>
    </AssumedRoleUser>
    <Provider>${this.options.issuer.replace(/^https:\/\//, "")}</Provider>
    <Credentials>
      <AccessKeyId>ASIA${randomBytes(8).toString("hex").toUpperCase()}</AccessKeyId>
      <SecretAccessKey>${randomBytes(30).toString("base64")}</SecretAccessKey>
      <SessionToken>${randomBytes(64).toString("base64")}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
    <SubjectFromWebIdentityToken>${claims.sub}</SubjectFromWebIdentityToken>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`,
    );
  }

  private verifiedClaims(token: string): Record<string, unknown> | "invalid" {
    const [header, payload, signature] = token.split(".");
    if (!header || !payload || !signature) return "invalid";
    try {
      const ok = verify(
        "sha256",
        Buffer.from(`${header}.${payload}`),
        this.options.publicKey,
        Buffer.from(signature, "base64url"),
      );
      return ok ? JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) : "invalid";
    } catch {
      return "invalid";
    }
  }
}

function xml(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "text/xml" }).end(body);
}
