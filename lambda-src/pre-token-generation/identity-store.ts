import {
  CreateGroupMembershipCommand,
  CreateUserCommand,
  type DescribeUserCommandOutput,
  type IdentitystoreClient,
  UpdateUserCommand,
} from "@aws-sdk/client-identitystore";
import {
  IdentityStoreCalls,
  isConflict,
  isNotFound,
  type LatencyObserver,
  UnexpectedResponseError,
} from "../shared/identity-store";
import type { EnterpriseAttributeField } from "./contract";

/** Safety bound on ListGroupMembershipsForMember pages (100 memberships each). */
export const MAX_MEMBERSHIP_PAGES = 50;

/** The only extension the Identity Store supports: the SCIM enterprise user attributes. */
export const ENTERPRISE_EXTENSION = "aws:identitystore:enterprise";

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

/** The JIT Lambda's Identity Store operations of one identity store, each bounded by the caller's abort signal. */
export class IdentityStore extends IdentityStoreCalls {
  constructor(
    client: IdentitystoreClient,
    identityStoreId: string,
    observeLatency: LatencyObserver = () => undefined,
  ) {
    super(client, identityStoreId, { observeLatency, maxMembershipPages: MAX_MEMBERSHIP_PAGES });
  }

  /** GetUserId by a unique attribute (`userName` or `emails.value`); undefined when nobody has it. */
  async findUserId(
    attribute: LookupAttribute,
    value: string,
    abortSignal: AbortSignal,
  ): Promise<string | undefined> {
    const output = await this.getUserId(attribute, value, abortSignal);
    if (output === undefined) return undefined;
    if (!output.UserId) throw new UnexpectedResponseError("GetUserId returned no UserId");
    return output.UserId;
  }

  /** DescribeUser (with the enterprise extension when asked); undefined when the user does not exist. */
  async describeUser(
    userId: string,
    abortSignal: AbortSignal,
    options: { readonly enterprise: boolean },
  ): Promise<IdcUser | undefined> {
    const output = await this.describe(
      userId,
      abortSignal,
      options.enterprise ? [ENTERPRISE_EXTENSION] : undefined,
    );
    if (output === undefined) return undefined;
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
      // Only a missing GROUP is skipped: a missing USER (deleted meanwhile) or a KMS failure is an error.
      if (isNotFound(error, "GROUP")) return "group-missing";
      throw error;
    }
  }
}
