import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from "@smithy/types";
import { isConcurrentModification } from "./error-kind";

/**
 * Retry policy for AWS calls: retrying only throttling and transient errors (timeouts, connection
 * resets, 5xx, and a ConflictException with Reason CONCURRENT_MODIFICATION, which the SDK classifies as a
 * client error but the API reference describes as a concurrent change of the resource) with "full jitter" exponential backoff capped at `maxDelayMs`, until the request's abort
 * signal (the invocation deadline, shortly before Cognito's limit) fires, or `maxAttempts` (a safety
 * bound, not the policy) is reached. The SDK's retry middleware races each backoff sleep against the
 * abort signal, so no attempt starts after the deadline.
 *
 * The SDK's default strategy uses a 1 s throttling base delay (up to 1 s, then 2 s) and 3 attempts: a
 * burst of first sign-ins against the Identity Store's ~20 requests/s per API would fail after ~1.5 s
 * although seconds of budget remain. Short, jittered, growing waits spread the retries instead.
 */
export interface RetryOptions {
  readonly maxAttempts: number;
  readonly throttlingBaseDelayMs: number;
  readonly transientBaseDelayMs: number;
  readonly maxDelayMs: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  readonly random?: () => number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
  maxAttempts: 40,
  throttlingBaseDelayMs: 100,
  transientBaseDelayMs: 50,
  maxDelayMs: 1000,
};

class Token implements RetryToken {
  constructor(
    private readonly count: number,
    private readonly delay: number,
  ) {}
  getRetryCount(): number {
    return this.count;
  }
  getRetryDelay(): number {
    return this.delay;
  }
}

export class BoundedRetryStrategy implements RetryStrategyV2 {
  private readonly random: () => number;

  constructor(private readonly options: RetryOptions = DEFAULT_RETRY_OPTIONS) {
    this.random = options.random ?? Math.random;
  }

  async acquireInitialRetryToken(_retryTokenScope: string): Promise<RetryToken> {
    return new Token(0, 0);
  }

  async refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    const retries = token.getRetryCount();
    const retryable =
      errorInfo.errorType === "THROTTLING" ||
      errorInfo.errorType === "TRANSIENT" ||
      isConcurrentModification(errorInfo.error);
    if (!retryable || retries + 1 >= this.options.maxAttempts) {
      throw new Error("No retry token available");
    }
    const base =
      errorInfo.errorType === "THROTTLING"
        ? this.options.throttlingBaseDelayMs
        : this.options.transientBaseDelayMs;
    let delay = Math.floor(this.random() * Math.min(this.options.maxDelayMs, base * 2 ** retries));
    if (errorInfo.retryAfterHint instanceof Date) {
      const hinted = errorInfo.retryAfterHint.getTime() - Date.now();
      if (hinted > delay) delay = Math.min(hinted, this.options.maxDelayMs);
    }
    return new Token(retries + 1, delay);
  }

  recordSuccess(_token: RetryToken): void {}
}
