/** The invocation's time budget ran out. */
export class DeadlineExceededError extends Error {
  override readonly name = "DeadlineExceededError";
  constructor(readonly budgetMs: number) {
    super(`AWS calls did not complete within the ${budgetMs} ms budget`);
  }
}

/**
 * Cognito waits 5 s for a trigger, cold start included, and then fails the sign-in. All AWS work of one
 * invocation gets at most MAX_BUDGET_MS minus the time the cold start already took, and never more than
 * the Lambda's remaining time minus SAFETY_MARGIN_MS (to log, publish metrics and return).
 */
export const MAX_BUDGET_MS = 4000;
export const SAFETY_MARGIN_MS = 500;

/**
 * Budget for AWS calls given `context.getRemainingTimeInMillis()` (if known) and, on a cold start, how
 * long the container took to initialise (Cognito's 5 s started before it).
 */
export function budgetFor(remainingMs: number | undefined, coldStartMs = 0): number {
  const ceiling = MAX_BUDGET_MS - Math.max(0, coldStartMs);
  if (remainingMs === undefined || !Number.isFinite(remainingMs)) return Math.max(0, Math.floor(ceiling));
  return Math.max(0, Math.floor(Math.min(ceiling, remainingMs - SAFETY_MARGIN_MS)));
}

/** Aborts its signal when the budget runs out. Dispose it when the work is done. */
export class Deadline {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;

  private readonly endsAt: number;
  private readonly cleanups: Array<() => void> = [];

  constructor(readonly budgetMs: number) {
    this.endsAt = performance.now() + budgetMs;
    this.signal = this.controller.signal;
    this.timer = setTimeout(() => this.controller.abort(new DeadlineExceededError(budgetMs)), budgetMs);
  }

  get expired(): boolean {
    return this.signal.aborted;
  }

  /** Milliseconds left (0 once expired). */
  remainingMs(): number {
    return this.signal.aborted ? 0 : Math.max(0, this.endsAt - performance.now());
  }

  /**
   * A signal that aborts `reserveMs` before this deadline (at once when less remains): for calls whose
   * result is useless unless later calls still fit, so that they stop retrying in time.
   */
  signalBefore(reserveMs: number): AbortSignal {
    const controller = new AbortController();
    const delay = this.remainingMs() - reserveMs;
    if (this.signal.aborted || delay <= 0) {
      controller.abort(new DeadlineExceededError(this.budgetMs));
      return controller.signal;
    }
    const timer = setTimeout(() => controller.abort(new DeadlineExceededError(this.budgetMs)), delay);
    const onAbort = (): void => {
      clearTimeout(timer);
      controller.abort(this.signal.reason);
    };
    this.signal.addEventListener("abort", onAbort, { once: true });
    this.cleanups.push(() => {
      clearTimeout(timer);
      this.signal.removeEventListener("abort", onAbort);
    });
    return controller.signal;
  }

  /** Waits `ms` (or less, if the deadline comes first: then rejects with its reason). */
  async sleep(ms: number): Promise<void> {
    const signal = this.signal;
    if (signal.aborted) throw signal.reason;
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    });
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
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }
}
