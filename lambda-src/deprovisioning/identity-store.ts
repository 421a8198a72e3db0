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
import type { STSClient } from "@aws-sdk/client-sts";
import { AssumedRoleCredentials, sessionNameFor } from "../shared/assumed-role-credentials";
import {
  createIdentityStoreClient as createSharedIdentityStoreClient,
  type ClientOptions,
  type HttpTimeouts,
} from "../shared/identity-store-client";
import type { PacingOptions } from "../shared/pacing";
import type { RetryOptions } from "../shared/retry-strategy";

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

/**
 * ~16 calls a second per operation, one at a time: under Identity Store's ~20 per API
 * (https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html), with room for the JIT Lambda.
 * A run that pages through every user would otherwise burst past that and spend its time in retries.
 */
export const BACKGROUND_PACING: PacingOptions = { ratePerSecond: 1000 / 60, burst: 1 };

/** AssumeRole may take this long (retries included): a background run has minutes, not a sign-in's 5 s. */
export const BACKGROUND_ASSUME_ROLE_TIMEOUT_MS = 30_000;

/** The shared Identity Store client with the background timeouts, retries and pacing. */
export function createIdentityStoreClient(
  region: string,
  options: Pick<ClientOptions, "credentials" | "pacing"> = {},
): IdentitystoreClient {
  return createSharedIdentityStoreClient(region, {
    timeouts: BACKGROUND_TIMEOUTS,
    retry: BACKGROUND_RETRIES,
    pacing: options.pacing ?? BACKGROUND_PACING,
    credentials: options.credentials,
  });
}

/** Cross-account mode: the IdC account's Identity Store role, assumed once per container (shared cache). */
export function assumedRoleCredentials(
  sts: STSClient,
  roleArn: string,
  serviceName: string,
): AssumedRoleCredentials {
  return new AssumedRoleCredentials({
    sts,
    roleArn,
    sessionName: sessionNameFor(serviceName),
    timeoutMs: BACKGROUND_ASSUME_ROLE_TIMEOUT_MS,
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

/** The Identity Store calls of the deprovisioner (the client paces them), bounded by the run's signal. */
export class DeprovisioningIdentityStore {
  constructor(
    private readonly client: IdentitystoreClient,
    private readonly identityStoreId: string,
  ) {}

  private async send<T>(_operation: string, _signal: AbortSignal, call: () => Promise<T>): Promise<T> {
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
