import { budgetFor, Deadline, DeadlineExceededError, MAX_BUDGET_MS, SAFETY_MARGIN_MS } from "./deadline";

describe("budgetFor", () => {
  it.each([
    [undefined, MAX_BUDGET_MS],
    [Number.NaN, MAX_BUDGET_MS],
    [900_000, MAX_BUDGET_MS],
    [5000, MAX_BUDGET_MS],
    [MAX_BUDGET_MS + SAFETY_MARGIN_MS, MAX_BUDGET_MS],
    [2000, 2000 - SAFETY_MARGIN_MS],
    [SAFETY_MARGIN_MS, 0],
    [10, 0],
    [-5, 0],
  ])("gives %p ms remaining a budget of %p ms", (remaining, budget) => {
    expect(budgetFor(remaining)).toBe(budget);
  });

  it("leaves the handler inside Cognito's 5 s limit", () => {
    expect(MAX_BUDGET_MS + SAFETY_MARGIN_MS).toBeLessThanOrEqual(4500);
  });

  it("subtracts the cold start, which Cognito's 5 s already include", () => {
    expect(budgetFor(5000, 800)).toBe(MAX_BUDGET_MS - 800);
    expect(budgetFor(undefined, 800)).toBe(MAX_BUDGET_MS - 800);
    expect(budgetFor(5000, 10_000)).toBe(0);
  });
});

describe("Deadline", () => {
  it("gives a signal that fires a reserve before the deadline, or at once when the reserve does not fit", async () => {
    const deadline = new Deadline(300);
    const early = deadline.signalBefore(200);
    const late = deadline.signalBefore(1000);
    expect(late.aborted).toBe(true);
    expect(late.reason).toBeInstanceOf(DeadlineExceededError);
    expect(early.aborted).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(early.aborted).toBe(true);
    expect(deadline.expired).toBe(false);
    deadline.dispose();
  });

  it("counts its remaining time down and sleeps no longer than it lasts", async () => {
    const deadline = new Deadline(100);
    expect(deadline.remainingMs()).toBeGreaterThan(50);
    await deadline.sleep(10);
    const started = performance.now();
    await expect(deadline.sleep(1000)).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(performance.now() - started).toBeLessThan(200);
    expect(deadline.remainingMs()).toBe(0);
    deadline.dispose();
  });

  it("resolves with the work when it finishes in time", async () => {
    const deadline = new Deadline(1000);
    await expect(deadline.run(Promise.resolve(42))).resolves.toBe(42);
    expect(deadline.expired).toBe(false);
    deadline.dispose();
  });

  it("passes the work's own failure through", async () => {
    const deadline = new Deadline(1000);
    await expect(deadline.run(Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    deadline.dispose();
  });

  it("rejects with DeadlineExceededError and aborts its signal when work never settles", async () => {
    const deadline = new Deadline(20);
    const error = await deadline.run(new Promise(() => undefined)).catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as DeadlineExceededError).budgetMs).toBe(20);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.expired).toBe(true);
    deadline.dispose();
  });

  it("rejects at once when the budget is already spent", async () => {
    const deadline = new Deadline(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(deadline.run(Promise.resolve(1))).rejects.toBeInstanceOf(DeadlineExceededError);
    deadline.dispose();
  });

  it("does not leave an unhandled rejection when the work fails after the deadline", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on("unhandledRejection", onUnhandled);
    try {
      const deadline = new Deadline(5);
      let failLater: (error: Error) => void = () => undefined;
      const work = new Promise<never>((_, reject) => {
        failLater = reject;
      });
      await expect(deadline.run(work)).rejects.toBeInstanceOf(DeadlineExceededError);
      failLater(new Error("late failure"));
      await new Promise((resolve) => setTimeout(resolve, 10));
      deadline.dispose();
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("does not fire after dispose", async () => {
    const deadline = new Deadline(5);
    deadline.dispose();
    await new Promise((resolve) => setTimeout(resolve, 15));
    expect(deadline.signal.aborted).toBe(false);
  });
});
