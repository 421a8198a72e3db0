/**
 * A local AWS STS endpoint for tests, speaking STS's Query protocol (form-encoded `Action=AssumeRole…`
 * POSTs, XML responses and `<ErrorResponse>` errors, as the SDK expects), for AssumeRole as the STS API
 * reference (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html) and its model
 * (sts 2011-06-15, botocore 1.43.11) define it:
 * - RoleArn 20-2048 characters (and an IAM role ARN), RoleSessionName 2-64 of `[\w+=,.@-]*`,
 *   DurationSeconds 900-43200 and at most the role's maximum session duration: else ValidationError (400);
 * - a role that does not exist or does not trust the caller: AccessDenied (403), "User: … is not authorized
 *   to perform: sts:AssumeRole on resource: …";
 * - requests must be SigV4-signed for `sts` in the server's region.
 *
 * Test knobs: the lifetime of issued credentials (to test refreshes), throttling, hangs, delays. The
 * credentials it issues can be checked by the other test servers (`authorizeIssued`).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { credentialScope, scopeError, ServiceError } from "./aws-json-server";

export interface TestRole {
  /** Access key ids allowed to assume the role (the Lambda's credentials); undefined: anyone. */
  readonly trustedAccessKeyIds?: readonly string[];
  /** MaxSessionDuration of the role, in seconds (default 3600). */
  readonly maxSessionDuration?: number;
}

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly roleArn: string;
  readonly sessionName: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

export interface StsCall {
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
  readonly accessKeyId: string | undefined;
  readonly signedRegion: string | undefined;
  readonly at: number;
  outcome: string;
}

const ROLE_ARN_PATTERN = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME_PATTERN = /^[\w+=,.@-]*$/;

function xmlEscape(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export class StsTestServer {
  readonly calls: StsCall[] = [];
  readonly issued = new Map<string, IssuedCredentials>();
  /** Lifetime of issued credentials; default: DurationSeconds. */
  credentialLifetimeMs: number | undefined;

  private readonly roles = new Map<string, TestRole>();
  private readonly startedAt = performance.now();
  private throttleRemaining = 0;
  private hanging = false;
  private delayMs = 0;

  private constructor(
    private readonly server: Server,
    readonly region: string,
    readonly endpoint: string,
  ) {}

  static async start(options: { region?: string } = {}): Promise<StsTestServer> {
    const server = createServer();
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const instance = new StsTestServer(
      server,
      options.region ?? "us-east-1",
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
    server.on("request", (request: IncomingMessage, response: ServerResponse) => {
      instance.handle(request, response).catch((error: unknown) => {
        instance.sendError(response, new ServiceError("InternalFailure", String(error), 500));
      });
    });
    return instance;
  }

  addRole(roleArn: string, role: TestRole = {}): void {
    this.roles.set(roleArn, role);
  }

  /** The account GetCallerIdentity names for credentials this STS did not issue (default 000000000000). */
  private readonly callerAccounts = new Map<string, string>();
  setCallerAccount(accessKeyId: string, account: string): void {
    this.callerAccounts.set(accessKeyId, account);
  }

  throttleNext(count: number): void {
    this.throttleRemaining = count;
  }

  /** Never answer again (until `hang(false)`). */
  hang(on = true): void {
    this.hanging = on;
  }

  /** Answer every request only after `ms` milliseconds. */
  delay(ms: number): void {
    this.delayMs = ms;
  }

  callsOf(action: string): StsCall[] {
    return this.calls.filter((call) => call.action === action);
  }

  /**
   * An `authorize` hook for another test server: only credentials this STS issued, and only until they
   * expire (ExpiredTokenException, as AWS answers an expired session token).
   */
  authorizeIssued(): (accessKeyId: string) => ServiceError | undefined {
    return (accessKeyId) => {
      const issued = this.issued.get(accessKeyId);
      if (issued === undefined) {
        return new ServiceError(
          "UnrecognizedClientException",
          "The security token included in the request is invalid.",
          400,
        );
      }
      if (Date.now() >= issued.expiresAt) {
        return new ServiceError(
          "ExpiredTokenException",
          "The security token included in the request is expired",
          400,
        );
      }
      return undefined;
    };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
    const scope = credentialScope(request.headers.authorization, "sts");
    const call: StsCall = {
      action: params.Action ?? "",
      params,
      accessKeyId: scope?.accessKeyId,
      signedRegion: scope?.region,
      at: performance.now() - this.startedAt,
      outcome: "pending",
    };
    this.calls.push(call);
    const fail = (error: ServiceError): void => {
      call.outcome = error.type;
      this.sendError(response, error);
    };
    if (
      request.method !== "POST" ||
      !String(request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")
    ) {
      return fail(new ServiceError("InvalidAction", "Expected a form-encoded POST", 400));
    }
    const unsigned = scopeError(scope, this.region, {
      missing: ["MissingAuthenticationToken", "Request is missing Authentication Token"],
      wrongRegion: "SignatureDoesNotMatch",
    });
    if (unsigned !== undefined || scope === undefined) return fail(unsigned!);
    if (params.Version !== "2011-06-15")
      return fail(new ServiceError("InvalidParameterValue", "Unsupported Version", 400));
    if (params.Action !== "AssumeRole" && params.Action !== "GetCallerIdentity")
      return fail(new ServiceError("InvalidAction", `Could not find operation ${params.Action}`, 400));
    if (this.hanging) {
      call.outcome = "hung";
      return;
    }
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.throttleRemaining > 0) {
      this.throttleRemaining -= 1;
      return fail(new ServiceError("Throttling", "Rate exceeded", 400));
    }
    try {
      const body =
        params.Action === "GetCallerIdentity"
          ? this.getCallerIdentity(scope.accessKeyId)
          : this.assumeRole(params, scope.accessKeyId);
      call.outcome = "ok";
      response.writeHead(200, { "Content-Type": "text/xml", "x-amzn-RequestId": randomUUID() });
      response.end(body);
    } catch (error) {
      if (error instanceof ServiceError) return fail(error);
      throw error;
    }
  }

  /** GetCallerIdentity (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html). */
  private getCallerIdentity(accessKeyId: string): string {
    const issued = this.issued.get(accessKeyId);
    const match = issued === undefined ? null : ROLE_ARN_PATTERN.exec(issued.roleArn);
    const account = match?.[1] ?? this.callerAccounts.get(accessKeyId) ?? "000000000000";
    const arn =
      issued === undefined || match === null
        ? `arn:aws:iam::${account}:user/caller`
        : `arn:aws:sts::${account}:assumed-role/${xmlEscape(match[2]!)}/${xmlEscape(issued.sessionName)}`;
    return `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>${arn}</Arn>
    <UserId>AIDA${accessKeyId.slice(-8)}</UserId>
    <Account>${account}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`;
  }

  private assumeRole(params: Record<string, string>, callerAccessKeyId: string): string {
    const roleArn = params.RoleArn ?? "";
    const sessionName = params.RoleSessionName ?? "";
    const problems: string[] = [];
    if (roleArn.length < 20 || roleArn.length > 2048) {
      problems.push(
        "Value at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048",
      );
    }
    if (sessionName.length < 2 || sessionName.length > 64 || !SESSION_NAME_PATTERN.test(sessionName)) {
      problems.push(
        "Value at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64 and satisfy regular expression pattern: [\\w+=,.@-]*",
      );
    }
    const duration = params.DurationSeconds === undefined ? 3600 : Number(params.DurationSeconds);
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
      problems.push(
        "Value at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200",
      );
    }
    if (problems.length > 0) {
      throw new ServiceError(
        "ValidationError",
        `${problems.length} validation error${problems.length > 1 ? "s" : ""} detected: ${problems.join("; ")}`,
      );
    }
    const match = ROLE_ARN_PATTERN.exec(roleArn);
    const role = this.roles.get(roleArn);
    const trusted = role !== undefined && (role.trustedAccessKeyIds?.includes(callerAccessKeyId) ?? true);
    if (match === null || !trusted) {
      throw new ServiceError(
        "AccessDenied",
        `User: arn:aws:sts::000000000000:assumed-role/caller/${callerAccessKeyId} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        403,
      );
    }
    if (duration > (role.maxSessionDuration ?? 3600)) {
      throw new ServiceError(
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
      );
    }
    const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
    const expiresAt = Date.now() + (this.credentialLifetimeMs ?? duration * 1000);
    this.issued.set(accessKeyId, { accessKeyId, roleArn, sessionName, expiresAt });
    const account = match[1];
    const roleName = match[2];
    return `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>${accessKeyId}</AccessKeyId>
      <SecretAccessKey>${randomBytes(20).toString("base64")}</SecretAccessKey>
      <SessionToken>${randomBytes(48).toString("base64")}</SessionToken>
      <Expiration>${new Date(expiresAt).toISOString()}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <AssumedRoleId>AROA${randomBytes(8).toString("hex").toUpperCase()}:${xmlEscape(sessionName)}</AssumedRoleId>
      <Arn>arn:aws:sts::${account}:assumed-role/${xmlEscape(roleName)}/${xmlEscape(sessionName)}</Arn>
    </AssumedRoleUser>
    <PackedPolicySize>0</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>
</AssumeRoleResponse>`;
  }

  private sendError(response: ServerResponse, error: ServiceError): void {
    if (response.headersSent || response.destroyed) return;
    const type = error.status >= 500 ? "Receiver" : "Sender";
    const body = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>${type}</Type><Code>${error.type}</Code><Message>${xmlEscape(error.message)}</Message></Error>
  <RequestId>${randomUUID()}</RequestId>
</ErrorResponse>`;
    response.writeHead(error.status, { "Content-Type": "text/xml", "x-amzn-RequestId": randomUUID() });
    response.end(body);
  }
}
