/**
 * A local IAM Identity Store for tests, speaking the real AWS JSON 1.1 protocol over HTTP, as strict as
 * the Identity Store API reference (https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/)
 * and the service model it is generated from (identitystore 2020-06-15, as shipped in botocore 1.43.11
 * `botocore/data/identitystore/2020-06-15/service-2.json`): every length, pattern, range, list size, required
 * member and error of the operations below.
 *
 * Operations: GetUserId (UniqueAttribute `userName` or `emails.value`, or ExternalId), DescribeUser,
 * CreateUser, UpdateUser (AttributeOperations), DeleteUser, ListUsers, ListGroupMembershipsForMember,
 * CreateGroupMembership, DeleteGroupMembership.
 *
 * Behaviour the reference states, modelled as stated:
 * - UserName: 1-128 letters, marks, symbols, numbers, punctuation; `Administrator` and `AWSAdministrators`
 *   are reserved. DisplayName and Name (GivenName, FamilyName) are required "when used in IAM Identity
 *   Center". Emails, Addresses, PhoneNumbers: exactly one item.
 * - GetUserId: "For the unique attribute, the only valid paths are userName and emails.value".
 * - UpdateUser paths are the camelCase attribute paths (`userName`, `name.givenName`, `emails`, …); AWS
 *   answers `Updates for AttributePath: UserName is not supported` for `UserName`, and requires full
 *   replacement of multi-valued attributes (`emails`, not `emails[0].value`).
 * - Extensions: only `aws:identitystore:enterprise` (the SCIM enterprise user fields employeeNumber,
 *   costCenter, organization, division, department, manager).
 * - Errors, with the HTTP status codes and members of the service model (and of the SDK's exception classes,
 *   `@aws-sdk/client-identitystore` models/errors.d.ts; botocore reference
 *   https://docs.aws.amazon.com/botocore/latest/reference/services/identitystore/client/exceptions/ResourceNotFoundException.html):
 *   ResourceNotFoundException (404) with ResourceType USER / GROUP / GROUP_MEMBERSHIP / IDENTITY_STORE and
 *   ResourceId; ConflictException (409) with Reason UNIQUENESS_CONSTRAINT_VIOLATION or CONCURRENT_MODIFICATION;
 *   ThrottlingException (429) with RetryAfterSeconds, sent as the `Retry-After` header; AccessDeniedException
 *   (403); ValidationException (400). The customer managed KMS key's failures (`kmsFailNext`): Reason
 *   KMS_ACCESS_DENIED on AccessDeniedException, KMS_KEY_NOT_FOUND on ResourceNotFoundException (no
 *   ResourceType: it is not the user, group or membership that is missing), KMS_DISABLED / KMS_INVALID_ARN /
 *   KMS_INVALID_KEY_USAGE / KMS_INVALID_STATE on ValidationException, KMS_THROTTLING on ThrottlingException.
 *
 * Behaviour the reference does not state, modelled as AWS's directory behaves and flagged as such:
 * - UserName is unique case-insensitively, and GetUserId by `userName` matches case-insensitively.
 * - GetUserId by `emails.value` matches the value exactly; with several users holding the address (emails
 *   are not unique by default) it returns the oldest. `uniqueEmails: true` makes a second user with the same
 *   address (in any case) a ConflictException, as stores that enforce unique emails do.
 * - `consistencyDelayMs`: a created user, or one whose userName/emails changed, is invisible to GetUserId
 *   for that long (the store is eventually consistent).
 * - Quota: 20 requests/s per operation (token bucket, burst 20), ThrottlingException beyond it.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import {
  AwsJsonTestServer,
  isObject,
  type Json,
  type RateLimit,
  ServiceError,
  type Shape,
  throwIfInvalid,
  validate,
} from "./aws-json-server";

export type { CallRecord } from "./aws-json-server";

export const OPERATIONS = [
  "GetUserId",
  "DescribeUser",
  "CreateUser",
  "UpdateUser",
  "DeleteUser",
  "ListUsers",
  "ListGroupMembershipsForMember",
  "CreateGroupMembership",
  "DeleteGroupMembership",
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** The Identity Store's default quota used here: 20 requests per second per operation. */
export const DEFAULT_RATE_LIMIT: RateLimit = { ratePerSecond: 20, burst: 20 };

export const ENTERPRISE_EXTENSION = "aws:identitystore:enterprise";
export const ENTERPRISE_FIELDS = [
  "employeeNumber",
  "costCenter",
  "organization",
  "division",
  "department",
] as const;

export interface StoredEmail {
  Value?: string;
  Type?: string;
  Primary?: boolean;
}

/** A user as DescribeUser returns it (without IdentityStoreId and the metadata fields). */
export interface StoredUser {
  readonly UserId: string;
  readonly UserName: string;
  readonly DisplayName?: string;
  readonly Name?: Record<string, string>;
  readonly Emails?: StoredEmail[];
  readonly UserType?: string;
  readonly ExternalIds?: Array<{ Issuer: string; Id: string }>;
  readonly Extensions?: Record<string, Json>;
  readonly [attribute: string]: unknown;
}

/** A user to seed: UserName plus any attributes CreateUser accepts, optionally its id and ExternalIds. */
export type SeedUser = Partial<StoredUser> & { readonly UserName: string };

export interface StoredMembership {
  readonly MembershipId: string;
  readonly GroupId: string;
  readonly UserId: string;
}

export interface IdentityStoreServerOptions {
  readonly identityStoreId?: string;
  readonly region?: string;
  /** A second user with an email another user holds (any case) is a ConflictException. Default false. */
  readonly uniqueEmails?: boolean;
  /** A created or renamed user is invisible to GetUserId for this long. Default 0. */
  readonly consistencyDelayMs?: number;
  /** Per-operation quota; `false` turns throttling off. Default 20 requests/s (burst 20). */
  readonly rateLimit?: RateLimit | false;
  readonly rateLimits?: Partial<Record<Operation, RateLimit | false>>;
  /**
   * RetryAfterSeconds (and `Retry-After` header) of a ThrottlingException. Default 0 (retry at once): tests
   * stay fast, and a client that honours the header still sees it.
   */
  readonly retryAfterSeconds?: number;
}

/** Reasons the API gives when it cannot use the identity store's customer managed KMS key. */
export const KMS_FAILURES = {
  KMS_ACCESS_DENIED: { type: "AccessDeniedException", status: 403 },
  KMS_KEY_NOT_FOUND: { type: "ResourceNotFoundException", status: 404 },
  KMS_DISABLED: { type: "ValidationException", status: 400 },
  KMS_INVALID_ARN: { type: "ValidationException", status: 400 },
  KMS_INVALID_KEY_USAGE: { type: "ValidationException", status: 400 },
  KMS_INVALID_STATE: { type: "ValidationException", status: 400 },
  KMS_THROTTLING: { type: "ThrottlingException", status: 429 },
} as const;
export type KmsFailure = keyof typeof KMS_FAILURES;

export type ConflictReason = "UNIQUENESS_CONSTRAINT_VIOLATION" | "CONCURRENT_MODIFICATION";

// ---- shapes (service-2.json) ---------------------------------------------------------------------

const UN = "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+";
const SS = "[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\t\\n\\r \u00a0\u3000]+";
const IDENTITY_STORE_ID_PATTERN =
  "d-[0-9a-f]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const RESOURCE_ID_PATTERN =
  "([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}";
const ATTRIBUTE_PATH_PATTERN = "(?:\\p{L}+:\\p{L}+:\\p{L}+(?:\\.\\p{L}+){0,3}|\\p{L}+(?:\\.\\p{L}+){0,2})";

const full = (source: string): [RegExp, string] => [new RegExp(`^(?:${source})$`, "u"), source];

const IdentityStoreId: Shape = {
  kind: "string",
  min: 1,
  max: 36,
  pattern: [
    /^(?:d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
    IDENTITY_STORE_ID_PATTERN,
  ],
};
const ResourceId: Shape = { kind: "string", min: 1, max: 47, pattern: full(RESOURCE_ID_PATTERN) };
const UserName: Shape = { kind: "string", min: 1, max: 128, pattern: full(UN) };
const Sensitive: Shape = { kind: "string", min: 1, max: 1024, pattern: full(SS) };
const BooleanType: Shape = { kind: "boolean" };
const AttributePath: Shape = { kind: "string", min: 1, max: 255, pattern: full(ATTRIBUTE_PATH_PATTERN) };
const MaxResults: Shape = { kind: "integer", min: 1, max: 100 };
const NextToken: Shape = { kind: "string", min: 1, max: 65535, pattern: full("[-a-zA-Z0-9+=/:_]*") };
const ExtensionName: Shape = {
  kind: "string",
  min: 1,
  max: 50,
  pattern: full("aws:identitystore:[a-z]{1,20}"),
};
const ExtensionNames: Shape = { kind: "list", member: ExtensionName, min: 1, max: 10 };
const Extensions: Shape = { kind: "map", key: ExtensionName, value: { kind: "document" }, min: 1, max: 10 };
const one = (member: Shape): Shape => ({ kind: "list", member, min: 1, max: 1 });
const structure = (members: Record<string, Shape>, required: string[] = []): Shape => ({
  kind: "structure",
  members,
  required,
});
const NameShape = structure({
  Formatted: Sensitive,
  FamilyName: Sensitive,
  GivenName: Sensitive,
  MiddleName: Sensitive,
  HonorificPrefix: Sensitive,
  HonorificSuffix: Sensitive,
});
const EmailShape = structure({ Value: Sensitive, Type: Sensitive, Primary: BooleanType });
const AddressShape = structure({
  StreetAddress: Sensitive,
  Locality: Sensitive,
  Region: Sensitive,
  PostalCode: Sensitive,
  Country: Sensitive,
  Formatted: Sensitive,
  Type: Sensitive,
  Primary: BooleanType,
});
const PhoneNumberShape = structure({ Value: Sensitive, Type: Sensitive, Primary: BooleanType });
const PhotoShape = structure(
  { Value: Sensitive, Type: Sensitive, Display: Sensitive, Primary: BooleanType },
  ["Value"],
);
const RoleShape = structure({ Value: Sensitive, Type: Sensitive, Primary: BooleanType });
const ExternalIdShape = structure(
  {
    Issuer: { kind: "string", min: 1, max: 256, pattern: full(UN) },
    Id: { kind: "string", min: 1, max: 256, pattern: full(UN) },
  },
  ["Issuer", "Id"],
);
const MemberId: Shape = { kind: "union", members: { UserId: ResourceId } };

/** Single-valued string attributes of a user (member name → camelCase attribute path). */
const STRING_ATTRIBUTES = [
  "DisplayName",
  "NickName",
  "ProfileUrl",
  "UserType",
  "Title",
  "PreferredLanguage",
  "Locale",
  "Timezone",
  "Website",
  "Birthdate",
] as const;
/** Multi-valued attributes (lists of structures) and their item shapes. */
const LIST_ATTRIBUTES: Record<string, { shape: Shape; member: string }> = {
  emails: { shape: one(EmailShape), member: "Emails" },
  addresses: { shape: one(AddressShape), member: "Addresses" },
  phoneNumbers: { shape: one(PhoneNumberShape), member: "PhoneNumbers" },
  photos: { shape: { kind: "list", member: PhotoShape, min: 1, max: 3 }, member: "Photos" },
  roles: { shape: one(RoleShape), member: "Roles" },
};

const USER_MEMBERS: Record<string, Shape> = {
  IdentityStoreId,
  UserName,
  Name: NameShape,
  ...Object.fromEntries(STRING_ATTRIBUTES.map((member) => [member, Sensitive])),
  ...Object.fromEntries(Object.values(LIST_ATTRIBUTES).map(({ shape, member }) => [member, shape])),
  Extensions,
};

const REQUESTS: Record<Operation, Shape> = {
  GetUserId: structure(
    {
      IdentityStoreId,
      AlternateIdentifier: {
        kind: "union",
        members: {
          ExternalId: ExternalIdShape,
          UniqueAttribute: structure({ AttributePath, AttributeValue: { kind: "document" } }, [
            "AttributePath",
            "AttributeValue",
          ]),
        },
      },
    },
    ["IdentityStoreId", "AlternateIdentifier"],
  ),
  DescribeUser: structure({ IdentityStoreId, UserId: ResourceId, Extensions: ExtensionNames }, [
    "IdentityStoreId",
    "UserId",
  ]),
  CreateUser: structure(USER_MEMBERS, ["IdentityStoreId"]),
  UpdateUser: structure(
    {
      IdentityStoreId,
      UserId: ResourceId,
      Operations: {
        kind: "list",
        member: structure({ AttributePath, AttributeValue: { kind: "document" } }, ["AttributePath"]),
        min: 1,
        max: 100,
      },
    },
    ["IdentityStoreId", "UserId", "Operations"],
  ),
  DeleteUser: structure({ IdentityStoreId, UserId: ResourceId }, ["IdentityStoreId", "UserId"]),
  ListUsers: structure(
    {
      IdentityStoreId,
      Extensions: ExtensionNames,
      MaxResults,
      NextToken,
      Filters: {
        kind: "list",
        member: structure({ AttributePath, AttributeValue: Sensitive }, ["AttributePath", "AttributeValue"]),
        min: 0,
        max: 1,
      },
    },
    ["IdentityStoreId"],
  ),
  ListGroupMembershipsForMember: structure({ IdentityStoreId, MemberId, MaxResults, NextToken }, [
    "IdentityStoreId",
    "MemberId",
  ]),
  CreateGroupMembership: structure({ IdentityStoreId, GroupId: ResourceId, MemberId }, [
    "IdentityStoreId",
    "GroupId",
    "MemberId",
  ]),
  DeleteGroupMembership: structure({ IdentityStoreId, MembershipId: ResourceId }, [
    "IdentityStoreId",
    "MembershipId",
  ]),
};

const RESERVED_USER_NAMES = ["administrator", "awsadministrators"];

function notFound(resourceType: string, resourceId?: unknown): ServiceError {
  return new ServiceError("ResourceNotFoundException", `${resourceType} not found.`, 404, {
    ResourceType: resourceType,
    ...(typeof resourceId === "string" ? { ResourceId: resourceId } : {}),
  });
}

function conflict(message: string, reason: ConflictReason = "UNIQUENESS_CONSTRAINT_VIOLATION"): ServiceError {
  return new ServiceError("ConflictException", message, 409, { Reason: reason });
}

function validation(message: string): ServiceError {
  return new ServiceError("ValidationException", message);
}

function fold(value: string): string {
  return value.toLowerCase();
}

/** Checks the enterprise extension document: only the SCIM enterprise fields, each a valid string. */
function validateEnterprise(document: unknown, path: string, problems: string[]): void {
  const shape = structure({
    ...Object.fromEntries(ENTERPRISE_FIELDS.map((field) => [field, Sensitive])),
    manager: structure({ value: Sensitive }),
  });
  validate(shape, document, path, problems);
}

function encodeToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString("base64");
}

function decodeToken(token: string): number {
  const decoded = /^offset:(\d+)$/.exec(Buffer.from(token, "base64").toString("utf8"));
  if (decoded === null || encodeToken(Number(decoded[1])) !== token) {
    throw validation("The NextToken is invalid or has expired");
  }
  return Number(decoded[1]);
}

export class IdentityStoreTestServer extends AwsJsonTestServer<Operation> {
  /** Users by UserId, in creation order. */
  readonly users = new Map<string, StoredUser>();
  /** Group ids. */
  readonly groups = new Set<string>();
  /** Memberships by MembershipId. */
  readonly memberships = new Map<string, StoredMembership>();
  /** Page size of ListGroupMembershipsForMember (also bounded by the request's MaxResults). */
  membershipPageSize = 100;
  /** Page size of ListUsers (also bounded by the request's MaxResults). */
  usersPageSize = 100;

  readonly identityStoreId: string;
  readonly uniqueEmails: boolean;
  readonly consistencyDelayMs: number;
  readonly retryAfterSeconds: number;
  /** When each user becomes visible to GetUserId (performance.now() time). */
  private readonly visibleAt = new Map<string, number>();
  private readonly timestamps = new Map<string, { createdAt: number; updatedAt: number }>();
  private barrier: { size: number; waiting: Array<() => void> } | undefined;

  private constructor(options: IdentityStoreServerOptions) {
    super({
      region: options.region ?? "eu-west-1",
      targetPrefix: "AWSIdentityStore",
      signingName: "identitystore",
      errorNamespace: "com.amazonaws.identitystore",
      messageKey: "Message",
      operations: OPERATIONS,
      rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
      rateLimits: options.rateLimits,
    });
    this.identityStoreId = options.identityStoreId ?? "d-1234567890";
    this.uniqueEmails = options.uniqueEmails ?? false;
    this.consistencyDelayMs = options.consistencyDelayMs ?? 0;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 0;
  }

  static async start(options: IdentityStoreServerOptions = {}): Promise<IdentityStoreTestServer> {
    const server = new IdentityStoreTestServer(options);
    await server.listen();
    return server;
  }

  // ---- knobs -------------------------------------------------------------------------------------

  /**
   * The next `count` calls (of `operation`, or of any) answer 409 ConflictException with this Reason
   * (default CONCURRENT_MODIFICATION: another request changed the resource at the same time).
   */
  conflictNext(count: number, options: { operation?: Operation; reason?: ConflictReason } = {}): void {
    const reason = options.reason ?? "CONCURRENT_MODIFICATION";
    this.failNext(count, {
      operation: options.operation,
      type: "ConflictException",
      status: 409,
      message:
        reason === "CONCURRENT_MODIFICATION"
          ? "The request could not be completed because of a concurrent modification"
          : "Duplicate",
      fields: { Reason: reason },
    });
  }

  /** The next `count` calls (of `operation`, or of any) fail because the store's KMS key is unusable. */
  kmsFailNext(count: number, reason: KmsFailure, options: { operation?: Operation } = {}): void {
    const { type, status } = KMS_FAILURES[reason];
    this.failNext(count, {
      operation: options.operation,
      type,
      status,
      message: `The identity store could not use its customer managed KMS key (${reason})`,
      fields: {
        Reason: reason,
        ...(type === "ThrottlingException" ? { RetryAfterSeconds: this.retryAfterSeconds } : {}),
      },
      headers: type === "ThrottlingException" ? { "Retry-After": String(this.retryAfterSeconds) } : {},
    });
  }

  /** The next `count` calls (of `operation`, or of any) answer 403 AccessDeniedException (no Reason: IAM). */
  denyNext(count: number, options: { operation?: Operation } = {}): void {
    this.failNext(count, {
      operation: options.operation,
      type: "AccessDeniedException",
      status: 403,
      message: "User is not authorized to perform this action",
    });
  }

  /** Hold GetUserId calls until `count` of them are waiting, then answer them all. */
  holdGetUserIdUntil(count: number): void {
    this.barrier = { size: count, waiting: [] };
  }

  // ---- seeding and inspection --------------------------------------------------------------------

  /**
   * Adds a user as an administrator would (visible at once, no quota). Missing DisplayName / Name are
   * filled in; the result must satisfy CreateUser's rules (uniqueness included).
   */
  addUser(user: SeedUser): string {
    const { UserId, ExternalIds, ...attributes } = user;
    const complete: Json = {
      DisplayName: "Seeded User",
      Name: { GivenName: "Seeded", FamilyName: "User" },
      ...attributes,
    };
    const problems: string[] = [];
    validate(REQUESTS.CreateUser, { IdentityStoreId: this.identityStoreId, ...complete }, "", problems);
    throwIfInvalid(problems);
    const userId = UserId ?? randomUUID();
    this.checkRequired(complete);
    this.checkUnique(complete, userId);
    const stored = ExternalIds === undefined ? complete : { ...complete, ExternalIds };
    this.store(userId, stored, { visibleNow: true });
    return userId;
  }

  addGroup(groupId: string = randomUUID()): string {
    this.groups.add(groupId);
    return groupId;
  }

  /** Deletes a group and its memberships (as DeleteGroup does). */
  deleteGroup(groupId: string): void {
    this.groups.delete(groupId);
    for (const [id, membership] of this.memberships)
      if (membership.GroupId === groupId) this.memberships.delete(id);
  }

  addMembership(groupId: string, userId: string): string {
    const membershipId = randomUUID();
    this.memberships.set(membershipId, { MembershipId: membershipId, GroupId: groupId, UserId: userId });
    return membershipId;
  }

  /** The user whose UserName is exactly `userName`. */
  userByName(userName: string): StoredUser | undefined {
    return [...this.users.values()].find((user) => user.UserName === userName);
  }

  /** Users holding `email` (exactly) as one of their emails. */
  usersWithEmail(email: string): StoredUser[] {
    return [...this.users.values()].filter((user) =>
      (user.Emails ?? []).some((item) => item.Value === email),
    );
  }

  groupsOf(userId: string): string[] {
    return [...this.memberships.values()]
      .filter((membership) => membership.UserId === userId)
      .map((membership) => membership.GroupId)
      .sort();
  }

  protected override throttlingStatus(): number {
    return 429;
  }

  protected override throttlingError(): ServiceError {
    return new ServiceError(
      "ThrottlingException",
      "Rate exceeded",
      429,
      { RetryAfterSeconds: this.retryAfterSeconds },
      { "Retry-After": String(this.retryAfterSeconds) },
    );
  }

  protected override beforeClose(): void {
    for (const release of this.barrier?.waiting ?? []) release();
  }

  protected override async beforeDispatch(operation: Operation): Promise<void> {
    const barrier = this.barrier;
    if (operation !== "GetUserId" || barrier === undefined) return;
    await new Promise<void>((resolve) => {
      barrier.waiting.push(resolve);
      if (barrier.waiting.length >= barrier.size) {
        this.barrier = undefined;
        for (const release of barrier.waiting) release();
      }
    });
  }

  // ---- operations --------------------------------------------------------------------------------

  protected dispatch(operation: Operation, input: Json): Json {
    const problems: string[] = [];
    validate(REQUESTS[operation], input, "", problems);
    throwIfInvalid(problems);
    if (input.IdentityStoreId !== this.identityStoreId) {
      throw notFound("IDENTITY_STORE", input.IdentityStoreId);
    }
    switch (operation) {
      case "GetUserId":
        return this.getUserId(input);
      case "DescribeUser":
        return this.describeUser(input);
      case "CreateUser":
        return this.createUser(input);
      case "UpdateUser":
        return this.updateUser(input);
      case "DeleteUser":
        return this.deleteUser(input);
      case "ListUsers":
        return this.listUsers(input);
      case "ListGroupMembershipsForMember":
        return this.listGroupMembershipsForMember(input);
      case "CreateGroupMembership":
        return this.createGroupMembership(input);
      case "DeleteGroupMembership":
        return this.deleteGroupMembership(input);
    }
  }

  private visible(user: StoredUser): boolean {
    return (this.visibleAt.get(user.UserId) ?? 0) <= performance.now();
  }

  private getUserId(input: Json): Json {
    const identifier = input.AlternateIdentifier as Json;
    let user: StoredUser | undefined;
    if (isObject(identifier.UniqueAttribute)) {
      const { AttributePath: path, AttributeValue: value } = identifier.UniqueAttribute;
      if (path !== "userName" && path !== "emails.value") {
        throw validation(`The attribute ${String(path)} is not a unique attribute`);
      }
      if (typeof value !== "string" || value === "") {
        throw validation(`attribute value cannot be empty or null for attribute path ${path}`);
      }
      const candidates = [...this.users.values()].filter((candidate) => this.visible(candidate));
      user =
        path === "userName"
          ? candidates.find((candidate) => fold(candidate.UserName) === fold(value))
          : candidates.find((candidate) => (candidate.Emails ?? []).some((email) => email.Value === value));
    } else {
      const { Issuer, Id } = identifier.ExternalId as { Issuer: string; Id: string };
      user = [...this.users.values()].find(
        (candidate) =>
          this.visible(candidate) &&
          (candidate.ExternalIds ?? []).some((external) => external.Issuer === Issuer && external.Id === Id),
      );
    }
    if (user === undefined) throw notFound("USER");
    return { IdentityStoreId: this.identityStoreId, UserId: user.UserId };
  }

  /** The user as the API returns it; the enterprise extension only when asked for. */
  private render(user: StoredUser, extensions: unknown): Json {
    const { Extensions: stored, ...attributes } = user;
    const wanted = Array.isArray(extensions) ? extensions : [];
    for (const name of wanted) {
      if (name !== ENTERPRISE_EXTENSION) throw validation(`Extension ${String(name)} is not supported`);
    }
    const times = this.timestamps.get(user.UserId);
    return {
      IdentityStoreId: this.identityStoreId,
      ...attributes,
      UserStatus: "ENABLED",
      ...(times === undefined
        ? {}
        : { CreatedAt: times.createdAt / 1000, UpdatedAt: times.updatedAt / 1000 }),
      ...(wanted.length > 0 && stored?.[ENTERPRISE_EXTENSION] !== undefined
        ? { Extensions: { [ENTERPRISE_EXTENSION]: stored[ENTERPRISE_EXTENSION] } }
        : {}),
    };
  }

  private describeUser(input: Json): Json {
    const user = this.users.get(input.UserId as string);
    if (user === undefined) throw notFound("USER", input.UserId);
    return this.render(user, input.Extensions);
  }

  /** IAM Identity Center requires UserName, DisplayName and Name (GivenName, FamilyName). */
  private checkRequired(user: Json): void {
    const missing: string[] = [];
    if (user.UserName === undefined) missing.push("userName");
    if (user.DisplayName === undefined) missing.push("displayName");
    const name = isObject(user.Name) ? user.Name : undefined;
    if (name === undefined) missing.push("name");
    else {
      if (name.GivenName === undefined) missing.push("name.givenName");
      if (name.FamilyName === undefined) missing.push("name.familyName");
    }
    if (missing.length > 0) {
      throw validation(
        missing.map((attribute) => `${attribute}: The attribute ${attribute} is required`).join(", "),
      );
    }
    if (RESERVED_USER_NAMES.includes(fold(String(user.UserName)))) {
      throw validation(`${String(user.UserName)} is a reserved name and can't be used for users or groups`);
    }
    if (isObject(user.Extensions)) {
      const problems: string[] = [];
      for (const [name, document] of Object.entries(user.Extensions)) {
        if (name !== ENTERPRISE_EXTENSION) problems.push(`Extension ${name} is not supported`);
        else validateEnterprise(document, `extensions.${name}`, problems);
      }
      throwIfInvalid(problems);
    }
  }

  /** UserName unique case-insensitively; emails too when `uniqueEmails`. */
  private checkUnique(user: Json, selfId: string | undefined): void {
    const others = [...this.users.values()].filter((other) => other.UserId !== selfId);
    const userName = fold(String(user.UserName));
    if (others.some((other) => fold(other.UserName) === userName)) throw conflict("Duplicate UserName");
    if (!this.uniqueEmails) return;
    const emails = ((user.Emails as StoredEmail[] | undefined) ?? []).map((email) =>
      fold(String(email.Value ?? "")),
    );
    const taken = others.some((other) =>
      (other.Emails ?? []).some((email) => emails.includes(fold(email.Value ?? ""))),
    );
    if (taken) throw conflict("Duplicate email address");
  }

  private store(userId: string, attributes: Json, options: { visibleNow: boolean }): void {
    const now = Date.now();
    const created = this.timestamps.get(userId)?.createdAt ?? now;
    this.users.set(userId, { ...attributes, UserId: userId } as StoredUser);
    this.timestamps.set(userId, { createdAt: created, updatedAt: now });
    if (!options.visibleNow && this.consistencyDelayMs > 0) {
      this.visibleAt.set(userId, performance.now() + this.consistencyDelayMs);
    }
  }

  private createUser(input: Json): Json {
    const attributes: Json = { ...input };
    delete attributes.IdentityStoreId;
    this.checkRequired(attributes);
    this.checkUnique(attributes, undefined);
    const userId = randomUUID();
    this.store(userId, attributes, { visibleNow: false });
    return { IdentityStoreId: this.identityStoreId, UserId: userId };
  }

  private updateUser(input: Json): Json {
    const userId = input.UserId as string;
    const current = this.users.get(userId);
    if (current === undefined) throw notFound("USER", userId);
    const next: Json = structuredClone(current);
    delete next.UserId;
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const [index, operation] of (input.Operations as Json[]).entries()) {
      const path = operation.AttributePath as string;
      const value = operation.AttributeValue;
      const where = `operations.${index + 1}.member.attributeValue`;
      if (seen.has(path)) {
        problems.push(`AttributePath ${path} appears more than once`);
        continue;
      }
      seen.add(path);
      this.applyOperation(next, path, value === null ? undefined : value, where, problems);
    }
    throwIfInvalid(problems);
    this.checkRequired(next);
    this.checkUnique(next, userId);
    const renamed =
      next.UserName !== current.UserName || JSON.stringify(next.Emails) !== JSON.stringify(current.Emails);
    this.store(userId, next, { visibleNow: !renamed });
    return {};
  }

  /** Applies one AttributeOperation to `user` (a draft); a missing value removes the attribute. */
  private applyOperation(user: Json, path: string, value: unknown, where: string, problems: string[]): void {
    const set = (key: string, shape: Shape, target: Json = user): void => {
      if (value === undefined) delete target[key];
      else {
        validate(shape, value, where, problems);
        target[key] = value;
      }
    };
    if (path === "userName") return set("UserName", UserName);
    const single = STRING_ATTRIBUTES.find(
      (member) => member.charAt(0).toLowerCase() + member.slice(1) === path,
    );
    if (single !== undefined) return set(single, Sensitive);
    if (path === "name") return set("Name", NameShape);
    const nameField =
      /^name\.(formatted|familyName|givenName|middleName|honorificPrefix|honorificSuffix)$/.exec(path);
    if (nameField !== null) {
      const name = isObject(user.Name) ? user.Name : (user.Name = {});
      return set(nameField[1].charAt(0).toUpperCase() + nameField[1].slice(1), Sensitive, name as Json);
    }
    const list = LIST_ATTRIBUTES[path];
    if (list !== undefined) return set(list.member, list.shape);
    const multi = /^(emails|addresses|phoneNumbers|photos|roles)[.[]/.exec(path);
    if (multi !== null) {
      problems.push(
        `Unsupported update operation on multi-value attribute ${multi[1]}, please provide full replacement of Multi-Value attribute types`,
      );
      return;
    }
    if (path === ENTERPRISE_EXTENSION || path.startsWith(`${ENTERPRISE_EXTENSION}.`)) {
      const extensions = isObject(user.Extensions) ? user.Extensions : (user.Extensions = {});
      if (path === ENTERPRISE_EXTENSION) {
        if (value === undefined) delete extensions[ENTERPRISE_EXTENSION];
        else {
          validateEnterprise(value, where, problems);
          extensions[ENTERPRISE_EXTENSION] = value;
        }
      } else {
        const field = path.slice(ENTERPRISE_EXTENSION.length + 1);
        const document = isObject(extensions[ENTERPRISE_EXTENSION]) ? extensions[ENTERPRISE_EXTENSION] : {};
        if (field === "manager.value") {
          const manager = isObject(document.manager) ? document.manager : {};
          if (value === undefined) delete manager.value;
          else {
            validate(Sensitive, value, where, problems);
            manager.value = value;
          }
          document.manager = manager;
        } else if ((ENTERPRISE_FIELDS as readonly string[]).includes(field) || field === "manager") {
          if (value === undefined) delete document[field];
          else {
            validateEnterprise({ [field]: value }, where, problems);
            document[field] = value;
          }
        } else {
          problems.push(`Updates for AttributePath: ${path} is not supported`);
          return;
        }
        extensions[ENTERPRISE_EXTENSION] = document;
      }
      if (Object.keys(extensions[ENTERPRISE_EXTENSION] ?? {}).length === 0)
        delete extensions[ENTERPRISE_EXTENSION];
      if (Object.keys(extensions).length === 0) delete user.Extensions;
      return;
    }
    problems.push(`Updates for AttributePath: ${path} is not supported`);
  }

  private deleteUser(input: Json): Json {
    const userId = input.UserId as string;
    if (!this.users.delete(userId)) throw notFound("USER", userId);
    for (const [id, membership] of this.memberships)
      if (membership.UserId === userId) this.memberships.delete(id);
    return {};
  }

  private listUsers(input: Json): Json {
    if (Array.isArray(input.Filters) && input.Filters.length > 0) {
      throw validation(
        "Filters are deprecated for ListUsers and not modelled by this test server: use GetUserId",
      );
    }
    const offset = input.NextToken === undefined ? 0 : decodeToken(input.NextToken as string);
    const all = [...this.users.values()];
    const size = Math.min((input.MaxResults as number | undefined) ?? 100, this.usersPageSize);
    const page = all.slice(offset, offset + size);
    return {
      Users: page.map((user) => this.render(user, input.Extensions)),
      ...(offset + size < all.length ? { NextToken: encodeToken(offset + size) } : {}),
    };
  }

  private memberUserId(input: Json): string {
    return (input.MemberId as { UserId: string }).UserId;
  }

  private listGroupMembershipsForMember(input: Json): Json {
    const userId = this.memberUserId(input);
    if (!this.users.has(userId)) throw notFound("USER", userId);
    const offset = input.NextToken === undefined ? 0 : decodeToken(input.NextToken as string);
    const all = [...this.memberships.values()].filter((membership) => membership.UserId === userId);
    const size = Math.min((input.MaxResults as number | undefined) ?? 100, this.membershipPageSize);
    const page = all.slice(offset, offset + size);
    return {
      GroupMemberships: page.map((membership) => ({
        IdentityStoreId: this.identityStoreId,
        MembershipId: membership.MembershipId,
        GroupId: membership.GroupId,
        MemberId: { UserId: membership.UserId },
      })),
      ...(offset + size < all.length ? { NextToken: encodeToken(offset + size) } : {}),
    };
  }

  private createGroupMembership(input: Json): Json {
    const groupId = input.GroupId as string;
    const userId = this.memberUserId(input);
    if (!this.groups.has(groupId)) throw notFound("GROUP", groupId);
    if (!this.users.has(userId)) throw notFound("USER", userId);
    const exists = [...this.memberships.values()].some((m) => m.GroupId === groupId && m.UserId === userId);
    if (exists) throw conflict("Member already exists in the group");
    return { IdentityStoreId: this.identityStoreId, MembershipId: this.addMembership(groupId, userId) };
  }

  private deleteGroupMembership(input: Json): Json {
    const membershipId = input.MembershipId as string;
    if (!this.memberships.delete(membershipId)) throw notFound("GROUP_MEMBERSHIP", membershipId);
    return {};
  }
}
