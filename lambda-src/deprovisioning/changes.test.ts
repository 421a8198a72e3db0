/**
 * What a destructive change leaves behind: one log line each (run id, user id, group and membership ids,
 * mode); "IdC user deleted" only from the run whose DeleteUser succeeded; a run that stops midway ends with
 * a summary of what it did and what it left; adopted users lose managed memberships but are never deleted.
 */
import { BRIDGE_ADOPTED_USER_TYPE } from "../pre-token-generation/contract";
import { METRIC_NAMES, RECONCILE_EVENT } from "./contract";
import { cloudTrailEvent, worldPerTest } from "./test-support/harness";

const world = worldPerTest();

describe("one log line per destructive change", () => {
  it.each(["delete-user", "remove-memberships"] as const)("%s", async (mode) => {
    const ada = world.person("ada@acme.example", { enabled: false });
    const { run, recorded } = world.setup({ mode });
    const summary = await run(RECONCILE_EVENT);

    const lines = recorded.logs.filter((l) => l.attributes?.userId === ada.userId && l.attributes?.action);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: "info",
      message: mode === "delete-user" ? "IdC user deleted" : "Managed group memberships removed",
      attributes: {
        runId: summary.runId,
        mode,
        userId: ada.userId,
        action: mode,
        groupIds: [world.managed],
        membershipIds: [ada.membershipId],
      },
    });
  });
});

describe('"IdC user deleted" only by the run that deleted it', () => {
  it("two concurrent runs about the same person: one deletes and says so, the other does not claim it", async () => {
    const ada = world.person("ada@acme.example", { enabled: false });
    const instances = [world.setup({ mode: "delete-user" }), world.setup({ mode: "delete-user" })];
    const event = cloudTrailEvent(world.pool, "AdminDisableUser", ada.username);
    // Both runs read the user before either deletes it.
    let waiting = 0;
    let release: () => void = () => undefined;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    for (let i = 0; i < 4; i += 1) {
      world.store.before("DeleteUser", async () => {
        waiting += 1;
        if (waiting === 2) release();
        await bothRead;
      });
    }
    const summaries = await Promise.all(instances.map(({ run }) => run(event)));

    expect(world.store.users.has(ada.userId)).toBe(false);
    expect(summaries.map((s) => s.usersDeleted).sort()).toEqual([0, 1]);
    const deletedLines = instances.flatMap(({ recorded }) =>
      recorded.logs.filter((l) => l.message === "IdC user deleted"),
    );
    expect(deletedLines).toHaveLength(1);
    const other = instances.find((i) => !i.recorded.logs.some((l) => l.message === "IdC user deleted"))!;
    expect(other.recorded.logs.some((l) => /already deleted \(by another run\)/.test(l.message))).toBe(true);
    // One person, one slot: the retry of the same user is not counted twice.
    expect(summaries.every((s) => s.heldBack.length === 0)).toBe(true);
  });
});

describe("a run that stops midway", () => {
  it("ends with a summary naming what it did and what it left", async () => {
    const people = ["a", "b", "c"].map((n) => world.person(`${n}@acme.example`, { enabled: false }));
    // The second DeleteUser is refused for good (an IAM mistake): the run stops there.
    // (A hook runs as the first DeleteUser is answered; the injected error answers the next one.)
    world.store.before("DeleteUser", () => world.store.denyNext(1, { operation: "DeleteUser" }));
    const { run, recorded } = world.setup({ mode: "delete-user" });

    await expect(run(RECONCILE_EVENT)).rejects.toMatchObject({ name: "AccessDeniedException" });

    const summary = recorded.logs.find((l) => /^Run stopped early \(error\)/.test(l.message));
    expect(summary?.level).toBe("warn");
    const [first, second, third] = people.map((p) => p.userId);
    expect(summary?.attributes).toMatchObject({
      usersDeleted: 1,
      changed: [`${first}:user-deleted`],
      left: [second, third],
      heldBack: [],
    });
    expect(world.store.users.has(first!)).toBe(false);
    expect(world.store.users.has(second!)).toBe(true);
    expect(recorded.metrics.get(METRIC_NAMES.RunFailures)).toBe(1);
  });

  it("at the deadline: the summary says so and names the users it left", async () => {
    const people = ["a", "b"].map((n) => world.person(`${n}@acme.example`, { enabled: false }));
    world.store.delay(2000, "DeleteUser");
    const { handler, recorded } = world.setup({ mode: "delete-user" });
    // 1.5 s of run budget (the Lambda keeps 10 s for itself): DeleteUser answers too late.
    await expect(handler(RECONCILE_EVENT, { getRemainingTimeInMillis: () => 11_500 })).rejects.toMatchObject({
      name: "DeadlineExceededError",
    });
    const summary = recorded.logs.find((l) => /^Run stopped early \(deadline\)/.test(l.message));
    expect(summary?.attributes).toMatchObject({ usersDeleted: 0, left: people.map((p) => p.userId) });
  });

  it("when the budget is spent: the summary names the held-back users, the ERROR log and UsersHeldBack count them", async () => {
    const people = ["a", "b", "c"].map((n) => world.person(`${n}@acme.example`, { enabled: false }));
    const { run, recorded } = world.setup({ mode: "remove-memberships", budgetMaxUsers: 1 });
    const summary = await run(RECONCILE_EVENT);
    const ids = people.map((p) => p.userId);
    expect(summary).toMatchObject({ stoppedBy: "budget", membershipsRemoved: 1, heldBack: ids.slice(1) });
    expect(recorded.metrics.get(METRIC_NAMES.UsersHeldBack)).toBe(2);
    expect(recorded.logs).toContainEqual(
      expect.objectContaining({
        level: "error",
        message: expect.stringMatching(/Deletion budget spent/),
        attributes: expect.objectContaining({ userIds: ids.slice(1), budgetMaxUsers: 1 }),
      }),
    );
    expect(recorded.logs.some((l) => /^Run stopped early \(budget\)/.test(l.message))).toBe(true);
    // Nothing more changed: the held-back users keep their memberships.
    for (const id of ids.slice(1)) expect(world.store.groupsOf(id)).toEqual([world.managed]);
  });
});

describe("adopted users", () => {
  it("delete-user mode removes an adopted leaver's managed memberships and never deletes the user", async () => {
    const adopted = world.person("ada@acme.example", { enabled: false, userType: BRIDGE_ADOPTED_USER_TYPE });
    const unmanagedGroup = world.store.addGroup();
    world.store.addMembership(unmanagedGroup, adopted.userId);
    const created = world.person("bob@acme.example", { enabled: false });
    const { run } = world.setup({ mode: "delete-user" });

    const summary = await run(RECONCILE_EVENT);

    expect(world.store.users.has(adopted.userId)).toBe(true);
    expect(world.store.groupsOf(adopted.userId)).toEqual([unmanagedGroup]);
    expect(world.store.users.has(created.userId)).toBe(false);
    expect(summary.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ userId: adopted.userId, action: "remove-memberships" }),
        expect.objectContaining({ userId: created.userId, action: "delete-user", result: "user-deleted" }),
      ]),
    );
    expect(world.store.callsOf("DeleteUser").map((c) => c.input.UserId)).toEqual([created.userId]);
  });

  it("a created user re-marked as adopted between the plan and the change is not deleted", async () => {
    const ada = world.person("ada@acme.example", { enabled: false });
    const { run, recorded } = world.setup({ mode: "delete-user" });
    // The re-read right before the change (the second DescribeUser of the event) sees the adopted mark.
    world.store.before("DescribeUser", () => undefined);
    world.store.before("DescribeUser", () => {
      world.store.users.set(ada.userId, {
        ...world.store.users.get(ada.userId)!,
        UserType: BRIDGE_ADOPTED_USER_TYPE,
      });
    });
    await run(cloudTrailEvent(world.pool, "AdminDisableUser", ada.username));
    expect(world.store.users.has(ada.userId)).toBe(true);
    expect(recorded.metrics.get(METRIC_NAMES.OwnershipChecksFailed)).toBe(1);
  });
});
