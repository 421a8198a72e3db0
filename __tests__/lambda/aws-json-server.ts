/**
 * Building blocks of the local AWS test servers: the AWS JSON 1.1 protocol (`POST /` with
 * `X-Amz-Target: <prefix>.<Operation>`, errors as `__type` + the `x-amzn-ErrorType` header, as AWS sends
 * them, so the real SDK maps them to its exception classes), a SigV4 credential-scope check, request
 * validation against Smithy-style shapes (lengths, patterns, ranges, required and unknown members), a
 * per-operation token bucket, and test knobs (throttle, fail with 5xx, hang, delay, run a hook before a
 * call) with a log of every call.
 *
 * Patterns are full matches: AWS rejects `has space@example.com` for `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

export type Json = Record<string, unknown>;

export class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    /** Members of the error body besides `__type` and the message (`Reason`, `ResourceType`, …). */
    readonly fields: Json = {},
    /** HTTP headers of the error response (`Retry-After`, …). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---- shapes --------------------------------------------------------------------------------------

export type Shape =
  | {
      readonly kind: "string";
      readonly min?: number;
      readonly max?: number;
      /** Full-match pattern and its text as the API reference prints it. */
      readonly pattern?: readonly [RegExp, string];
      readonly enum?: readonly string[];
    }
  | { readonly kind: "integer"; readonly min?: number; readonly max?: number }
  | { readonly kind: "boolean" }
  | { readonly kind: "document" }
  | { readonly kind: "list"; readonly member: Shape; readonly min?: number; readonly max?: number }
  | {
      readonly kind: "map";
      readonly key: Shape;
      readonly value: Shape;
      readonly min?: number;
      readonly max?: number;
    }
  | {
      readonly kind: "structure" | "union";
      readonly members: Readonly<Record<string, Shape>>;
      readonly required?: readonly string[];
    };

/** Smithy's camelCase member path, as AWS names fields in validation messages (`name.givenName`). */
function memberPath(path: string, member: string): string {
  const camel = member.charAt(0).toLowerCase() + member.slice(1);
  return path === "" ? camel : `${path}.${camel}`;
}

/**
 * Checks `value` against `shape`. Wrong JSON types raise a SerializationException at once (as AWS's
 * deserializer does); constraint violations are collected into `problems`, worded like AWS's messages.
 */
export function validate(shape: Shape, value: unknown, path: string, problems: string[]): void {
  const typeError = (expected: string): never => {
    throw new ServiceError(
      "SerializationException",
      `Unexpected type at '${path || "request"}': expected ${expected}`,
    );
  };
  const constraint = (text: string): void => {
    problems.push(`Value at '${path}' failed to satisfy constraint: ${text}`);
  };
  switch (shape.kind) {
    case "string": {
      if (typeof value !== "string") return typeError("a string");
      const length = [...value].length;
      if (shape.min !== undefined && length < shape.min) {
        constraint(`Member must have length greater than or equal to ${shape.min}`);
      }
      if (shape.max !== undefined && length > shape.max) {
        constraint(`Member must have length less than or equal to ${shape.max}`);
      }
      if (shape.pattern !== undefined && value !== "" && !shape.pattern[0].test(value)) {
        constraint(`Member must satisfy regular expression pattern: ${shape.pattern[1]}`);
      }
      if (shape.enum !== undefined && !shape.enum.includes(value)) {
        constraint(`Member must satisfy enum value set: [${shape.enum.join(", ")}]`);
      }
      return;
    }
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) return typeError("an integer");
      if (shape.min !== undefined && value < shape.min) {
        constraint(`Member must have value greater than or equal to ${shape.min}`);
      }
      if (shape.max !== undefined && value > shape.max) {
        constraint(`Member must have value less than or equal to ${shape.max}`);
      }
      return;
    case "boolean":
      if (typeof value !== "boolean") typeError("a boolean");
      return;
    case "document":
      return;
    case "list": {
      if (!Array.isArray(value)) return typeError("a list");
      if (shape.min !== undefined && value.length < shape.min) {
        constraint(`Member must have length greater than or equal to ${shape.min}`);
      }
      if (shape.max !== undefined && value.length > shape.max) {
        constraint(`Member must have length less than or equal to ${shape.max}`);
      }
      value.forEach((item, index) => validate(shape.member, item, `${path}.${index + 1}.member`, problems));
      return;
    }
    case "map": {
      if (!isObject(value)) return typeError("a map");
      const entries = Object.entries(value);
      if (shape.min !== undefined && entries.length < shape.min) {
        constraint(`Member must have length greater than or equal to ${shape.min}`);
      }
      if (shape.max !== undefined && entries.length > shape.max) {
        constraint(`Member must have length less than or equal to ${shape.max}`);
      }
      for (const [key, item] of entries) {
        validate(shape.key, key, `${path}.key`, problems);
        validate(shape.value, item, `${path}.value`, problems);
      }
      return;
    }
    case "structure":
    case "union": {
      if (!isObject(value)) return typeError("a structure");
      for (const key of Object.keys(value)) {
        if (!Object.prototype.hasOwnProperty.call(shape.members, key)) {
          problems.push(`Unknown member '${memberPath(path, key)}'`);
        }
      }
      for (const required of shape.required ?? []) {
        if (value[required] === undefined || value[required] === null) {
          problems.push(
            `Value null at '${memberPath(path, required)}' failed to satisfy constraint: Member must not be null`,
          );
        }
      }
      const present = Object.keys(shape.members).filter(
        (key) => value[key] !== undefined && value[key] !== null,
      );
      if (shape.kind === "union" && present.length !== 1) {
        problems.push(
          `Value at '${path}' failed to satisfy constraint: exactly one member of the union must be set`,
        );
      }
      for (const key of present) validate(shape.members[key], value[key], memberPath(path, key), problems);
      return;
    }
  }
}

/** Throws a ValidationException listing every problem (AWS's "N validation errors detected: …"). */
export function throwIfInvalid(problems: readonly string[]): void {
  if (problems.length === 0) return;
  const count = problems.length === 1 ? "1 validation error" : `${problems.length} validation errors`;
  throw new ServiceError("ValidationException", `${count} detected: ${problems.join("; ")}`);
}

// ---- signatures ----------------------------------------------------------------------------------

export interface CredentialScope {
  readonly accessKeyId: string;
  readonly region: string;
}

/** The SigV4 credential scope of an Authorization header for `signingName` (undefined without one). */
export function credentialScope(authorization: unknown, signingName: string): CredentialScope | undefined {
  const m = new RegExp(`Credential=([^/]+)/\\d{8}/([^/]+)/${signingName}/aws4_request`).exec(
    String(authorization ?? ""),
  );
  return m === null ? undefined : { accessKeyId: m[1]!, region: m[2]! };
}

/**
 * What AWS answers a request without a credential scope, or scoped to another region; the error names
 * are the protocol's (`MissingAuthenticationTokenException` / `InvalidSignatureException` for JSON,
 * `MissingAuthenticationToken` / `SignatureDoesNotMatch` for the Query protocol).
 */
export function scopeError(
  scope: CredentialScope | undefined,
  region: string,
  errors: { readonly missing: readonly [type: string, message: string]; readonly wrongRegion: string },
): ServiceError | undefined {
  if (scope === undefined) return new ServiceError(errors.missing[0], errors.missing[1], 403);
  if (scope.region !== region) {
    return new ServiceError(
      errors.wrongRegion,
      `Credential should be scoped to a valid region, not '${scope.region}'.`,
      403,
    );
  }
  return undefined;
}

// ---- throttling ----------------------------------------------------------------------------------

export interface RateLimit {
  /** Tokens added per second (the quota, e.g. 20 requests/s per operation). */
  readonly ratePerSecond: number;
  /** Bucket size: how many requests may arrive at once after a quiet period. */
  readonly burst: number;
}

/** A token bucket: full at start, refilled continuously. A rejected request takes no token. */
export class TokenBucket {
  private tokens: number;
  private updatedAt = performance.now();

  constructor(private readonly limit: RateLimit) {
    this.tokens = limit.burst;
  }

  tryTake(): boolean {
    const now = performance.now();
    this.tokens = Math.min(
      this.limit.burst,
      this.tokens + ((now - this.updatedAt) / 1000) * this.limit.ratePerSecond,
    );
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

// ---- the server ----------------------------------------------------------------------------------

export interface CallRecord {
  /** Operation name from X-Amz-Target (or the raw target if unknown). */
  readonly operation: string;
  /** Parsed JSON request body. */
  readonly input: Json;
  /** Credential scope region of the SigV4 Authorization header. */
  readonly signedRegion: string | undefined;
  /** Access key id of the SigV4 Authorization header. */
  readonly accessKeyId: string | undefined;
  /** Milliseconds since the server started, when the request arrived. */
  readonly at: number;
  /** "ok", the error type returned (e.g. "ConflictException"), "pending" or "hung". */
  outcome: string;
}

export interface ServerOptions<Operation extends string> {
  readonly region: string;
  /** X-Amz-Target prefix, e.g. `AWSIdentityStore`. */
  readonly targetPrefix: string;
  /** SigV4 signing name, e.g. `identitystore`. */
  readonly signingName: string;
  /** Namespace of the `__type` of errors, e.g. `com.amazonaws.identitystore` ("" for a bare type). */
  readonly errorNamespace: string;
  /** Key of the error message in error bodies (`Message` or `message`, as the service sends it). */
  readonly messageKey: "Message" | "message";
  readonly operations: readonly Operation[];
  /** Per-operation quota; `false` turns throttling off. */
  readonly rateLimit: RateLimit | false;
  /** Per-operation overrides of the quota. */
  readonly rateLimits?: Partial<Record<Operation, RateLimit | false>>;
}

/** Answers `error` for the next `count` calls matching `operation` (any operation when undefined). */
interface Injection<Operation> {
  remaining: number;
  /** performance.now() time after which the injection no longer applies (Infinity: count-bound only). */
  readonly until: number;
  readonly operation: Operation | undefined;
  readonly error: () => ServiceError;
}

export abstract class AwsJsonTestServer<Operation extends string> {
  readonly calls: CallRecord[] = [];
  /** Checks the access key id of each signed request; return an error to reject it. */
  authorize: ((accessKeyId: string) => ServiceError | undefined) | undefined;

  private server: Server | undefined;
  private endpointUrl = "";
  private readonly startedAt = performance.now();
  private readonly buckets = new Map<Operation, TokenBucket>();
  private readonly injections: Array<Injection<Operation>> = [];
  private hangAll = false;
  private readonly hangOperations = new Set<Operation>();
  private readonly delays = new Map<Operation | "*", number>();
  private readonly hooks = new Map<Operation, Array<(input: Json) => unknown>>();

  protected constructor(readonly options: ServerOptions<Operation>) {
    for (const operation of options.operations) {
      const limit = options.rateLimits?.[operation] ?? options.rateLimit;
      if (limit !== false) this.buckets.set(operation, new TokenBucket(limit));
    }
  }

  get region(): string {
    return this.options.region;
  }

  /** `http://127.0.0.1:<port>` once listening. */
  get endpoint(): string {
    return this.endpointUrl;
  }

  protected async listen(): Promise<void> {
    const server = createServer();
    // Keep-alive sockets of the clients must not keep the server (and the test) alive.
    server.keepAliveTimeout = 1000;
    server.on("request", (request: IncomingMessage, response: ServerResponse) => {
      this.handle(request, response).catch((error: unknown) => {
        this.sendError(response, new ServiceError("InternalServerException", String(error), 500));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.server = server;
    this.endpointUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  // ---- knobs -------------------------------------------------------------------------------------

  /** The next `count` calls (of `operation`, or of any operation) get a ThrottlingException. */
  throttleNext(count: number, operation?: Operation): void {
    this.injections.push({
      remaining: count,
      until: Infinity,
      operation,
      error: () => this.throttlingError(),
    });
  }

  /** Every call (of `operation`, or of any operation) gets a ThrottlingException for the next `ms` milliseconds. */
  throttleFor(ms: number, operation?: Operation): void {
    this.injections.push({
      remaining: Infinity,
      until: performance.now() + ms,
      operation,
      error: () => this.throttlingError(),
    });
  }

  /**
   * The next `count` calls fail with a server error (InternalServerException, HTTP 500 by default), or with
   * any error: `type`, `status`, `message`, body `fields` (`Reason`, `ResourceType`…) and `headers`.
   */
  failNext(
    count: number,
    options: {
      operation?: Operation;
      type?: string;
      status?: number;
      message?: string;
      fields?: Json;
      headers?: Record<string, string>;
    } = {},
  ): void {
    this.injections.push({
      remaining: count,
      until: Infinity,
      operation: options.operation,
      error: () =>
        new ServiceError(
          options.type ?? "InternalServerException",
          options.message ?? "Internal server error",
          options.status ?? 500,
          options.fields,
          options.headers,
        ),
    });
  }

  /** From now on never answer calls of `operation` (or of every operation). */
  hang(operation?: Operation): void {
    if (operation === undefined) this.hangAll = true;
    else this.hangOperations.add(operation);
  }

  /** Answer calls of `operation` (or of every operation) only after `ms` milliseconds. */
  delay(ms: number, operation?: Operation): void {
    this.delays.set(operation ?? "*", ms);
  }

  /** Runs `hook` once, just before the next `operation` call is processed. */
  before(operation: Operation, hook: (input: Json) => unknown): void {
    const queue = this.hooks.get(operation) ?? [];
    queue.push(hook);
    this.hooks.set(operation, queue);
  }

  callsOf(operation: Operation): CallRecord[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  /** Closes every connection (hung ones included) and stops listening. */
  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.beforeClose();
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  protected beforeClose(): void {}

  /** Error type of a quota rejection (`ThrottlingException`, Cognito: `TooManyRequestsException`). */
  protected throttlingErrorType(): string {
    return "ThrottlingException";
  }

  protected throttlingStatus(): number {
    return 400;
  }

  /** What a quota rejection looks like (a service adds its own fields and headers). */
  protected throttlingError(): ServiceError {
    return new ServiceError(this.throttlingErrorType(), "Rate exceeded", this.throttlingStatus());
  }

  /** The operation's business logic: validate `input` and return the output (or throw ServiceError). */
  protected abstract dispatch(operation: Operation, input: Json): Json | Promise<Json>;

  /** Runs after routing, auth and throttling, before dispatch (e.g. a barrier). */
  protected async beforeDispatch(_operation: Operation, _input: Json): Promise<void> {}

  // ---- protocol ----------------------------------------------------------------------------------

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");

    if (request.method !== "POST" || request.url !== "/") {
      return this.sendError(
        response,
        new ServiceError("UnknownOperationException", "Unknown operation", 404),
      );
    }
    const target = String(request.headers["x-amz-target"] ?? "");
    const prefix = `${this.options.targetPrefix}.`;
    const operation = target.startsWith(prefix) ? target.slice(prefix.length) : target;
    const scope = credentialScope(request.headers.authorization, this.options.signingName);
    let parsed: unknown;
    try {
      parsed = body === "" ? {} : JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const input = isObject(parsed) ? parsed : {};
    const call: CallRecord = {
      operation,
      input,
      signedRegion: scope?.region,
      accessKeyId: scope?.accessKeyId,
      at: performance.now() - this.startedAt,
      outcome: "pending",
    };
    this.calls.push(call);

    const fail = (error: ServiceError): void => {
      call.outcome = error.type;
      this.sendError(response, error);
    };
    if (!String(request.headers["content-type"] ?? "").startsWith("application/x-amz-json-1.1")) {
      return fail(
        new ServiceError("UnsupportedMediaTypeException", "Expected application/x-amz-json-1.1", 415),
      );
    }
    const unsigned = scopeError(
      request.headers["x-amz-date"] === undefined ? undefined : scope,
      this.options.region,
      {
        missing: ["MissingAuthenticationTokenException", "Missing Authentication Token"],
        wrongRegion: "InvalidSignatureException",
      },
    );
    if (unsigned !== undefined || scope === undefined) return fail(unsigned!);
    const rejected = this.authorize?.(scope.accessKeyId);
    if (rejected !== undefined) return fail(rejected);
    if (!(this.options.operations as readonly string[]).includes(operation)) {
      return fail(new ServiceError("UnknownOperationException", `Unknown operation ${target}`));
    }
    if (parsed === undefined || !isObject(parsed)) {
      return fail(new ServiceError("SerializationException", "Malformed JSON: expected a JSON object"));
    }
    const op = operation as Operation;

    if (this.hangAll || this.hangOperations.has(op)) {
      call.outcome = "hung";
      return; // never answer; close() destroys the socket
    }
    const delay = this.delays.get(op) ?? this.delays.get("*");
    if (delay !== undefined) await new Promise((resolve) => setTimeout(resolve, delay));

    const now = performance.now();
    const injection = this.injections.find(
      (candidate) =>
        candidate.remaining > 0 &&
        now < candidate.until &&
        (candidate.operation === undefined || candidate.operation === op),
    );
    if (injection !== undefined) {
      injection.remaining -= 1;
      return fail(injection.error());
    }
    const bucket = this.buckets.get(op);
    if (bucket !== undefined && !bucket.tryTake()) return fail(this.throttlingError());
    await this.beforeDispatch(op, input);
    await this.hooks.get(op)?.shift()?.(input);

    try {
      const output = await this.dispatch(op, input);
      call.outcome = "ok";
      this.send(response, 200, output);
    } catch (error) {
      if (error instanceof ServiceError) return fail(error);
      throw error;
    }
  }

  private send(
    response: ServerResponse,
    status: number,
    body: Json,
    headers: Record<string, string> = {},
  ): void {
    if (response.headersSent || response.destroyed) return;
    const payload = JSON.stringify(body);
    response.writeHead(status, {
      "Content-Type": "application/x-amz-json-1.1",
      "Content-Length": Buffer.byteLength(payload),
      "x-amzn-RequestId": randomUUID(),
      ...headers,
    });
    response.end(payload);
  }

  private sendError(response: ServerResponse, error: ServiceError): void {
    const namespace = this.options.errorNamespace;
    this.send(
      response,
      error.status,
      {
        __type: namespace === "" ? error.type : `${namespace}#${error.type}`,
        [this.options.messageKey]: error.message,
        ...error.fields,
      },
      {
        "x-amzn-ErrorType": `${error.type}:http://internal.amazon.com/coral/${namespace}/`,
        ...error.headers,
      },
    );
  }
}
