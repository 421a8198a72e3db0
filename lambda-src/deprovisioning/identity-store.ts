import {
  DeleteUserCommand,
  type IdentitystoreClient,
  ListUsersCommand,
  type User,
} from "@aws-sdk/client-identitystore";
import {
  createIdentityStoreClient as createSharedIdentityStoreClient,
  type ClientOptions,
  type HttpTimeouts,
} from "../shared/identity-store-client";
import { IdentityStoreCalls, isNotFound, kmsReason, UnexpectedResponseError } from "../shared/identity-store";
import type { PacingOptions } from "../shared/pacing";
import type { RetryOptions } from "../shared/retry-strategy";

/** What the deprovisioner needs to know about an IdC user. */
export interface IdcUser {
  readonly userId: string;
  readonly userName: string;
  readonly userType: string | undefined;
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

/**
 * The Identity Store could not use its customer managed KMS key (a KMS Reason on the error): the user's
 * state is unknown, so it is never read as "user gone" and nothing is changed for them.
 */
export class IdentityStoreKmsError extends Error {
  override readonly name = "IdentityStoreKmsError";

  constructor(
    readonly operation: string,
    readonly reason: string,
    override readonly cause: unknown,
  ) {
    super(
      `Identity Store ${operation} failed because the identity store cannot use its KMS key (${reason}): ` +
        "nothing was changed; check the key's state and key policy for IAM Identity Center",
    );
  }
}

function toIdcUser(user: User): IdcUser | undefined {
  if (!user.UserId || user.UserName === undefined) return undefined;
  return { userId: user.UserId, userName: user.UserName, userType: user.UserType };
}

/** The deprovisioner's Identity Store calls (the client paces them), bounded by the run's signal. */
export class DeprovisioningIdentityStore extends IdentityStoreCalls {
  constructor(client: IdentitystoreClient, identityStoreId: string) {
    super(client, identityStoreId, { maxMembershipPages: MAX_PAGES });
  }

  /** Every call: a KMS failure becomes an IdentityStoreKmsError before anyone can read it as "not found". */
  protected override async timed<T>(
    operation: string,
    signal: AbortSignal,
    call: () => Promise<T>,
  ): Promise<T> {
    try {
      return await super.timed(operation, signal, call);
    } catch (error) {
      const reason = kmsReason(error);
      throw reason === undefined ? error : new IdentityStoreKmsError(operation, reason, error);
    }
  }

  /** Every user of the store, page by page (ListUsers, 100 a page). */
  async *listUsers(signal: AbortSignal): AsyncGenerator<IdcUser> {
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const output = await this.timed("ListUsers", signal, () =>
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
    throw new UnexpectedResponseError(`ListUsers returned more than ${MAX_PAGES} pages`);
  }

  /** DescribeUser; undefined when the user no longer exists. */
  async describeUser(userId: string, signal: AbortSignal): Promise<IdcUser | undefined> {
    const output = await this.describe(userId, signal);
    return output === undefined ? undefined : toIdcUser(output);
  }

  /** GetUserId by the unique `userName`; undefined when there is no such user. */
  async findUserId(userName: string, signal: AbortSignal): Promise<string | undefined> {
    return (await this.getUserId("userName", userName, signal))?.UserId || undefined;
  }

  /** DeleteUser; `already-deleted` when the USER is gone (another run deleted it): only `deleted` is this run's. */
  async deleteUser(userId: string, signal: AbortSignal): Promise<"deleted" | "already-deleted"> {
    try {
      await this.timed("DeleteUser", signal, () =>
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
