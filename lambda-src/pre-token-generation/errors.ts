/**
 * Error types of the Pre Token Generation Lambda. The message of every error the handler throws
 * is shown by Cognito to the person signing in ("PreTokenGeneration failed with error <message>."),
 * so those messages say why, in plain words, and never include internals.
 */

/** The event does not have the shape of a Cognito Pre Token Generation V2 event. */
export class InvalidEventError extends Error {
  override readonly name = "InvalidEventError";
  constructor(detail: string) {
    super(`Invalid Pre Token Generation event: ${detail}`);
  }
}

/** Why a sign-in was refused on policy grounds (never worth retrying: only a change of data or config helps). */
export type DenialReason =
  | "missing-email"
  | "unverified-email"
  | "unusable-email"
  | "email-not-normalized"
  | "adoption-required"
  | "adoption-refused"
  | "user-name-taken"
  | "email-taken";

/** The person may not sign in (missing or unverified email, an IdC user in the way…). */
export class LoginDeniedError extends Error {
  override readonly name = "LoginDeniedError";
  constructor(
    readonly reason: DenialReason,
    message: string,
  ) {
    super(message);
  }
}

const SYNC_FAILED_MESSAGES = {
  transient:
    "Sign-in could not be completed: your account could not be provisioned in AWS IAM Identity Center. Please try again in a moment.",
  permanent:
    "Sign-in could not be completed: your account could not be provisioned in AWS IAM Identity Center because of a configuration problem. Please contact your administrator.",
} as const;

/**
 * The Identity Store (or STS) failed or did not answer in time (ON_SYNC_FAILURE=deny). Only a transient
 * failure asks the person to try again.
 */
export class SyncFailedError extends Error {
  override readonly name = "SyncFailedError";
  constructor(
    readonly kind: "transient" | "permanent",
    options?: { cause?: unknown },
  ) {
    super(SYNC_FAILED_MESSAGES[kind], options);
  }
}

/**
 * CreateUser reported a conflict, yet no user with this UserName or email became visible before the
 * deadline (a concurrent sign-in's user not visible yet, or a case variant of the email in a store with
 * unique emails). Transient: a later sign-in usually finds the user.
 */
export class ConflictUnresolvedError extends Error {
  override readonly name = "ConflictUnresolvedError";
  readonly transient = true;
  constructor(readonly lookups: number) {
    super(
      `CreateUser reported a conflict, but ${lookups} look-ups by userName and emails.value found nobody`,
    );
  }
}

/** The IdC user disappeared between DescribeUser and UpdateUser. Transient: the next sign-in starts over. */
export class UserChangedConcurrentlyError extends Error {
  override readonly name = "UserChangedConcurrentlyError";
  readonly transient = true;
  constructor(readonly userId: string) {
    super(`IdC user ${userId} disappeared while it was being updated`);
  }
}
