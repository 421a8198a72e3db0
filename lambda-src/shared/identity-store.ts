/**
 * The Identity Store calls both bridge Lambdas make, one way: each bounded by the caller's abort signal
 * (a call cut short fails with the signal's reason), timed, and with the API's "not found" and "conflict"
 * answers classified the same way. Each Lambda extends this with the operations only it needs.
 */
import {
  DeleteGroupMembershipCommand,
  DescribeUserCommand,
  type DescribeUserCommandOutput,
  GetUserIdCommand,
  type IdentitystoreClient,
  ListGroupMembershipsForMemberCommand,
} from "@aws-sdk/client-identitystore";
import { isConcurrentModification } from "./error-kind";

/** A response lacks a field the API always returns (or pages without end). */
export class UnexpectedResponseError extends Error {
  override readonly name = "UnexpectedResponseError";
}

export interface GroupMembership {
  readonly membershipId: string;
  readonly groupId: string;
}

/** Called after every API call (retries included) with its duration. */
export type LatencyObserver = (operation: string, milliseconds: number) => void;

export function errorName(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "name" in error ? String(error.name) : undefined;
}

/**
 * "Gone": a ResourceNotFoundException that names the resource type looked up (Identity Store API reference,
 * ResourceNotFoundException.ResourceType: USER, GROUP, GROUP_MEMBERSHIP, IDENTITY_STORE, RESOURCE_POLICY) and
 * is not about the store's KMS key (Reason KMS_KEY_NOT_FOUND). A missing identity store, another kind of
 * resource, an untyped answer or a missing key is an error, never "gone".
 */
export function isNotFound(error: unknown, resourceType: string): boolean {
  if (errorName(error) !== "ResourceNotFoundException") return false;
  const { ResourceType: type, Reason: reason } = error as { ResourceType?: unknown; Reason?: unknown };
  return type === resourceType && reason === undefined;
}

/**
 * A uniqueness conflict (a UserName, email or membership that exists already). A ConflictException with
 * Reason CONCURRENT_MODIFICATION is none: it is retried (retry-strategy.ts) and, if it persists, an error.
 */
export function isConflict(error: unknown): boolean {
  return errorName(error) === "ConflictException" && !isConcurrentModification(error);
}

export { isConcurrentModification };

/**
 * The KMS Reason of an error the Identity Store answers when it cannot use its customer managed KMS key
 * (KMS_ACCESS_DENIED, KMS_KEY_NOT_FOUND, KMS_DISABLED, KMS_INVALID_ARN, KMS_INVALID_KEY_USAGE,
 * KMS_INVALID_STATE, KMS_THROTTLING; see the SDK's AccessDeniedExceptionReason, ResourceNotFoundExceptionReason,
 * ValidationExceptionReason and ThrottlingExceptionReason), or undefined.
 */
export function kmsReason(error: unknown): string | undefined {
  const reason = (error as { Reason?: unknown } | null | undefined)?.Reason;
  return typeof reason === "string" && reason.startsWith("KMS_") ? reason : undefined;
}

export interface IdentityStoreCallsOptions {
  readonly observeLatency?: LatencyObserver;
  /** Safety bound on ListGroupMembershipsForMember pages (100 memberships each). */
  readonly maxMembershipPages: number;
}

/** Identity Store operations of one identity store, each bounded by the caller's abort signal. */
export class IdentityStoreCalls {
  private readonly observeLatency: LatencyObserver;

  constructor(
    protected readonly client: IdentitystoreClient,
    protected readonly identityStoreId: string,
    private readonly options: IdentityStoreCallsOptions,
  ) {
    this.observeLatency = options.observeLatency ?? (() => undefined);
  }

  /** Runs one call, observing its latency; a call cut short by its signal fails with the signal's reason. */
  protected async timed<T>(operation: string, signal: AbortSignal, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await call();
    } catch (error) {
      throw signal.aborted && signal.reason !== undefined ? signal.reason : error;
    } finally {
      this.observeLatency(operation, Math.round(performance.now() - started));
    }
  }

  /** GetUserId by a unique attribute; undefined when nobody has it (a missing USER only). */
  protected async getUserId(
    attribute: "userName" | "emails.value",
    value: string,
    abortSignal: AbortSignal,
  ): Promise<{ readonly UserId?: string } | undefined> {
    try {
      return await this.timed("GetUserId", abortSignal, () =>
        this.client.send(
          new GetUserIdCommand({
            IdentityStoreId: this.identityStoreId,
            AlternateIdentifier: { UniqueAttribute: { AttributePath: attribute, AttributeValue: value } },
          }),
          { abortSignal },
        ),
      );
    } catch (error) {
      // Only a missing USER; a missing identity store must fail loudly, not look like a new person.
      if (isNotFound(error, "USER")) return undefined;
      throw error;
    }
  }

  /** DescribeUser (with the given extensions); undefined when the user does not exist. */
  protected async describe(
    userId: string,
    abortSignal: AbortSignal,
    extensions?: string[],
  ): Promise<DescribeUserCommandOutput | undefined> {
    try {
      return await this.timed("DescribeUser", abortSignal, () =>
        this.client.send(
          new DescribeUserCommand({
            IdentityStoreId: this.identityStoreId,
            UserId: userId,
            ...(extensions === undefined ? {} : { Extensions: extensions }),
          }),
          { abortSignal },
        ),
      );
    } catch (error) {
      if (isNotFound(error, "USER")) return undefined;
      throw error;
    }
  }

  /** All group memberships of the user (every page of ListGroupMembershipsForMember). */
  async listGroupMemberships(userId: string, abortSignal: AbortSignal): Promise<GroupMembership[]> {
    const memberships: GroupMembership[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < this.options.maxMembershipPages; page += 1) {
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
      `ListGroupMembershipsForMember returned more than ${this.options.maxMembershipPages} pages`,
    );
  }

  /** DeleteGroupMembership; `already-removed` when it is gone (a rerun, a concurrent sign-in or run). */
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
