/**
 * Per-container pacing of AWS calls: a token bucket per operation that every attempt (retries included)
 * waits on before it is sent. A container therefore never exceeds the quota on its own, e.g. a first
 * sign-in into many mapped groups stays under the Identity Store's 20 requests/s per API.
 *
 * Containers do not coordinate, so several of them together can exceed the quota: the retry strategy
 * handles that throttling. (Lowering a container's rate after throttling, as the SDK's "adaptive" mode
 * does, was measured to hurt here: waits committed at a lowered rate queue up behind each other while
 * the deadline runs out, and a burst of sign-ins then used a third of the quota.)
 */
import type {
  FinalizeHandler,
  FinalizeRequestMiddleware,
  HandlerExecutionContext,
  Pluggable,
} from "@smithy/types";

/** Where the SDK keeps a request's abort signal in the handler context (`SMITHY_CONTEXT_KEY` of @smithy/types). */
const SMITHY_CONTEXT_KEY = "__smithy_context";

export interface PacingOptions {
  /** Requests per second per operation. */
  readonly ratePerSecond: number;
  /** Requests that may start at once after a quiet period. */
  readonly burst: number;
}

/** Below the Identity Store's 20 requests/s per operation, with room for a second container's burst. */
export const IDENTITY_STORE_PACING: PacingOptions = { ratePerSecond: 20, burst: 10 };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Token buckets by key; `acquire` waits (abortably) until its token is due. Waiters are served in order. */
export class Pacer {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly options: PacingOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  private bucket(key: string): Bucket {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.options.burst, updatedAt: now };
    bucket.tokens = Math.min(
      this.options.burst,
      bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.options.ratePerSecond,
    );
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    return bucket;
  }

  /** Milliseconds until a token for `key` is due (0 when one is available); the token is taken. */
  reserve(key: string): number {
    const bucket = this.bucket(key);
    bucket.tokens -= 1;
    return bucket.tokens >= 0 ? 0 : (-bucket.tokens / this.options.ratePerSecond) * 1000;
  }

  /** Gives back a reserved token (the request was abandoned before it was sent). */
  release(key: string): void {
    const bucket = this.buckets.get(key);
    if (bucket !== undefined) bucket.tokens = Math.min(this.options.burst, bucket.tokens + 1);
  }

  async acquire(key: string, signal?: AbortSignal): Promise<void> {
    const wait = this.reserve(key);
    if (wait <= 0) return;
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        this.release(key);
        reject(signal?.reason ?? Object.assign(new Error("Request aborted"), { name: "AbortError" }));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, wait);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

/**
 * An SDK plugin that paces each attempt of each command (it runs inside the retry loop, just before
 * signing), honouring the request's abort signal.
 */
export function pacingPlugin<Input extends object, Output extends object>(
  pacer: Pacer,
): Pluggable<Input, Output> {
  const middleware: FinalizeRequestMiddleware<Input, Output> =
    (next: FinalizeHandler<Input, Output>, context: HandlerExecutionContext) => async (args) => {
      const smithy = (context as Record<string, { abortSignal?: AbortSignal } | undefined>)[
        SMITHY_CONTEXT_KEY
      ];
      await pacer.acquire(context.commandName ?? "unknown", smithy?.abortSignal);
      return next(args);
    };
  return {
    applyToStack: (stack) => {
      stack.addRelativeTo(middleware, {
        relation: "after",
        toMiddleware: "retryMiddleware",
        name: "pacingMiddleware",
        override: true,
      });
    },
  };
}
