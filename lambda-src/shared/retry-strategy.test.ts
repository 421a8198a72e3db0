import { ConflictException } from "@aws-sdk/client-identitystore";
import type { RetryErrorInfo } from "@smithy/types";
import { BoundedRetryStrategy, DEFAULT_RETRY_OPTIONS } from "./retry-strategy";

const info = (errorType: RetryErrorInfo["errorType"], retryAfterHint?: Date): RetryErrorInfo => ({
  errorType,
  retryAfterHint,
});

describe("BoundedRetryStrategy", () => {
  const always = (value: number, options = DEFAULT_RETRY_OPTIONS) =>
    new BoundedRetryStrategy({ ...options, random: () => value });

  it("keeps retrying (the deadline, not a fixed 3 attempts, ends it) up to the safety bound", async () => {
    const strategy = always(0.5, { ...DEFAULT_RETRY_OPTIONS, maxAttempts: 4 });
    let token = await strategy.acquireInitialRetryToken("scope");
    for (let retry = 1; retry < 4; retry += 1) {
      token = await strategy.refreshRetryTokenForRetry(token, info("THROTTLING"));
      expect(token.getRetryCount()).toBe(retry);
    }
    await expect(strategy.refreshRetryTokenForRetry(token, info("THROTTLING"))).rejects.toThrow(
      "No retry token",
    );
    expect(DEFAULT_RETRY_OPTIONS.maxAttempts).toBeGreaterThanOrEqual(20);
  });

  it("backs off exponentially with full jitter, capped at maxDelayMs", async () => {
    const strategy = always(0.999999);
    let token = await strategy.acquireInitialRetryToken("scope");
    const delays: number[] = [];
    for (let retry = 0; retry < 6; retry += 1) {
      token = await strategy.refreshRetryTokenForRetry(token, info("THROTTLING"));
      delays.push(token.getRetryDelay());
    }
    expect(delays).toEqual([99, 199, 399, 799, 999, 999]);
    const zero = await always(0).refreshRetryTokenForRetry(
      await strategy.acquireInitialRetryToken(""),
      info("THROTTLING"),
    );
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

  it("retries a ConflictException with Reason CONCURRENT_MODIFICATION (a client error to the SDK), not a uniqueness one", async () => {
    const strategy = always(0.5);
    const conflict = (Reason: string) =>
      new ConflictException({
        message: "conflict",
        $metadata: { httpStatusCode: 409 },
        Reason: Reason as never,
      }) as unknown as RetryErrorInfo["error"];
    const first = await strategy.acquireInitialRetryToken("");
    const retried = await strategy.refreshRetryTokenForRetry(first, {
      errorType: "CLIENT_ERROR",
      error: conflict("CONCURRENT_MODIFICATION"),
    });
    expect(retried.getRetryCount()).toBe(1);
    await expect(
      strategy.refreshRetryTokenForRetry(first, {
        errorType: "CLIENT_ERROR",
        error: conflict("UNIQUENESS_CONSTRAINT_VIOLATION"),
      }),
    ).rejects.toThrow("No retry token");
  });
});
