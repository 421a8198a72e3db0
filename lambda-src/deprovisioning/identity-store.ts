import {
  DeleteGroupMembershipCommand,
  DeleteUserCommand,
  DescribeUserCommand,
  GetUserIdCommand,
  IdentitystoreClient,
  ListGroupMembershipsForMemberCommand,
  ListUsersCommand,
  type User,
} from "@aws-sdk/client-identitystore";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { createRequestHandler, type HttpTimeouts } from "../shared/identity-store-client";
import { BoundedRetryStrategy, type RetryOptions } from "../shared/retry-strategy";
import type { Pacer } from "./pacer";

/** What the deprovisioner needs to know about an IdC user. */
export interface IdcUser {
  readonly userId: string;
  readonly userName: string;
  readonly userType: string | undefined;
}

export interface Membership {
  readonly membershipId: string;
  readonly groupId: string;
}

/** Bound on pages of one listing: a loop that never ends would only burn the run's time. */
export const MAX_PAGES = 10_000;

/** A background job, not a sign-in: longer timeouts than the JIT Lambda (the run has a deadline of its own). */
export const BACKGROUND_TIMEOUTS: HttpTimeouts = { connectionTimeoutMs: 3000, requestTimeoutMs: 10_000 };
/** More patient retries than a sign-in can afford, still bounded. */
export const BACKGROUND_RETRIES: RetryOptions = {
  maxAttempts: 5,
  throttlingBaseDelayMs: 500,
  transientBaseDelayMs: 200,
  maxDelayMs: 5000,
};

/** The shared client settings, with these timeouts and retries, and credentials for cross-account mode. */
export function createIdentityStoreClient(
  region: string,
  credentials?: AwsCredentialIdentityProvider,
): IdentitystoreClient {
  return new IdentitystoreClient({
    region,
    credentials,
    maxAttempts: BACKGROUND_RETRIES.maxAttempts,
    retryStrategy: new BoundedRetryStrategy(BACKGROUND_RETRIES),
    requestHandler: createRequestHandler(BACKGROUND_TIMEOUTS),
  });
}

function errorName(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "name" in error ? String(error.name) : undefined;
}

function isNotFound(error: unknown, resourceType: string): boolean {
  if (errorName(error) !== "ResourceNotFoundException") return false;
  const type = (error as { ResourceType?: unknown }).ResourceType;
  return type === undefined || type === resourceType;
}

function toIdcUser(user: User): IdcUser | undefined {
  if (!user.UserId || user.UserName === undefined) return undefined;
  return { userId: user.UserId, userName: user.UserName, userType: user.UserType };
}

/** The Identity Store calls of the deprovisioner, paced per operation and bounded by the run's signal. */
export class DeprovisioningIdentityStore {
  constructor(
    private readonly client: IdentitystoreClient,
    private readonly identityStoreId: string,
    private readonly pacer: Pacer,
  ) {}

  private async send<T>(operation: string, signal: AbortSignal, call: () => Promise<T>): Promise<T> {
    await this.pacer.wait(operation, signal);
    return call();
  }

  /** Every user of the store, page by page (ListUsers, 100 a page). */
  async *listUsers(signal: AbortSignal): AsyncGenerator<IdcUser> {
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const output = await this.send("ListUsers", signal, () =>
        this.client.send(
          new ListUsersCommand({
            IdentityStoreId: this.identityStoreId,
            MaxResults: 100,
            NextToken: nextToken,
          }),
          { abortSignal: signal },
        ),
      );
      for (const user of output.Users ?? []) {
        const idcUser = toIdcUser(user);
        if (idcUser !== undefined) yield idcUser;
      }
      if (!output.NextToken) return;
      nextToken = output.NextToken;
    }
    throw new Error(`ListUsers returned more than ${MAX_PAGES} pages`);
  }

  /** DescribeUser; undefined when the user no longer exists. */
  async describeUser(userId: string, signal: AbortSignal): Promise<IdcUser | undefined> {
    try {
      const output = await this.send("DescribeUser", signal, () =>
        this.client.send(new DescribeUserCommand({ IdentityStoreId: this.identityStoreId, UserId: userId }), {
          abortSignal: signal,
        }),
      );
      return toIdcUser(output);
    } catch (error) {
      if (isNotFound(error, "USER")) return undefined;
      throw error;
    }
  }

  /** GetUserId by the unique `userName`; undefined when there is no such user. */
  async findUserId(userName: string, signal: AbortSignal): Promise<string | undefined> {
    try {
      const output = await this.send("GetUserId", signal, () =>
        this.client.send(
          new GetUserIdCommand({
            IdentityStoreId: this.identityStoreId,
            AlternateIdentifier: { UniqueAttribute: { AttributePath: "userName", AttributeValue: userName } },
          }),
          { abortSignal: signal },
        ),
      );
      return output.UserId || undefined;
    } catch (error) {
      if (isNotFound(error, "USER")) return undefined;
      throw error;
    }
  }

  /** Every group membership of the user. */
  async listMemberships(userId: string, signal: AbortSignal): Promise<Membership[]> {
    const memberships: Membership[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const output = await this.send("ListGroupMembershipsForMember", signal, () =>
        this.client.send(
          new ListGroupMembershipsForMemberCommand({
            IdentityStoreId: this.identityStoreId,
            MemberId: { UserId: userId },
            MaxResults: 100,
            NextToken: nextToken,
          }),
          { abortSignal: signal },
        ),
      );
      for (const m of output.GroupMemberships ?? []) {
        if (m.MembershipId && m.GroupId)
          memberships.push({ membershipId: m.MembershipId, groupId: m.GroupId });
      }
      if (!output.NextToken) return memberships;
      nextToken = output.NextToken;
    }
    throw new Error(`ListGroupMembershipsForMember returned more than ${MAX_PAGES} pages`);
  }

  /** DeleteGroupMembership; `already-removed` when it is gone (a rerun, or the JIT Lambda). */
  async deleteMembership(membershipId: string, signal: AbortSignal): Promise<"removed" | "already-removed"> {
    try {
      await this.send("DeleteGroupMembership", signal, () =>
        this.client.send(
          new DeleteGroupMembershipCommand({
            IdentityStoreId: this.identityStoreId,
            MembershipId: membershipId,
          }),
          { abortSignal: signal },
        ),
      );
      return "removed";
    } catch (error) {
      if (isNotFound(error, "GROUP_MEMBERSHIP")) return "already-removed";
      throw error;
    }
  }

  /** DeleteUser; `already-deleted` when it is gone. */
  async deleteUser(userId: string, signal: AbortSignal): Promise<"deleted" | "already-deleted"> {
    try {
      await this.send("DeleteUser", signal, () =>
        this.client.send(new DeleteUserCommand({ IdentityStoreId: this.identityStoreId, UserId: userId }), {
          abortSignal: signal,
        }),
      );
      return "deleted";
    } catch (error) {
      if (isNotFound(error, "USER")) return "already-deleted";
      throw error;
    }
  }
}
