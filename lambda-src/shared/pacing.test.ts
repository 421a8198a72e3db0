import { Pacer } from "./pacing";

describe("Pacer", () => {
  it("lets a burst through at once, then spaces requests at the rate, per key", () => {
    let now = 0;
    const pacer = new Pacer({ ratePerSecond: 20, burst: 3 }, () => now);
    expect([pacer.reserve("a"), pacer.reserve("a"), pacer.reserve("a")]).toEqual([0, 0, 0]);
    // Tokens are due every 50 ms, in order of arrival.
    expect(pacer.reserve("a")).toBeCloseTo(50);
    expect(pacer.reserve("a")).toBeCloseTo(100);
    expect(pacer.reserve("b")).toBe(0);
    now = 1000;
    expect(pacer.reserve("a")).toBe(0);
  });

  it("never lets more than burst + rate × t requests start within t", async () => {
    const pacer = new Pacer({ ratePerSecond: 20, burst: 10 });
    const started: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 30 }, async () => {
        await pacer.acquire("CreateGroupMembership");
        started.push(performance.now() - t0);
      }),
    );
    // 10 at once, the other 20 over one second.
    expect(started.filter((ms) => ms < 40)).toHaveLength(10);
    expect(Math.max(...started)).toBeGreaterThanOrEqual(950);
    for (const at of started)
      expect(started.filter((other) => other >= at && other < at + 1000).length).toBeLessThanOrEqual(30);
  });

  it("gives the token back when the wait is aborted", async () => {
    let now = 0;
    const pacer = new Pacer({ ratePerSecond: 10, burst: 1 }, () => now);
    await pacer.acquire("a");
    const controller = new AbortController();
    const waiting = pacer.acquire("a", controller.signal);
    controller.abort(new Error("deadline"));
    await expect(waiting).rejects.toThrow("deadline");
    now = 100;
    expect(pacer.reserve("a")).toBe(0);
  });
});
