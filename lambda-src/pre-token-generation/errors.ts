/**
 * Error types of the Pre Token Generation Lambda. The message of every error the handler throws
 * is shown by Cognito to the person signing in ("PreTokenGeneration failed with error <message>."),
 * so those messages say why, in plain words, and never include internals.
 */

/** Invalid environment configuration; thrown at cold start. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** The event does not have the shape of a Cognito Pre Token Generation V2 event. */
export class InvalidEventError extends Error {
  override readonly name = "InvalidEventError";
  constructor(detail: string) {
    super(`Invalid Pre Token Generation event: ${detail}`);
  }
}

/** Why a sign-in was refused on policy grounds. */
export type DenialReason = "missing-email" | "unverified-email" | "unusable-email";

/** The person may not sign in (missing or unverified email...). Nothing was created. */
export class LoginDeniedError extends Error {
  override readonly name = "LoginDeniedError";
  constructor(
    readonly reason: DenialReason,
    message: string,
  ) {
    super(message);
  }
}

/** The Identity Store failed or did not answer in time (ON_SYNC_FAILURE=deny). */
export class SyncFailedError extends Error {
  override readonly name = "SyncFailedError";
  constructor(options?: { cause?: unknown }) {
    super(
      "Sign-in could not be completed: your account could not be provisioned in AWS IAM Identity Center. Please try again in a moment.",
      options,
    );
  }
}
