import type { RetryErrorInfo } from "@smithy/types";
import { BoundedRetryStrategy, DEFAULT_RETRY_OPTIONS } from "./retry-strategy";

const info = (errorType: RetryErrorInfo["errorType"], retryAfterHint?: Date): RetryErrorInfo => ({
  errorType,
  retryAfterHint,
});

describe("BoundedRetryStrategy", () => {
  const always = (value: number) =>
    new BoundedRetryStrategy({ ...DEFAULT_RETRY_OPTIONS, random: () => value });

  it("allows at most maxAttempts attempts (2 retries by default)", async () => {
    const strategy = always(0.5);
    const first = await strategy.acquireInitialRetryToken("scope");
    const second = await strategy.refreshRetryTokenForRetry(first, info("THROTTLING"));
    const third = await strategy.refreshRetryTokenForRetry(second, info("THROTTLING"));
    expect([first.getRetryCount(), second.getRetryCount(), third.getRetryCount()]).toEqual([0, 1, 2]);
    await expect(strategy.refreshRetryTokenForRetry(third, info("THROTTLING"))).rejects.toThrow(
      "No retry token",
    );
  });

  it("backs off exponentially with full jitter: 250 ms then 500 ms at most for throttling", async () => {
    const strategy = always(0.999999);
    const first = await strategy.acquireInitialRetryToken("scope");
    const second = await strategy.refreshRetryTokenForRetry(first, info("THROTTLING"));
    const third = await strategy.refreshRetryTokenForRetry(second, info("THROTTLING"));
    expect([second.getRetryDelay(), third.getRetryDelay()]).toEqual([249, 499]);
    const zero = await always(0).refreshRetryTokenForRetry(first, info("THROTTLING"));
    expect(zero.getRetryDelay()).toBe(0);
  });

  it("uses a shorter base delay for transient errors", async () => {
    const strategy = always(0.999999);
    const token = await strategy.refreshRetryTokenForRetry(
      await strategy.acquireInitialRetryToken(""),
      info("TRANSIENT"),
    );
    expect(token.getRetryDelay()).toBe(49);
  });

  it.each(["CLIENT_ERROR", "SERVER_ERROR"] as const)("does not retry %s", async (errorType) => {
    const strategy = always(0.5);
    await expect(
      strategy.refreshRetryTokenForRetry(await strategy.acquireInitialRetryToken(""), info(errorType)),
    ).rejects.toThrow("No retry token");
  });

  it("honours a Retry-After hint, capped at maxDelayMs", async () => {
    const strategy = always(0);
    const first = await strategy.acquireInitialRetryToken("");
    const soon = await strategy.refreshRetryTokenForRetry(
      first,
      info("THROTTLING", new Date(Date.now() + 400)),
    );
    expect(soon.getRetryDelay()).toBeGreaterThan(300);
    expect(soon.getRetryDelay()).toBeLessThanOrEqual(400);
    const late = await strategy.refreshRetryTokenForRetry(
      first,
      info("THROTTLING", new Date(Date.now() + 60_000)),
    );
    expect(late.getRetryDelay()).toBe(DEFAULT_RETRY_OPTIONS.maxDelayMs);
  });

  it("keeps the worst-case total backoff far below Cognito's 5 s", () => {
    const { maxAttempts, throttlingBaseDelayMs, maxDelayMs } = DEFAULT_RETRY_OPTIONS;
    let total = 0;
    for (let retry = 0; retry < maxAttempts - 1; retry += 1) {
      total += Math.min(maxDelayMs, throttlingBaseDelayMs * 2 ** retry);
    }
    expect(total).toBeLessThanOrEqual(1000);
  });
});
