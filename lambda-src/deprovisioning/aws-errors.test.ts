/**
 * AWS's real error shapes, as the strict Identity Store test server answers them (status codes, `Reason`,
 * `ResourceType` of the service model; see __tests__/lambda/identity-store-server.ts): a CONCURRENT_MODIFICATION
 * conflict is retried to success; "not found" means gone only for the ResourceType looked up; a KMS failure
 * is a clear error that never reads as "user gone" and never deletes anything.
 */
import { KMS_FAILURES, type KmsFailure } from "../../__tests__/lambda/identity-store-server";
import { METRIC_NAMES, RECONCILE_EVENT } from "./contract";
import { cloudTrailEvent, sqsBatch, worldPerTest } from "./test-support/harness";

const world = worldPerTest();

describe("ConflictException", () => {
  it("CONCURRENT_MODIFICATION on DeleteUser is retried within the deadline, to success", async () => {
    const ada = world.person("ada@acme.example", { enabled: false });
    world.store.conflictNext(2, { operation: "DeleteUser" });
    const { run, recorded } = world.setup({ mode: "delete-user" });

    expect(await run(cloudTrailEvent(world.pool, "AdminDisableUser", ada.username))).toMatchObject({
      usersDeleted: 1,
    });
    expect(world.store.users.has(ada.userId)).toBe(false);
    expect(world.store.callsOf("DeleteUser").map((c) => c.outcome)).toEqual([
      "ConflictException",
      "ConflictException",
      "ok",
    ]);
    expect(recorded.logs.filter((l) => l.message === "IdC user deleted")).toHaveLength(1);
  });

  it("CONCURRENT_MODIFICATION on DeleteGroupMembership is retried too", async () => {
    const ada = world.person("ada@acme.example", { enabled: false });
    world.store.conflictNext(1, { operation: "DeleteGroupMembership" });
    const { run } = world.setup({ mode: "remove-memberships" });
    expect(await run(RECONCILE_EVENT)).toMatchObject({ membershipsRemoved: 1 });
    expect(world.store.groupsOf(ada.userId)).toEqual([]);
  });
});

describe("ResourceNotFoundException", () => {
  it("on DeleteUser, only ResourceType USER means already gone; IDENTITY_STORE fails the run", async () => {
    const ada = world.person("ada@acme.example", { enabled: false });
    world.store.failNext(1, {
      operation: "DeleteUser",
      type: "ResourceNotFoundException",
      status: 404,
      fields: { ResourceType: "IDENTITY_STORE", ResourceId: world.store.identityStoreId },
    });
    const { run, recorded } = world.setup({ mode: "delete-user" });
    await expect(run(RECONCILE_EVENT)).rejects.toMatchObject({ ResourceType: "IDENTITY_STORE" });
    expect(
      recorded.logs.some((l) => l.message === "IdC user deleted" || /already deleted/.test(l.message)),
    ).toBe(false);
    expect(recorded.metrics.get(METRIC_NAMES.RunFailures)).toBe(1);
    expect(world.store.users.has(ada.userId)).toBe(true);
  });

  it("a DescribeUser answered ResourceNotFoundException for a GROUP does not make the user look gone", async () => {
    const ada = world.person("ada@acme.example", { enabled: false });
    world.store.failNext(1, {
      operation: "DescribeUser",
      type: "ResourceNotFoundException",
      status: 404,
      fields: { ResourceType: "GROUP", ResourceId: world.managed },
    });
    const { run } = world.setup({ mode: "delete-user" });
    await expect(run(cloudTrailEvent(world.pool, "AdminDisableUser", ada.username))).rejects.toMatchObject({
      ResourceType: "GROUP",
    });
    expect(world.store.users.has(ada.userId)).toBe(true);
  });
});

describe("KMS failures", () => {
  const reasons = Object.keys(KMS_FAILURES).filter((r) => r !== "KMS_THROTTLING") as KmsFailure[];

  it.each(
    reasons.flatMap((reason) =>
      (["GetUserId", "DescribeUser", "DeleteUser"] as const).map((op) => [reason, op] as const),
    ),
  )(
    "%s on %s: a clear error, the record comes back to the queue, nothing is deleted",
    async (reason, operation) => {
      const ada = world.person("ada@acme.example", { enabled: false });
      world.store.kmsFailNext(100, reason, { operation });
      const { handler, recorded } = world.setup({ mode: "delete-user" });
      const batch = sqsBatch([cloudTrailEvent(world.pool, "AdminDisableUser", ada.username)]);

      expect(await handler(batch)).toEqual({
        batchItemFailures: [{ itemIdentifier: batch.Records[0]!.messageId }],
      });
      expect(world.store.users.has(ada.userId)).toBe(true);
      expect(world.store.groupsOf(ada.userId)).toEqual([world.managed]);
      const failure = recorded.logs.find((l) => l.message.startsWith("Run failed"));
      expect(failure?.attributes).toMatchObject({
        errorName: "IdentityStoreKmsError",
        errorMessage: expect.stringContaining(reason),
      });
      expect(recorded.logs.some((l) => /deleted/.test(l.message) && l.level === "info")).toBe(false);
    },
  );

  it("KMS_THROTTLING is retried like any throttling", async () => {
    const ada = world.person("ada@acme.example", { enabled: false });
    world.store.kmsFailNext(1, "KMS_THROTTLING", { operation: "DeleteUser" });
    const { run } = world.setup({ mode: "delete-user" });
    expect(await run(RECONCILE_EVENT)).toMatchObject({ usersDeleted: 1 });
    expect(world.store.users.has(ada.userId)).toBe(false);
  });
});
