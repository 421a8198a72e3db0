/**
 * Spaces out calls per API operation. IAM Identity Center allows about 20 requests per second per
 * Identity Store API (https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html); a run that
 * pages through every user would otherwise burst past that and spend its time in throttling retries.
 */
export class Pacer {
  private readonly next = new Map<string, number>();

  constructor(
    /** Minimum time between two calls of the same operation. */
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void> = abortableSleep,
  ) {}

  /** Resolves when a call of `operation` may start (reserving its slot); rejects when `signal` aborts. */
  async wait(operation: string, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw signal.reason;
    const now = this.now();
    const slot = Math.max(now, this.next.get(operation) ?? now);
    this.next.set(operation, slot + this.intervalMs);
    if (slot > now) await this.sleep(slot - now, signal);
  }
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
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
