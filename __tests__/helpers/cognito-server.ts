/**
 * A local Amazon Cognito user pools endpoint for tests, speaking the real AWS JSON 1.1 protocol:
 * `POST /` with `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`; errors carry `__type` and
 * `message` in the body and the `x-amzn-ErrorType` header, so the SDK maps them to its exception classes.
 *
 * Implements AdminGetUser and ListUsers as strictly as the API reference describes them
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUsers.html,
 * .../API_AdminGetUser.html): UserPoolId length 1-55 and pattern `[\w-]+_[0-9a-zA-Z]+`; Username length
 * 1-128, resolved by user name or by the email alias (an email-username pool); UserNotFoundException;
 * Limit 0-60 (default 60); only pagination tokens this server issued, for the same request; Filter
 * `AttributeName Filter-Type "AttributeValue"` with `=` or `^=`, only the searchable standard attributes
 * (custom attributes are not searchable), at most 256 characters; AttributesToGet naming an attribute
 * that is not searchable (custom ones included) fails unless every user in the results has it.
 * Protocol, signature checks, call log and knobs (throttleNext, failNext, hang, delay, before) come from
 * the shared AWS JSON test server; throttling answers TooManyRequestsException, as Cognito does.
 */
import { randomUUID } from "node:crypto";
import { AwsJsonTestServer, ServiceError, type Json } from "../lambda/aws-json-server";

export const COGNITO_OPERATIONS = ["AdminGetUser", "ListUsers"] as const;
export type CognitoOperation = (typeof COGNITO_OPERATIONS)[number];

export interface CognitoTestUser {
  /** The user name (for native users of an email-username pool, a UUID; federated: `<Provider>_<id>`). */
  readonly Username: string;
  Enabled: boolean;
  readonly UserStatus: string;
  readonly Attributes: Record<string, string>;
  readonly created: number;
}

/** Attributes ListUsers can filter on (API reference, Filter). */
export const SEARCHABLE_ATTRIBUTES = [
  "username",
  "email",
  "phone_number",
  "name",
  "given_name",
  "family_name",
  "preferred_username",
  "cognito:user_status",
  "status",
  "sub",
] as const;

const USER_POOL_ID_PATTERN = /^[\w-]+_[0-9a-zA-Z]+$/;
const USERNAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;
const FILTER_PATTERN = /^([\w:]+)\s*(=|\^=)\s*"((?:[^"\\]|\\.)*)"$/;

const invalid = (message: string) => new ServiceError("InvalidParameterException", message);

function checkString(value: unknown, field: string, min: number, max: number, pattern?: RegExp): string {
  if (
    typeof value !== "string" ||
    value.length < min ||
    value.length > max ||
    (pattern && !pattern.test(value))
  ) {
    throw invalid(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length between ${min} and ${max}${pattern ? ` and satisfy regular expression pattern: ${pattern.source}` : ""}`,
    );
  }
  return value;
}

export class CognitoTestServer extends AwsJsonTestServer<CognitoOperation> {
  /** Users by user name. */
  readonly users = new Map<string, CognitoTestUser>();
  private readonly tokens = new Map<string, { request: string; offset: number }>();
  private clock = 1_700_000_000;

  private constructor(readonly userPoolId: string) {
    super({
      region: userPoolId.split("_")[0]!,
      targetPrefix: "AWSCognitoIdentityProviderService",
      signingName: "cognito-idp",
      errorNamespace: "com.amazonaws.cognito.identity.idp.model",
      messageKey: "message",
      operations: COGNITO_OPERATIONS,
      rateLimit: false,
    });
  }

  static async start(options: { userPoolId?: string } = {}): Promise<CognitoTestServer> {
    const server = new CognitoTestServer(options.userPoolId ?? "eu-west-1_TestPool1");
    await server.listen();
    return server;
  }

  // ---- seeding and knobs ----------------------------------------------------------------------

  /** Adds a user; `sub` defaults to the user name when that is a UUID, else a fresh UUID. */
  addUser(user: {
    username?: string;
    email?: string;
    enabled?: boolean;
    attributes?: Record<string, string>;
  }): CognitoTestUser {
    const username = user.username ?? randomUUID();
    const sub = /^[0-9a-f-]{36}$/.test(username) ? username : randomUUID();
    const attributes: Record<string, string> = { sub, ...(user.attributes ?? {}) };
    if (user.email !== undefined) {
      attributes.email = user.email;
      attributes.email_verified ??= "true";
    }
    const stored: CognitoTestUser = {
      Username: username,
      Enabled: user.enabled ?? true,
      UserStatus: username.includes("_") ? "EXTERNAL_PROVIDER" : "CONFIRMED",
      Attributes: attributes,
      created: (this.clock += 1),
    };
    this.users.set(username, stored);
    return stored;
  }

  disable(username: string): void {
    this.users.get(username)!.Enabled = false;
  }

  delete(username: string): void {
    this.users.delete(username);
  }

  // ---- operations ---------------------------------------------------------------------------

  protected override throttlingErrorType(): string {
    return "TooManyRequestsException";
  }

  protected dispatch(operation: CognitoOperation, input: Json): Json {
    const poolId = checkString(input.UserPoolId, "userPoolId", 1, 55, USER_POOL_ID_PATTERN);
    if (poolId !== this.userPoolId) {
      throw new ServiceError("ResourceNotFoundException", `User pool ${poolId} does not exist.`);
    }
    return operation === "AdminGetUser" ? this.adminGetUser(input) : this.listUsers(input);
  }

  private find(username: string): CognitoTestUser | undefined {
    // Case-insensitive pool (the bridge's pools are): user names and aliases match in any case.
    const wanted = username.toLowerCase();
    for (const user of this.users.values()) {
      if (user.Username.toLowerCase() === wanted) return user;
    }
    for (const user of this.users.values()) {
      if (user.UserStatus !== "EXTERNAL_PROVIDER" && user.Attributes.email?.toLowerCase() === wanted)
        return user;
    }
    return undefined;
  }

  private adminGetUser(input: Json): Json {
    const username = checkString(input.Username, "username", 1, 128, USERNAME_PATTERN);
    const user = this.find(username);
    if (user === undefined) throw new ServiceError("UserNotFoundException", "User does not exist.");
    return {
      Username: user.Username,
      UserAttributes: attributeList(user.Attributes),
      UserCreateDate: user.created,
      UserLastModifiedDate: user.created,
      Enabled: user.Enabled,
      UserStatus: user.UserStatus,
    };
  }

  private listUsers(input: Json): Json {
    const limit = input.Limit === undefined ? 60 : input.Limit;
    if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 0 || limit > 60) {
      throw invalid(
        "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60",
      );
    }
    let users = [...this.users.values()].sort((a, b) => a.created - b.created);
    if (input.Filter !== undefined && input.Filter !== "") {
      const filter = checkString(input.Filter, "filter", 0, 256);
      const m = FILTER_PATTERN.exec(filter);
      if (!m) throw invalid("Invalid search filter.");
      const [, attribute, type, rawValue] = m;
      if (!(SEARCHABLE_ATTRIBUTES as readonly string[]).includes(attribute!)) {
        throw invalid(`Invalid search attribute: ${attribute}`);
      }
      const value = rawValue!.replace(/\\(.)/g, "$1");
      users = users.filter((u) => {
        const actual =
          attribute === "username"
            ? u.Username
            : attribute === "status"
              ? u.Enabled
                ? "Enabled"
                : "Disabled"
              : attribute === "cognito:user_status"
                ? u.UserStatus
                : u.Attributes[attribute!];
        if (actual === undefined) return false;
        const [a, v] =
          attribute === "cognito:user_status" ? [actual.toLowerCase(), value.toLowerCase()] : [actual, value];
        return type === "=" ? a === v : a.startsWith(v);
      });
    }
    let offset = 0;
    const { PaginationToken: token, ...rest } = input;
    const key = JSON.stringify(rest);
    if (token !== undefined) {
      const issued = typeof token === "string" ? this.tokens.get(token) : undefined;
      if (issued === undefined || issued.request !== key) throw invalid("Invalid pagination token.");
      offset = issued.offset;
    }
    const page = users.slice(offset, offset + limit);
    let names: string[] | undefined;
    if (Array.isArray(input.AttributesToGet)) {
      names = input.AttributesToGet.map((n) => checkString(n, "attributesToGet.member", 1, 32));
      for (const name of names) {
        if ((SEARCHABLE_ATTRIBUTES as readonly string[]).includes(name)) continue;
        if (page.some((u) => u.Attributes[name] === undefined)) {
          throw invalid(`One or more requested attributes do not exist: ${name}`);
        }
      }
    }
    let next: string | undefined;
    if (offset + limit < users.length && limit > 0) {
      next = randomUUID();
      this.tokens.set(next, { request: key, offset: offset + limit });
    }
    return {
      Users: page.map((u) => ({
        Username: u.Username,
        Attributes: attributeList(
          names === undefined
            ? u.Attributes
            : Object.fromEntries(Object.entries(u.Attributes).filter(([n]) => names!.includes(n))),
        ),
        UserCreateDate: u.created,
        UserLastModifiedDate: u.created,
        Enabled: u.Enabled,
        UserStatus: u.UserStatus,
      })),
      ...(next === undefined ? {} : { PaginationToken: next }),
    };
  }
}

function attributeList(attributes: Record<string, string>): Array<{ Name: string; Value: string }> {
  return Object.entries(attributes).map(([Name, Value]) => ({ Name, Value }));
}
