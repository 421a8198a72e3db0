/**
 * The event path at its seams: an event costs one person, not the pool (counted on the strict Cognito test
 * server with 6,000 people); the trailing-space person is never touched; SQS batches answer with
 * `batchItemFailures` so only failed records come back, while irrelevant ones are consumed.
 */
import { METRIC_NAMES, RECONCILE_EVENT } from "./contract";
import { cloudTrailEvent, sqsBatch, worldPerTest } from "./test-support/harness";

const world = worldPerTest();

describe("an event costs one person", () => {
  it("with 6,000 people in the pool, a disable event makes at most 3 Cognito calls and no scan", async () => {
    const { pool, store } = world;
    for (let i = 0; i < 6000; i += 1) pool.createUser({ email: `person${i}@acme.example` });
    const ada = world.person("ada@acme.example", { enabled: false });
    const { run } = world.setup({ mode: "delete-user" });

    const summary = await run(cloudTrailEvent(pool, "AdminDisableUser", ada.username));

    expect(summary).toMatchObject({ invocation: "person", usersDeleted: 1 });
    expect(store.users.has(ada.userId)).toBe(false);
    expect(pool.calls.length).toBeLessThanOrEqual(3);
    for (const call of pool.callsOf("ListUsers")) expect(call.input.Filter).toEqual(expect.any(String));
    expect(store.callsOf("ListUsers")).toHaveLength(0);
  });

  it("a link to an IdC user under another name costs one more filtered ListUsers, still at most 3", async () => {
    const { pool, store } = world;
    for (let i = 0; i < 600; i += 1) pool.createUser({ email: `person${i}@acme.example` });
    // Linked to an IdC user whose UserName is an old address; the new address holds another bridge user.
    const renamed = world.person("old@acme.example", { enabled: false, cognitoEmail: "new@acme.example" });
    const other = store.addUser({ UserName: "new@acme.example", UserType: "idc-oidc-bridge" });
    const { run } = world.setup({ mode: "report" });

    const summary = await run(cloudTrailEvent(pool, "AdminDisableUser", renamed.username));

    expect(summary.leavers.map((l) => l.userId).sort()).toEqual([renamed.userId, other].sort());
    expect(pool.calls.length).toBeLessThanOrEqual(3);
    expect(pool.callsOf("ListUsers").map((c) => c.input.Filter)).toEqual(
      expect.arrayContaining(['email ^= "old@acme.example"', 'email ^= "new@acme.example"']),
    );
  });
});

describe("the trailing-space person", () => {
  it("is never touched: not by the schedule, not by an event about their other, disabled, Cognito user", async () => {
    const { pool, store } = world;
    // Active and unlinked; Cognito holds the email with a trailing space (the JIT trims it for the UserName).
    const ada = world.person("ada@acme.example", { linked: false, cognitoEmail: "ada@acme.example " });
    // A second, native, Cognito user of the same person that an administrator disables.
    const native = pool.createUser({ email: "ada@acme.example", enabled: false });
    const gone = world.person("bob@acme.example", { enabled: false });

    for (const mode of ["delete-user", "remove-memberships"] as const) {
      const { run } = world.setup({ mode });
      const event = await run(cloudTrailEvent(pool, "AdminDisableUser", native.username));
      expect(event.leavers).toEqual([]);
      const schedule = await run(RECONCILE_EVENT);
      expect(schedule.leavers.map((l) => l.userId)).not.toContain(ada.userId);
    }
    expect(store.users.has(ada.userId)).toBe(true);
    expect(store.groupsOf(ada.userId)).toEqual([world.managed]);
    expect(store.users.has(gone.userId)).toBe(false);
  });
});

describe("SQS batches", () => {
  it("fails only the record that failed; irrelevant and untraceable records are consumed, not retried", async () => {
    const { pool, store } = world;
    const ada = world.person("ada@acme.example", { enabled: false });
    const bob = world.person("bob@acme.example", { enabled: false });
    const { handler, recorded } = world.setup({ mode: "delete-user" });
    const batch = sqsBatch([
      cloudTrailEvent(pool, "AdminDisableUser", ada.username),
      "not json",
      { source: "aws.ec2", "detail-type": "EC2 Instance State-change Notification", detail: {} },
      cloudTrailEvent(pool, "AdminDisableUser", "HIDDEN_FOR_SECURITY_REASONS"),
      cloudTrailEvent(pool, "AdminDisableUser", bob.username),
    ]);
    const bobRecord = batch.Records[4]!.messageId;
    // Records run in order: the first AdminGetUser is Ada's, the second Bob's, whose lookups are then
    // denied for good (AccessDeniedException is permanent: no retry helps, so the record must come back).
    pool.before("AdminGetUser", () => undefined);
    pool.before("AdminGetUser", () => store.denyNext(100, { operation: "GetUserId" }));

    const response = await handler(batch);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: bobRecord }] });
    expect(store.users.has(ada.userId)).toBe(false);
    expect(store.users.has(bob.userId)).toBe(true);
    expect(recorded.metrics.get(METRIC_NAMES.RunFailures)).toBe(1);
    expect(recorded.logs.filter((l) => l.message === "Input ignored")).toHaveLength(2);
    expect(recorded.logs.some((l) => /cannot trace/.test(l.message))).toBe(true);
  });

  it("the schedule's direct {action: reconcile} still answers the run summary", async () => {
    const ada = world.person("ada@acme.example", { enabled: false });
    const { run } = world.setup({ mode: "report" });
    expect(await run(RECONCILE_EVENT)).toMatchObject({
      invocation: "reconcile",
      leavers: [{ userId: ada.userId }],
    });
  });
});
