/** The invocation's time budget ran out. */
export class DeadlineExceededError extends Error {
  override readonly name = "DeadlineExceededError";
  constructor(readonly budgetMs: number) {
    super(`AWS calls did not complete within the ${budgetMs} ms budget`);
  }
}

/**
 * Cognito waits 5 s for the trigger (cold start included) and then fails the sign-in. All Identity
 * Store work of one invocation gets at most MAX_BUDGET_MS, and never more than the Lambda's
 * remaining time minus SAFETY_MARGIN_MS (to log, publish metrics and return).
 */
export const MAX_BUDGET_MS = 3000;
export const SAFETY_MARGIN_MS = 500;

/** Budget for Identity Store calls given `context.getRemainingTimeInMillis()` (if known). */
export function budgetFor(remainingMs: number | undefined): number {
  if (remainingMs === undefined || !Number.isFinite(remainingMs)) return MAX_BUDGET_MS;
  return Math.max(0, Math.min(MAX_BUDGET_MS, Math.floor(remainingMs - SAFETY_MARGIN_MS)));
}

/** Aborts its signal when the budget runs out. Dispose it when the work is done. */
export class Deadline {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(readonly budgetMs: number) {
    this.signal = this.controller.signal;
    this.timer = setTimeout(() => this.controller.abort(new DeadlineExceededError(budgetMs)), budgetMs);
  }

  get expired(): boolean {
    return this.signal.aborted;
  }

  /**
   * Settles with `work`, or rejects with DeadlineExceededError as soon as the budget runs out,
   * even if something inside `work` ignores the abort signal.
   */
  async run<T>(work: Promise<T>): Promise<T> {
    // If the deadline wins, `work` still settles later; make sure that is never an unhandled rejection.
    work.catch(() => undefined);
    const signal = this.signal;
    if (signal.aborted) throw signal.reason;
    let onAbort = (): void => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([work, aborted]);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
