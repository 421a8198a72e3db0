/**
 * A local Amazon Cognito user pools endpoint for tests (AWS JSON 1.1, `AWSCognitoIdentityProviderService.*`),
 * as strict as the Cognito user pools API reference
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/) and its service model
 * (cognito-idp 2016-04-18, botocore 1.43.11) for the operations the bridge's Lambdas call:
 *
 * - AdminUpdateUserAttributes: UserPoolId 1-55 `[\w-]+_[0-9a-zA-Z]+`, Username 1-128
 *   `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`, UserAttributes (required) of { Name 1-32, Value at most 2048 };
 *   ResourceNotFoundException for an unknown pool, UserNotFoundException for an unknown user,
 *   InvalidParameterException for an attribute not in the pool's schema, a value outside a custom
 *   attribute's StringAttributeConstraints (MinLength/MaxLength), or a change of an immutable attribute.
 *   Admin operations ignore app clients' write permissions.
 * - AdminGetUser: the user's attributes, status and enabled flag.
 *
 * Quota ("Quotas in Amazon Cognito"): AdminUpdateUserAttributes is in the UserUpdate category, 25
 * requests/s by default; beyond it TooManyRequestsException (HTTP 400).
 */
import {
  AwsJsonTestServer,
  type Json,
  type RateLimit,
  ServiceError,
  type Shape,
  throwIfInvalid,
  validate,
} from "./aws-json-server";

export const COGNITO_OPERATIONS = ["AdminUpdateUserAttributes", "AdminGetUser"] as const;
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
};

/** Cognito's UserUpdate category: 25 requests/s. */
export const USER_UPDATE_RATE_LIMIT: RateLimit = { ratePerSecond: 25, burst: 25 };

export class CognitoTestServer extends AwsJsonTestServer<CognitoOperation> {
  private readonly pools = new Map<string, Pool>();

  private constructor(region: string, rateLimit: RateLimit | false) {
    super({
      region,
      targetPrefix: "AWSCognitoIdentityProviderService",
      signingName: "cognito-idp",
      errorNamespace: "",
      messageKey: "message",
      operations: COGNITO_OPERATIONS,
      rateLimit: false,
      rateLimits: { AdminUpdateUserAttributes: rateLimit, AdminGetUser: false },
    });
  }

  static async start(
    options: { region?: string; rateLimit?: RateLimit | false } = {},
  ): Promise<CognitoTestServer> {
    const server = new CognitoTestServer(
      options.region ?? "us-east-1",
      options.rateLimit ?? USER_UPDATE_RATE_LIMIT,
    );
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

  addUser(userPoolId: string, username: string, attributes: Record<string, string> = {}): PoolUser {
    const user: PoolUser = {
      username,
      attributes: new Map(Object.entries(attributes)),
      enabled: true,
      status: "EXTERNAL_PROVIDER",
    };
    this.pool(userPoolId).users.set(username.toLowerCase(), user);
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
      throw new ServiceError("ResourceNotFoundException", `User pool ${userPoolId} does not exist.`);
    }
    return pool;
  }

  private user(pool: Pool, username: string): PoolUser {
    // The bridge's pools are case-insensitive: usernames match in any case.
    const user = pool.users.get(username.toLowerCase());
    if (user === undefined) throw new ServiceError("UserNotFoundException", "User does not exist.");
    return user;
  }

  protected dispatch(operation: CognitoOperation, input: Json): Json {
    const problems: string[] = [];
    validate(REQUESTS[operation], input, "", problems);
    throwIfInvalid(problems);
    const pool = this.pool(input.UserPoolId as string);
    const user = this.user(pool, input.Username as string);
    if (operation === "AdminGetUser") {
      return {
        Username: user.username,
        UserAttributes: [...user.attributes].map(([Name, Value]) => ({ Name, Value })),
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

  protected override throttlingErrorType(): string {
    return "TooManyRequestsException";
  }
}
