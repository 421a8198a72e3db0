/**
 * A local Amazon Cognito user pools endpoint for tests (AWS JSON 1.1, `AWSCognitoIdentityProviderService.*`),
 * as strict as the Cognito user pools API reference
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/) and its service model
 * (cognito-idp 2016-04-18, botocore 1.43.11) for the operations the bridge's Lambdas call (the JIT
 * Lambda's AdminUpdateUserAttributes and AdminGetUser, the deprovisioner's AdminGetUser and ListUsers):
 *
 * - Every request: UserPoolId 1-55 `[\w-]+_[0-9a-zA-Z]+`, Username 1-128 `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`;
 *   constraint violations are InvalidParameterException ("N validation errors detected: Value at
 *   'userPoolId' failed to satisfy constraint: …"); ResourceNotFoundException for an unknown pool,
 *   UserNotFoundException for an unknown user. Usernames resolve in any case (the bridge's pools are
 *   case-insensitive), by user name or, for users that are not federated, by the email alias.
 * - AdminUpdateUserAttributes: UserAttributes (required) of { Name 1-32, Value at most 2048 };
 *   InvalidParameterException for an attribute not in the pool's schema, a value outside a custom
 *   attribute's StringAttributeConstraints (MinLength/MaxLength), or a change of an immutable attribute.
 *   Admin operations ignore app clients' write permissions.
 * - AdminGetUser: the user's attributes, status and enabled flag.
 * - ListUsers (API_ListUsers.html): Limit 0-60 (default 60); only pagination tokens this server issued,
 *   for the same request; Filter `AttributeName Filter-Type "AttributeValue"` with `=` or `^=`, only the
 *   searchable standard attributes (custom attributes are not searchable), at most 256 characters; values
 *   match case-sensitively only for `username` and `cognito:user_status` (the reference marks those two
 *   "case-sensitive"; `email` and the others match in any case);
 *   AttributesToGet naming an attribute that is not searchable (custom ones included) fails unless every
 *   user in the results has it.
 *
 * Errors carry the service model's HTTP status codes: InvalidParameterException 400, UserNotFoundException and
 * ResourceNotFoundException 404, TooManyRequestsException 429.
 *
 * Quota ("Quotas in Amazon Cognito"): AdminUpdateUserAttributes is in the UserUpdate category, 25
 * requests/s by default; beyond it TooManyRequestsException (HTTP 429). Protocol, signature checks, call
 * log and knobs (throttleNext, failNext, hang, delay, before) come from the shared AWS JSON test server.
 */
import { randomUUID } from "node:crypto";
import {
  AwsJsonTestServer,
  type Json,
  type RateLimit,
  ServiceError,
  type Shape,
  validate,
} from "./aws-json-server";

export const COGNITO_OPERATIONS = ["AdminUpdateUserAttributes", "AdminGetUser", "ListUsers"] as const;
export type CognitoOperation = (typeof COGNITO_OPERATIONS)[number];

/** Standard attributes every user pool has. */
export const STANDARD_ATTRIBUTES = [
  "sub",
  "address",
  "birthdate",
  "email",
  "email_verified",
  "family_name",
  "gender",
  "given_name",
  "locale",
  "middle_name",
  "name",
  "nickname",
  "phone_number",
  "phone_number_verified",
  "picture",
  "preferred_username",
  "profile",
  "updated_at",
  "website",
  "zoneinfo",
  "identities",
] as const;

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

export interface CustomAttribute {
  /** Without the `custom:` prefix. */
  readonly name: string;
  readonly mutable?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
}

export interface PoolUser {
  readonly username: string;
  readonly attributes: Map<string, string>;
  enabled: boolean;
  status: string;
  /** Creation time (epoch seconds): ListUsers returns users in this order. */
  readonly created: number;
}

interface Pool {
  readonly custom: Map<string, CustomAttribute>;
  readonly users: Map<string, PoolUser>;
}

const UN = "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+";
const full = (source: string): [RegExp, string] => [new RegExp(`^(?:${source})$`, "u"), source];
const UserPoolId: Shape = { kind: "string", min: 1, max: 55, pattern: full("[\\w-]+_[0-9a-zA-Z]+") };
const Username: Shape = { kind: "string", min: 1, max: 128, pattern: full(UN) };
const AttributeName: Shape = {
  kind: "string",
  min: 1,
  max: 32,
  pattern: full("[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\t\\n\\r ]+"),
};
const AttributeValue: Shape = { kind: "string", max: 2048 };
const REQUESTS: Record<CognitoOperation, Shape> = {
  AdminUpdateUserAttributes: {
    kind: "structure",
    members: {
      UserPoolId,
      Username,
      UserAttributes: {
        kind: "list",
        member: {
          kind: "structure",
          members: { Name: AttributeName, Value: AttributeValue },
          required: ["Name"],
        },
      },
      ClientMetadata: { kind: "map", key: { kind: "string" }, value: { kind: "string" } },
    },
    required: ["UserPoolId", "Username", "UserAttributes"],
  },
  AdminGetUser: {
    kind: "structure",
    members: { UserPoolId, Username },
    required: ["UserPoolId", "Username"],
  },
  ListUsers: {
    kind: "structure",
    members: {
      UserPoolId,
      AttributesToGet: { kind: "list", member: AttributeName },
      Limit: { kind: "integer", min: 0, max: 60 },
      PaginationToken: { kind: "string", min: 1, pattern: full("[\\S]+") },
      Filter: { kind: "string", max: 256 },
    },
    required: ["UserPoolId"],
  },
};

const FILTER_PATTERN = /^([\w:]+)\s*(=|\^=)\s*"((?:[^"\\]|\\.)*)"$/;
const invalidParameter = (message: string) => new ServiceError("InvalidParameterException", message);

/** Cognito's UserUpdate category: 25 requests/s. */
export const USER_UPDATE_RATE_LIMIT: RateLimit = { ratePerSecond: 25, burst: 25 };

export class CognitoTestServer extends AwsJsonTestServer<CognitoOperation> {
  private readonly pools = new Map<string, Pool>();
  private readonly tokens = new Map<string, { request: string; offset: number }>();
  private clock = 1_700_000_000;

  private constructor(
    region: string,
    rateLimit: RateLimit | false,
    /** The pool `start` creates (empty custom schema); the default of the seeding helpers. */
    readonly userPoolId: string,
  ) {
    super({
      region,
      targetPrefix: "AWSCognitoIdentityProviderService",
      signingName: "cognito-idp",
      errorNamespace: "",
      messageKey: "message",
      operations: COGNITO_OPERATIONS,
      rateLimit: false,
      rateLimits: { AdminUpdateUserAttributes: rateLimit, AdminGetUser: false, ListUsers: false },
    });
  }

  /** A server with one pool, `userPoolId` (default `<region>_TestPool1`); `addPool` adds more. */
  static async start(
    options: { region?: string; rateLimit?: RateLimit | false; userPoolId?: string } = {},
  ): Promise<CognitoTestServer> {
    const region = options.region ?? options.userPoolId?.split("_")[0] ?? "us-east-1";
    const server = new CognitoTestServer(
      region,
      options.rateLimit ?? USER_UPDATE_RATE_LIMIT,
      options.userPoolId ?? `${region}_TestPool1`,
    );
    server.addPool(server.userPoolId, []);
    await server.listen();
    return server;
  }

  /** Creates a pool with these custom attributes in its schema. */
  addPool(userPoolId: string, customAttributes: readonly CustomAttribute[]): void {
    this.pools.set(userPoolId, {
      custom: new Map(customAttributes.map((attribute) => [`custom:${attribute.name}`, attribute])),
      users: new Map(),
    });
  }

  /** Adds a federated user (status EXTERNAL_PROVIDER) with exactly these attributes. */
  addUser(userPoolId: string, username: string, attributes: Record<string, string> = {}): PoolUser {
    return this.store(userPoolId, {
      username,
      attributes: new Map(Object.entries(attributes)),
      enabled: true,
      status: "EXTERNAL_PROVIDER",
      created: (this.clock += 1),
    });
  }

  /**
   * Adds a user as sign-up or federation would: a `sub` (the user name when that is a UUID, the default
   * for native users of an email-username pool), a verified email, status EXTERNAL_PROVIDER for
   * `<Provider>_<id>` user names, else CONFIRMED.
   */
  createUser(
    user: { username?: string; email?: string; enabled?: boolean; attributes?: Record<string, string> },
    userPoolId = this.userPoolId,
  ): PoolUser {
    const username = user.username ?? randomUUID();
    const sub = /^[0-9a-f-]{36}$/.test(username) ? username : randomUUID();
    const attributes = new Map(Object.entries({ sub, ...(user.attributes ?? {}) }));
    if (user.email !== undefined) {
      attributes.set("email", user.email);
      if (!attributes.has("email_verified")) attributes.set("email_verified", "true");
    }
    return this.store(userPoolId, {
      username,
      attributes,
      enabled: user.enabled ?? true,
      status: username.includes("_") ? "EXTERNAL_PROVIDER" : "CONFIRMED",
      created: (this.clock += 1),
    });
  }

  /** The user by user name or alias, in any case (undefined when there is none). */
  findUser(username: string, userPoolId = this.userPoolId): PoolUser | undefined {
    const pool = this.pools.get(userPoolId);
    return pool === undefined ? undefined : this.find(pool, username);
  }

  disable(username: string, userPoolId = this.userPoolId): void {
    this.user(this.pool(userPoolId), username).enabled = false;
  }

  delete(username: string, userPoolId = this.userPoolId): void {
    const user = this.user(this.pool(userPoolId), username);
    this.pool(userPoolId).users.delete(user.username.toLowerCase());
  }

  /** Users of a pool, by lowercased user name. */
  usersOf(userPoolId = this.userPoolId): ReadonlyMap<string, PoolUser> {
    return this.pool(userPoolId).users;
  }

  private store(userPoolId: string, user: PoolUser): PoolUser {
    this.pool(userPoolId).users.set(user.username.toLowerCase(), user);
    return user;
  }

  /** A user's attributes (undefined when there is no such user). */
  attributesOf(userPoolId: string, username: string): Record<string, string> | undefined {
    const user = this.pools.get(userPoolId)?.users.get(username.toLowerCase());
    return user === undefined ? undefined : Object.fromEntries(user.attributes);
  }

  private pool(userPoolId: string): Pool {
    const pool = this.pools.get(userPoolId);
    if (pool === undefined) {
      throw new ServiceError("ResourceNotFoundException", `User pool ${userPoolId} does not exist.`, 404);
    }
    return pool;
  }

  private find(pool: Pool, username: string): PoolUser | undefined {
    // The bridge's pools are case-insensitive: user names and aliases match in any case.
    const wanted = username.toLowerCase();
    const byName = pool.users.get(wanted);
    if (byName !== undefined) return byName;
    for (const user of pool.users.values()) {
      if (user.status !== "EXTERNAL_PROVIDER" && user.attributes.get("email")?.toLowerCase() === wanted) {
        return user;
      }
    }
    return undefined;
  }

  private user(pool: Pool, username: string): PoolUser {
    const user = this.find(pool, username);
    if (user === undefined) throw new ServiceError("UserNotFoundException", "User does not exist.", 404);
    return user;
  }

  protected dispatch(operation: CognitoOperation, input: Json): Json {
    const problems: string[] = [];
    validate(REQUESTS[operation], input, "", problems);
    if (problems.length > 0) {
      const count = problems.length === 1 ? "1 validation error" : `${problems.length} validation errors`;
      throw invalidParameter(`${count} detected: ${problems.join("; ")}`);
    }
    const pool = this.pool(input.UserPoolId as string);
    if (operation === "ListUsers") return this.listUsers(pool, input);
    const user = this.user(pool, input.Username as string);
    if (operation === "AdminGetUser") {
      return {
        Username: user.username,
        UserAttributes: attributeList(user.attributes),
        UserCreateDate: user.created,
        UserLastModifiedDate: user.created,
        Enabled: user.enabled,
        UserStatus: user.status,
      };
    }
    const updates = input.UserAttributes as Array<{ Name: string; Value?: string }>;
    const invalid: string[] = [];
    for (const { Name, Value } of updates) {
      const custom = pool.custom.get(Name);
      if (custom === undefined && !(STANDARD_ATTRIBUTES as readonly string[]).includes(Name)) {
        invalid.push(`user.${Name}: Attribute does not exist in the schema.`);
      } else if (Name === "sub" || Name === "identities") {
        invalid.push(`user.${Name}: Attribute cannot be updated.`);
      } else if (custom !== undefined) {
        const length = [...(Value ?? "")].length;
        if (length < (custom.minLength ?? 0) || length > (custom.maxLength ?? 2048)) {
          invalid.push(
            `user.${Name}: String attribute length must be between ${custom.minLength ?? 0} and ${custom.maxLength ?? 2048}.`,
          );
        } else if (
          custom.mutable === false &&
          user.attributes.has(Name) &&
          user.attributes.get(Name) !== Value
        ) {
          invalid.push(`user.${Name}: Attribute cannot be updated. (changing an immutable attribute)`);
        }
      }
    }
    if (invalid.length > 0) {
      throw new ServiceError("InvalidParameterException", `Invalid user attributes: ${invalid.join(" ")}`);
    }
    for (const { Name, Value } of updates) user.attributes.set(Name, Value ?? "");
    return {};
  }

  private listUsers(pool: Pool, input: Json): Json {
    const limit = (input.Limit as number | undefined) ?? 60;
    let users = [...pool.users.values()].sort((a, b) => a.created - b.created);
    if (input.Filter !== undefined && input.Filter !== "") {
      const m = FILTER_PATTERN.exec(input.Filter as string);
      if (!m) throw invalidParameter("Invalid search filter.");
      const [, attribute, type, rawValue] = m;
      if (!(SEARCHABLE_ATTRIBUTES as readonly string[]).includes(attribute!)) {
        throw invalidParameter(`Invalid search attribute: ${attribute}`);
      }
      const value = rawValue!.replace(/\\(.)/g, "$1");
      users = users.filter((u) => {
        const actual =
          attribute === "username"
            ? u.username
            : attribute === "status"
              ? u.enabled
                ? "Enabled"
                : "Disabled"
              : attribute === "cognito:user_status"
                ? u.status
                : u.attributes.get(attribute!);
        if (actual === undefined) return false;
        const [a, v] =
          attribute === "username" || attribute === "cognito:user_status"
            ? [actual, value]
            : [actual.toLowerCase(), value.toLowerCase()];
        return type === "=" ? a === v : a.startsWith(v);
      });
    }
    let offset = 0;
    const { PaginationToken: token, ...rest } = input;
    const key = JSON.stringify(rest);
    if (token !== undefined) {
      const issued = this.tokens.get(token as string);
      if (issued === undefined || issued.request !== key) throw invalidParameter("Invalid pagination token.");
      offset = issued.offset;
    }
    const page = users.slice(offset, offset + limit);
    const names = input.AttributesToGet as string[] | undefined;
    for (const name of names ?? []) {
      if ((SEARCHABLE_ATTRIBUTES as readonly string[]).includes(name)) continue;
      if (page.some((u) => !u.attributes.has(name))) {
        throw invalidParameter(`One or more requested attributes do not exist: ${name}`);
      }
    }
    let next: string | undefined;
    if (offset + limit < users.length && limit > 0) {
      next = randomUUID();
      this.tokens.set(next, { request: key, offset: offset + limit });
    }
    return {
      Users: page.map((u) => ({
        Username: u.username,
        Attributes: attributeList(
          names === undefined ? u.attributes : new Map([...u.attributes].filter(([n]) => names.includes(n))),
        ),
        UserCreateDate: u.created,
        UserLastModifiedDate: u.created,
        Enabled: u.enabled,
        UserStatus: u.status,
      })),
      ...(next === undefined ? {} : { PaginationToken: next }),
    };
  }

  protected override throttlingErrorType(): string {
    return "TooManyRequestsException";
  }

  protected override throttlingStatus(): number {
    return 429;
  }
}

function attributeList(attributes: ReadonlyMap<string, string>): Array<{ Name: string; Value: string }> {
  return [...attributes].map(([Name, Value]) => ({ Name, Value }));
}
