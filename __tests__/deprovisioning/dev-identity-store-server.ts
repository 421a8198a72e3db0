/*
 * TEMPORARY: a copy of __tests__/lambda/identity-store-server.ts plus ListUsers (UserType included),
 * DescribeUser and DeleteUser, until branch `jit` extends that server with them. Then the deprovisioning
 * tests import it instead and this file goes.
 */
/**
 * A local IAM Identity Store for tests, speaking the real AWS JSON 1.1 protocol over HTTP:
 * `POST /` with `X-Amz-Target: AWSIdentityStore.<Operation>` and
 * `Content-Type: application/x-amz-json-1.1`; errors carry `__type` in the body and the
 * `x-amzn-ErrorType` header, as AWS sends them, so the SDK maps them to its exception classes.
 *
 * Implements GetUserId, CreateUser, ListGroupMembershipsForMember, CreateGroupMembership and
 * DeleteGroupMembership, validating inputs as the service does, plus test knobs: throttle the next
 * N calls, never answer, hold GetUserId calls until N have arrived, run a hook before a call
 * (e.g. to create a conflicting user between lookup and create), and a log of every call.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const OPERATIONS = [
  "GetUserId",
  "CreateUser",
  "ListGroupMembershipsForMember",
  "CreateGroupMembership",
  "DeleteGroupMembership",
  "ListUsers",
  "DescribeUser",
  "DeleteUser",
] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface StoredUser {
  readonly UserId: string;
  readonly UserName: string;
  readonly UserType?: string;
  readonly DisplayName?: string;
  readonly Name?: { GivenName?: string; FamilyName?: string };
  readonly Emails?: Array<{ Value?: string; Type?: string; Primary?: boolean }>;
}

export interface StoredMembership {
  readonly MembershipId: string;
  readonly GroupId: string;
  readonly UserId: string;
}

export interface CallRecord {
  /** Operation name from X-Amz-Target (or the raw target if unknown). */
  readonly operation: string;
  /** Parsed JSON request body. */
  readonly input: Record<string, unknown>;
  /** Credential scope region of the SigV4 Authorization header. */
  readonly signedRegion: string | undefined;
  /** "ok", the error type returned (e.g. "ConflictException"), "pending" or "hung". */
  outcome: string;
}

type Json = Record<string, unknown>;

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    readonly fields: Json = {},
  ) {
    super(message);
  }
}

const USER_NAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;
const NAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r \u00a0\u3000]+$/u;
const ID_PATTERN =
  /^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;
const ERROR_NAMESPACE = "com.amazonaws.identitystore";

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function validationError(message: string): ServiceError {
  return new ServiceError("ValidationException", message);
}

function checkString(value: unknown, field: string, max: number, pattern?: RegExp): string {
  if (typeof value !== "string" || value.length < 1 || value.length > max) {
    throw validationError(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: length 1-${max}`,
    );
  }
  if (pattern && !pattern.test(value)) {
    throw validationError(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: pattern`,
    );
  }
  return value;
}

function checkId(value: unknown, field: string): string {
  return checkString(value, field, 47, ID_PATTERN);
}

export class IdentityStoreTestServer {
  /** Users by UserId. */
  readonly users = new Map<string, StoredUser>();
  readonly groups = new Set<string>();
  /** Memberships by MembershipId. */
  readonly memberships = new Map<string, StoredMembership>();
  readonly calls: CallRecord[] = [];
  /** Page size of ListGroupMembershipsForMember (also bounded by the request's MaxResults). */
  membershipPageSize = 100;

  private throttleRemaining = 0;
  private throttleOperation: Operation | undefined;
  private hangAll = false;
  private readonly hangOperations = new Set<Operation>();
  private barrier: { size: number; waiting: Array<() => void> } | undefined;
  private readonly hooks = new Map<Operation, Array<(input: Json) => void>>();

  private constructor(
    private readonly server: Server,
    readonly identityStoreId: string,
    readonly region: string,
    readonly endpoint: string,
  ) {}

  static async start(
    options: { identityStoreId?: string; region?: string } = {},
  ): Promise<IdentityStoreTestServer> {
    const server = createServer();
    // Keep-alive sockets of the clients must not keep the server (and the test) alive.
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const instance = new IdentityStoreTestServer(
      server,
      options.identityStoreId ?? "d-1234567890",
      options.region ?? "eu-west-1",
      `http://127.0.0.1:${port}`,
    );
    server.on("request", (request: IncomingMessage, response: ServerResponse) => {
      instance.handle(request, response).catch((error: unknown) => {
        instance.sendError(response, new ServiceError("InternalServerException", String(error), 500));
      });
    });
    return instance;
  }

  // ---- knobs ---------------------------------------------------------------------------------

  /** The next `count` calls (of `operation`, or of any operation) get a ThrottlingException. */
  throttleNext(count: number, operation?: Operation): void {
    this.throttleRemaining = count;
    this.throttleOperation = operation;
  }

  /** From now on never answer calls of `operation` (or of every operation). */
  hang(operation?: Operation): void {
    if (operation === undefined) this.hangAll = true;
    else this.hangOperations.add(operation);
  }

  /** Hold GetUserId calls until `count` of them are waiting, then answer them all. */
  holdGetUserIdUntil(count: number): void {
    this.barrier = { size: count, waiting: [] };
  }

  /** Runs `hook` once, just before the next `operation` call is processed. */
  before(operation: Operation, hook: (input: Json) => void): void {
    const queue = this.hooks.get(operation) ?? [];
    queue.push(hook);
    this.hooks.set(operation, queue);
  }

  // ---- seeding and inspection ----------------------------------------------------------------

  addUser(user: Omit<StoredUser, "UserId"> & { UserId?: string }): string {
    const userId = user.UserId ?? randomUUID();
    this.users.set(userId, { ...user, UserId: userId });
    return userId;
  }

  addGroup(groupId: string = randomUUID()): string {
    this.groups.add(groupId);
    return groupId;
  }

  addMembership(groupId: string, userId: string): string {
    const membershipId = randomUUID();
    this.memberships.set(membershipId, { MembershipId: membershipId, GroupId: groupId, UserId: userId });
    return membershipId;
  }

  userByName(userName: string): StoredUser | undefined {
    return [...this.users.values()].find((user) => user.UserName === userName);
  }

  groupsOf(userId: string): string[] {
    return [...this.memberships.values()]
      .filter((membership) => membership.UserId === userId)
      .map((membership) => membership.GroupId)
      .sort();
  }

  callsOf(operation: Operation): CallRecord[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  /** Closes every connection (hung ones included) and stops listening. */
  async close(): Promise<void> {
    for (const release of this.barrier?.waiting ?? []) release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  // ---- protocol ------------------------------------------------------------------------------

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
    const operation = target.startsWith("AWSIdentityStore.")
      ? target.slice("AWSIdentityStore.".length)
      : target;
    const authorization = String(request.headers.authorization ?? "");
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/identitystore\/aws4_request/.exec(authorization);
    let input: Json = {};
    try {
      const parsed: unknown = body === "" ? {} : JSON.parse(body);
      if (isObject(parsed)) input = parsed;
    } catch {
      // answered below
    }
    const call: CallRecord = { operation, input, signedRegion: scope?.[1], outcome: "pending" };
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
    if (scope === null || request.headers["x-amz-date"] === undefined) {
      return fail(
        new ServiceError("MissingAuthenticationTokenException", "Missing Authentication Token", 403),
      );
    }
    if (scope[1] !== this.region) {
      return fail(
        new ServiceError(
          "InvalidSignatureException",
          `Credential should be scoped to a valid region, not '${scope[1]}'.`,
          403,
        ),
      );
    }
    if (!(OPERATIONS as readonly string[]).includes(operation)) {
      return fail(new ServiceError("UnknownOperationException", `Unknown operation ${target}`));
    }
    if (body !== "" && !isObject(safeParse(body))) {
      return fail(new ServiceError("SerializationException", "Malformed JSON"));
    }
    const op = operation as Operation;

    if (this.hangAll || this.hangOperations.has(op)) {
      call.outcome = "hung";
      return; // never answer; close() destroys the socket
    }
    if (
      this.throttleRemaining > 0 &&
      (this.throttleOperation === undefined || this.throttleOperation === op)
    ) {
      this.throttleRemaining -= 1;
      return fail(new ServiceError("ThrottlingException", "Rate exceeded"));
    }
    if (op === "GetUserId" && this.barrier !== undefined) {
      const barrier = this.barrier;
      await new Promise<void>((resolve) => {
        barrier.waiting.push(resolve);
        if (barrier.waiting.length >= barrier.size) {
          this.barrier = undefined;
          for (const release of barrier.waiting) release();
        }
      });
    }
    this.hooks.get(op)?.shift()?.(input);

    try {
      if (input.IdentityStoreId !== this.identityStoreId) {
        checkString(input.IdentityStoreId, "identityStoreId", 36);
        throw new ServiceError("ResourceNotFoundException", "Identity store not found", 400, {
          ResourceType: "IDENTITY_STORE",
          ResourceId: input.IdentityStoreId,
        });
      }
      const output = this.dispatch(op, input);
      call.outcome = "ok";
      this.send(response, 200, output);
    } catch (error) {
      if (error instanceof ServiceError) return fail(error);
      throw error;
    }
  }

  private dispatch(operation: Operation, input: Json): Json {
    switch (operation) {
      case "GetUserId":
        return this.getUserId(input);
      case "CreateUser":
        return this.createUser(input);
      case "ListGroupMembershipsForMember":
        return this.listGroupMembershipsForMember(input);
      case "CreateGroupMembership":
        return this.createGroupMembership(input);
      case "DeleteGroupMembership":
        return this.deleteGroupMembership(input);
      case "ListUsers": {
        const max = input.MaxResults === undefined ? 100 : Number(input.MaxResults);
        if (!Number.isInteger(max) || max < 1 || max > 100) throw validationError("MaxResults");
        const offset =
          input.NextToken === undefined
            ? 0
            : Number(Buffer.from(String(input.NextToken), "base64").toString().replace("users:", ""));
        const all = [...this.users.values()];
        const size = Math.min(max, this.membershipPageSize);
        const page = all.slice(offset, offset + size);
        return {
          Users: page.map((u) => ({ ...u, IdentityStoreId: this.identityStoreId })),
          ...(offset + size < all.length
            ? { NextToken: Buffer.from(`users:${offset + size}`).toString("base64") }
            : {}),
        };
      }
      case "DescribeUser": {
        const id = checkId(input.UserId, "userId");
        const u = this.users.get(id);
        if (!u)
          throw new ServiceError("ResourceNotFoundException", "USER not found.", 400, {
            ResourceType: "USER",
          });
        return { ...u, IdentityStoreId: this.identityStoreId };
      }
      case "DeleteUser": {
        const id = checkId(input.UserId, "userId");
        if (!this.users.delete(id))
          throw new ServiceError("ResourceNotFoundException", "USER not found.", 400, {
            ResourceType: "USER",
          });
        for (const [k, m] of this.memberships) if (m.UserId === id) this.memberships.delete(k);
        return {};
      }
    }
  }

  private getUserId(input: Json): Json {
    const identifier = input.AlternateIdentifier;
    const unique = isObject(identifier) ? identifier.UniqueAttribute : undefined;
    if (!isObject(unique)) throw validationError("AlternateIdentifier.UniqueAttribute is required");
    const path = checkString(unique.AttributePath, "alternateIdentifier.uniqueAttribute.attributePath", 255);
    if (path !== "userName") throw validationError(`Unsupported AttributePath ${path}`);
    const value = unique.AttributeValue;
    if (typeof value !== "string") throw validationError("AttributeValue must be a string for userName");
    const user = this.userByName(value);
    if (user === undefined) {
      throw new ServiceError("ResourceNotFoundException", "USER not found.", 400, { ResourceType: "USER" });
    }
    return { IdentityStoreId: this.identityStoreId, UserId: user.UserId };
  }

  private createUser(input: Json): Json {
    const userName = checkString(input.UserName, "userName", 128, USER_NAME_PATTERN);
    const displayName = checkString(input.DisplayName, "displayName", 1024, NAME_PATTERN);
    if (!isObject(input.Name)) throw validationError("Name is required");
    const givenName = checkString(input.Name.GivenName, "name.givenName", 1024, NAME_PATTERN);
    const familyName = checkString(input.Name.FamilyName, "name.familyName", 1024, NAME_PATTERN);
    const emails = input.Emails;
    if (!Array.isArray(emails) || emails.length !== 1 || !isObject(emails[0])) {
      throw validationError("Emails must contain exactly one email");
    }
    const email = emails[0];
    const value = checkString(email.Value, "emails.1.member.value", 1024, NAME_PATTERN);
    const type = checkString(email.Type, "emails.1.member.type", 1024, NAME_PATTERN);
    if (typeof email.Primary !== "boolean")
      throw validationError("emails.1.member.primary must be a boolean");
    if (this.userByName(userName) !== undefined) {
      throw new ServiceError("ConflictException", "Duplicate UserName", 400, {
        Reason: "UNIQUENESS_CONSTRAINT_VIOLATION",
      });
    }
    const userId = this.addUser({
      UserName: userName,
      DisplayName: displayName,
      Name: { GivenName: givenName, FamilyName: familyName },
      Emails: [{ Value: value, Type: type, Primary: email.Primary }],
    });
    return { IdentityStoreId: this.identityStoreId, UserId: userId };
  }

  private listGroupMembershipsForMember(input: Json): Json {
    const member = input.MemberId;
    if (!isObject(member)) throw validationError("MemberId is required");
    const userId = checkId(member.UserId, "memberId.userId");
    const maxResults = input.MaxResults === undefined ? 100 : Number(input.MaxResults);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
      throw validationError("MaxResults must be between 1 and 100");
    }
    let offset = 0;
    if (input.NextToken !== undefined) {
      offset = Number(Buffer.from(String(input.NextToken), "base64").toString("utf8").replace("offset:", ""));
      if (!Number.isInteger(offset) || offset < 0) throw validationError("Invalid NextToken");
    }
    const all = [...this.memberships.values()].filter((membership) => membership.UserId === userId);
    const size = Math.min(maxResults, this.membershipPageSize);
    const page = all.slice(offset, offset + size);
    const next =
      offset + size < all.length ? Buffer.from(`offset:${offset + size}`).toString("base64") : undefined;
    return {
      GroupMemberships: page.map((membership) => ({
        IdentityStoreId: this.identityStoreId,
        MembershipId: membership.MembershipId,
        GroupId: membership.GroupId,
        MemberId: { UserId: membership.UserId },
      })),
      ...(next === undefined ? {} : { NextToken: next }),
    };
  }

  private createGroupMembership(input: Json): Json {
    const groupId = checkId(input.GroupId, "groupId");
    if (!isObject(input.MemberId)) throw validationError("MemberId is required");
    const userId = checkId(input.MemberId.UserId, "memberId.userId");
    if (!this.groups.has(groupId)) {
      throw new ServiceError("ResourceNotFoundException", "GROUP not found.", 400, {
        ResourceType: "GROUP",
        ResourceId: groupId,
      });
    }
    if (!this.users.has(userId)) {
      throw new ServiceError("ResourceNotFoundException", "USER not found.", 400, {
        ResourceType: "USER",
        ResourceId: userId,
      });
    }
    const exists = [...this.memberships.values()].some((m) => m.GroupId === groupId && m.UserId === userId);
    if (exists) {
      throw new ServiceError("ConflictException", "Member already exists in the group", 400, {
        Reason: "UNIQUENESS_CONSTRAINT_VIOLATION",
      });
    }
    return { IdentityStoreId: this.identityStoreId, MembershipId: this.addMembership(groupId, userId) };
  }

  private deleteGroupMembership(input: Json): Json {
    const membershipId = checkId(input.MembershipId, "membershipId");
    if (!this.memberships.delete(membershipId)) {
      throw new ServiceError("ResourceNotFoundException", "GROUP_MEMBERSHIP not found.", 400, {
        ResourceType: "GROUP_MEMBERSHIP",
        ResourceId: membershipId,
      });
    }
    return {};
  }

  private send(
    response: ServerResponse,
    status: number,
    body: Json,
    headers: Record<string, string> = {},
  ): void {
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
    if (response.headersSent) return;
    this.send(
      response,
      error.status,
      { __type: `${ERROR_NAMESPACE}#${error.type}`, Message: error.message, ...error.fields },
      { "x-amzn-ErrorType": `${error.type}:http://internal.amazon.com/coral/${ERROR_NAMESPACE}/` },
    );
  }
}

function safeParse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
