import {
  CreateGroupMembershipCommand,
  CreateUserCommand,
  DeleteGroupMembershipCommand,
  DescribeUserCommand,
  type DescribeUserCommandOutput,
  GetUserIdCommand,
  type IdentitystoreClient,
  ListGroupMembershipsForMemberCommand,
  UpdateUserCommand,
} from "@aws-sdk/client-identitystore";
import type { EnterpriseAttributeField } from "./contract";
import { UnexpectedResponseError } from "./errors";

/** Safety bound on ListGroupMembershipsForMember pages (100 memberships each). */
export const MAX_MEMBERSHIP_PAGES = 50;

/** The only extension the Identity Store supports: the SCIM enterprise user attributes. */
export const ENTERPRISE_EXTENSION = "aws:identitystore:enterprise";

export interface GroupMembership {
  readonly membershipId: string;
  readonly groupId: string;
}

/** What the bridge reads of an IdC user. */
export interface IdcUser {
  readonly userId: string;
  readonly userName: string;
  readonly displayName?: string;
  readonly givenName?: string;
  readonly familyName?: string;
  /** The primary email's value (or the only email's). */
  readonly email?: string;
  /** The ownership mark is `UserType` = BRIDGE_USER_TYPE. */
  readonly userType?: string;
  /** Enterprise-extension fields that hold a string value. */
  readonly enterprise: Readonly<Partial<Record<EnterpriseAttributeField, string>>>;
}

/** The user the bridge wants for a person (CreateUser input, UpdateUser target). */
export interface DesiredUser {
  readonly userName: string;
  readonly displayName: string;
  readonly givenName: string;
  readonly familyName: string;
  /** Primary work email (= userName). */
  readonly email: string;
  /** Only the configured fields; undefined = the person has no value (the field is removed). */
  readonly enterprise: ReadonlyMap<EnterpriseAttributeField, string | undefined>;
}

/** An UpdateUser operation: set `value`, or remove the attribute when `value` is undefined. */
export interface AttributeOperation {
  readonly path: string;
  readonly value?: unknown;
}

export type LookupAttribute = "userName" | "emails.value";

/** Called after every API call (retries included) with its duration. */
export type LatencyObserver = (operation: string, milliseconds: number) => void;

function errorName(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "name" in error ? String(error.name) : undefined;
}

/** ResourceNotFoundException about the given resource type (or without one). */
export function isNotFound(error: unknown, resourceType: string): boolean {
  if (errorName(error) !== "ResourceNotFoundException") return false;
  const type = (error as { ResourceType?: unknown }).ResourceType;
  return type === undefined || type === resourceType;
}

function isConflict(error: unknown): boolean {
  return errorName(error) === "ConflictException";
}

function primaryEmail(output: DescribeUserCommandOutput): string | undefined {
  const emails = output.Emails ?? [];
  return (emails.find((email) => email.Primary) ?? emails[0])?.Value;
}

function enterpriseOf(output: DescribeUserCommandOutput): IdcUser["enterprise"] {
  const document = (output.Extensions as Record<string, unknown> | undefined)?.[ENTERPRISE_EXTENSION];
  if (typeof document !== "object" || document === null) return {};
  return Object.fromEntries(
    Object.entries(document).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}

/** Identity Store operations of one identity store, each bounded by the caller's abort signal. */
export class IdentityStore {
  constructor(
    private readonly client: IdentitystoreClient,
    private readonly identityStoreId: string,
    private readonly observeLatency: LatencyObserver = () => undefined,
  ) {}

  /** Runs one call, observing its latency; a call cut short by its signal fails with the signal's reason. */
  private async timed<T>(operation: string, signal: AbortSignal, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await call();
    } catch (error) {
      throw signal.aborted && signal.reason !== undefined ? signal.reason : error;
    } finally {
      this.observeLatency(operation, Math.round(performance.now() - started));
    }
  }

  /** GetUserId by a unique attribute (`userName` or `emails.value`); undefined when nobody has it. */
  async findUserId(
    attribute: LookupAttribute,
    value: string,
    abortSignal: AbortSignal,
  ): Promise<string | undefined> {
    try {
      const output = await this.timed("GetUserId", abortSignal, () =>
        this.client.send(
          new GetUserIdCommand({
            IdentityStoreId: this.identityStoreId,
            AlternateIdentifier: { UniqueAttribute: { AttributePath: attribute, AttributeValue: value } },
          }),
          { abortSignal },
        ),
      );
      if (!output.UserId) throw new UnexpectedResponseError("GetUserId returned no UserId");
      return output.UserId;
    } catch (error) {
      // Only a missing USER; a missing identity store must fail loudly, not look like a new person.
      if (isNotFound(error, "USER")) return undefined;
      throw error;
    }
  }

  /** DescribeUser (with the enterprise extension when asked); undefined when the user does not exist. */
  async describeUser(
    userId: string,
    abortSignal: AbortSignal,
    options: { readonly enterprise: boolean },
  ): Promise<IdcUser | undefined> {
    try {
      const output = await this.timed("DescribeUser", abortSignal, () =>
        this.client.send(
          new DescribeUserCommand({
            IdentityStoreId: this.identityStoreId,
            UserId: userId,
            ...(options.enterprise ? { Extensions: [ENTERPRISE_EXTENSION] } : {}),
          }),
          { abortSignal },
        ),
      );
      if (!output.UserId || !output.UserName) {
        throw new UnexpectedResponseError("DescribeUser returned no UserId or UserName");
      }
      return {
        userId: output.UserId,
        userName: output.UserName,
        displayName: output.DisplayName,
        givenName: output.Name?.GivenName,
        familyName: output.Name?.FamilyName,
        email: primaryEmail(output),
        userType: output.UserType,
        enterprise: enterpriseOf(output),
      };
    } catch (error) {
      if (isNotFound(error, "USER")) return undefined;
      throw error;
    }
  }

  /** CreateUser with the ownership mark; `conflict` when the UserName (or, in some stores, the email) is taken. */
  async createUser(
    user: DesiredUser,
    userType: string,
    abortSignal: AbortSignal,
  ): Promise<{ readonly kind: "created"; readonly userId: string } | { readonly kind: "conflict" }> {
    const enterprise = Object.fromEntries(
      [...user.enterprise].filter(
        (entry): entry is [EnterpriseAttributeField, string] => entry[1] !== undefined,
      ),
    );
    try {
      const output = await this.timed("CreateUser", abortSignal, () =>
        this.client.send(
          new CreateUserCommand({
            IdentityStoreId: this.identityStoreId,
            UserName: user.userName,
            DisplayName: user.displayName,
            Name: { GivenName: user.givenName, FamilyName: user.familyName },
            Emails: [{ Value: user.email, Type: "work", Primary: true }],
            UserType: userType,
            ...(Object.keys(enterprise).length > 0
              ? { Extensions: { [ENTERPRISE_EXTENSION]: enterprise } }
              : {}),
          }),
          { abortSignal },
        ),
      );
      if (!output.UserId) throw new UnexpectedResponseError("CreateUser returned no UserId");
      return { kind: "created", userId: output.UserId };
    } catch (error) {
      if (isConflict(error)) return { kind: "conflict" };
      throw error;
    }
  }

  /** UpdateUser; `conflict` when a new UserName (or email) is taken, `not-found` when the user is gone. */
  async updateUser(
    userId: string,
    operations: readonly AttributeOperation[],
    abortSignal: AbortSignal,
  ): Promise<"updated" | "conflict" | "not-found"> {
    try {
      await this.timed("UpdateUser", abortSignal, () =>
        this.client.send(
          new UpdateUserCommand({
            IdentityStoreId: this.identityStoreId,
            UserId: userId,
            Operations: operations.map((operation) =>
              operation.value === undefined
                ? { AttributePath: operation.path }
                : { AttributePath: operation.path, AttributeValue: operation.value as never },
            ),
          }),
          { abortSignal },
        ),
      );
      return "updated";
    } catch (error) {
      if (isConflict(error)) return "conflict";
      if (isNotFound(error, "USER")) return "not-found";
      throw error;
    }
  }

  /** All group memberships of the user (every page of ListGroupMembershipsForMember). */
  async listGroupMemberships(userId: string, abortSignal: AbortSignal): Promise<GroupMembership[]> {
    const memberships: GroupMembership[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_MEMBERSHIP_PAGES; page += 1) {
      const output = await this.timed("ListGroupMembershipsForMember", abortSignal, () =>
        this.client.send(
          new ListGroupMembershipsForMemberCommand({
            IdentityStoreId: this.identityStoreId,
            MemberId: { UserId: userId },
            MaxResults: 100,
            NextToken: nextToken,
          }),
          { abortSignal },
        ),
      );
      for (const membership of output.GroupMemberships ?? []) {
        if (membership.MembershipId && membership.GroupId) {
          memberships.push({ membershipId: membership.MembershipId, groupId: membership.GroupId });
        }
      }
      if (!output.NextToken) return memberships;
      nextToken = output.NextToken;
    }
    throw new UnexpectedResponseError(
      `ListGroupMembershipsForMember returned more than ${MAX_MEMBERSHIP_PAGES} pages`,
    );
  }

  /**
   * CreateGroupMembership; `already-member` on ConflictException (another sign-in raced us),
   * `group-missing` when the group no longer exists.
   */
  async addGroupMembership(
    groupId: string,
    userId: string,
    abortSignal: AbortSignal,
  ): Promise<"added" | "already-member" | "group-missing"> {
    try {
      await this.timed("CreateGroupMembership", abortSignal, () =>
        this.client.send(
          new CreateGroupMembershipCommand({
            IdentityStoreId: this.identityStoreId,
            GroupId: groupId,
            MemberId: { UserId: userId },
          }),
          { abortSignal },
        ),
      );
      return "added";
    } catch (error) {
      if (isConflict(error)) return "already-member";
      if (
        errorName(error) === "ResourceNotFoundException" &&
        (error as { ResourceType?: unknown }).ResourceType === "GROUP"
      ) {
        return "group-missing";
      }
      throw error;
    }
  }

  /** DeleteGroupMembership; `already-removed` on ResourceNotFoundException. */
  async removeGroupMembership(
    membershipId: string,
    abortSignal: AbortSignal,
  ): Promise<"removed" | "already-removed"> {
    try {
      await this.timed("DeleteGroupMembership", abortSignal, () =>
        this.client.send(
          new DeleteGroupMembershipCommand({
            IdentityStoreId: this.identityStoreId,
            MembershipId: membershipId,
          }),
          { abortSignal },
        ),
      );
      return "removed";
    } catch (error) {
      if (isNotFound(error, "GROUP_MEMBERSHIP")) return "already-removed";
      throw error;
    }
  }
}
