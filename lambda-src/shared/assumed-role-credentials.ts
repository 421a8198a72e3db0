/**
 * Credentials of a role in another account (cross-account mode: the Identity Store lives in the IdC
 * account, the Lambdas in the Cognito account), assumed with STS AssumeRole once per container and
 * cached until shortly before they expire. One AssumeRole is in flight at a time; each caller waits for it
 * no longer than its own abort signal (the invocation's deadline), so a slow or hanging STS costs a
 * sign-in at most its deadline, and the next invocation tries again.
 *
 * A denied AssumeRole (the role's trust policy does not allow the Lambda's role, a wrong ARN…) is a
 * permanent failure; throttling, 5xx and timeouts are transient.
 */
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { errorKind } from "./error-kind";
import { clientSettings } from "./identity-store-client";

/** Refresh credentials this long before they expire (the SDK's own providers use 5 minutes). */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
/** Keep using cached credentials while a refresh fails, until this long before they expire. */
export const MIN_REMAINING_VALIDITY_MS = 60_000;
/** An AssumeRole call (retries included) is abandoned after this long. */
export const ASSUME_ROLE_TIMEOUT_MS = 3000;
/** Session duration asked for (the default maximum session duration of a role). */
export const DEFAULT_SESSION_SECONDS = 3600;

export class AssumeRoleFailedError extends Error {
  override readonly name = "AssumeRoleFailedError";
  readonly transient: boolean;
  constructor(roleArn: string, cause: unknown) {
    const kind = errorKind(cause);
    const reason = cause instanceof Error ? cause.name : "unknown error";
    super(
      kind === "permanent"
        ? `Could not assume ${roleArn} (${reason}): check that the role exists and that its trust policy allows this Lambda's role`
        : `Could not assume ${roleArn} (${reason}); will try again on the next sign-in`,
      { cause },
    );
    this.transient = kind === "transient";
  }
}

/** STS session names: 2-64 of [\w+=,.@-]. */
export function sessionNameFor(serviceName: string): string {
  const name = `idc-oidc-bridge-${serviceName}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
  return name.length >= 2 ? name : "idc-oidc-bridge";
}

/** The STS client (regional endpoint of the Lambda's region; `AWS_ENDPOINT_URL_STS` honoured). */
export function createStsClient(): STSClient {
  return new STSClient(clientSettings());
}

export interface AssumedRoleOptions {
  readonly sts: STSClient;
  readonly roleArn: string;
  readonly sessionName: string;
  readonly durationSeconds?: number;
  readonly now?: () => number;
}

interface Cached {
  readonly credentials: AwsCredentialIdentity;
  readonly expiresAt: number;
}

export class AssumedRoleCredentials {
  private cached: Cached | undefined;
  private inFlight: Promise<Cached> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: AssumedRoleOptions) {
    this.now = options.now ?? Date.now;
  }

  /** For an SDK client's `credentials`: the cached credentials, assumed when needed. */
  readonly provider: AwsCredentialIdentityProvider = () => this.get();

  /** The role's credentials; waits for AssumeRole (when needed) no longer than `signal`. */
  async get(signal?: AbortSignal): Promise<AwsCredentialIdentity> {
    const cached = this.cached;
    const now = this.now();
    if (cached !== undefined && now < cached.expiresAt - REFRESH_BEFORE_EXPIRY_MS) return cached.credentials;
    try {
      return (await this.waitFor(this.assume(), signal)).credentials;
    } catch (error) {
      // A refresh that fails while the old credentials are still good for a while: keep using them.
      if (
        cached !== undefined &&
        this.now() < cached.expiresAt - MIN_REMAINING_VALIDITY_MS &&
        !signal?.aborted
      ) {
        return cached.credentials;
      }
      throw error;
    }
  }

  private assume(): Promise<Cached> {
    this.inFlight ??= this.callSts().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async callSts(): Promise<Cached> {
    try {
      const output = await this.options.sts.send(
        new AssumeRoleCommand({
          RoleArn: this.options.roleArn,
          RoleSessionName: this.options.sessionName,
          DurationSeconds: this.options.durationSeconds ?? DEFAULT_SESSION_SECONDS,
        }),
        { abortSignal: AbortSignal.timeout(ASSUME_ROLE_TIMEOUT_MS) },
      );
      const credentials = output.Credentials;
      if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.Expiration) {
        throw new Error("AssumeRole returned no credentials");
      }
      const cached: Cached = {
        credentials: {
          accessKeyId: credentials.AccessKeyId,
          secretAccessKey: credentials.SecretAccessKey,
          sessionToken: credentials.SessionToken,
          expiration: credentials.Expiration,
        },
        expiresAt: credentials.Expiration.getTime(),
      };
      this.cached = cached;
      return cached;
    } catch (error) {
      throw new AssumeRoleFailedError(this.options.roleArn, error);
    }
  }

  private async waitFor<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    if (signal === undefined) return promise;
    if (signal.aborted) throw signal.reason;
    let onAbort = (): void => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([promise, aborted]);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }
}
