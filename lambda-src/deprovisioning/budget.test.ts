/**
 * The deletion budget holds across invocations: many concurrent handler invocations (each its own
 * "container": own clients and budget instance) share one dynalite table and one Identity Store, and
 * together change at most `maxUsers` users; the rest are held back, named and counted.
 */
import { QueryCommand } from "@aws-sdk/client-dynamodb";
import { CognitoTestServer } from "../../__tests__/lambda/cognito-server";
import { IdentityStoreTestServer } from "../../__tests__/lambda/identity-store-server";
import { BRIDGE_USER_TYPE, IDC_USER_ID_ATTRIBUTE } from "../pre-token-generation/contract";
import { AUDIT_PARTITION, DeletionBudget, SLOT_PARTITION } from "./budget";
import { BUDGET_TABLE, METRIC_NAMES, type DeprovisionMode } from "./contract";
import {
  cloudTrailEvent,
  createBudgetTable,
  credentials,
  type Dynalite,
  setupHandler,
  sqsBatch,
  startDynalite,
} from "./test-support/harness";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";

let dynamo: Dynalite;
let store: IdentityStoreTestServer;
let pool: CognitoTestServer;
let tableName: string;
let managed: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.close();
});

beforeEach(async () => {
  // No quota: these tests are about the budget, and 50 invocations at once would only wait on retries.
  store = await IdentityStoreTestServer.start({ rateLimit: false });
  pool = await CognitoTestServer.start({ userPoolId: "eu-west-1_TestPool1" });
  tableName = await createBudgetTable(dynamo);
  managed = store.addGroup();
  process.env.AWS_ENDPOINT_URL_IDENTITYSTORE = store.endpoint;
  process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER = pool.endpoint;
  process.env.AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
  process.env.AWS_SECRET_ACCESS_KEY = "secret";
});

afterEach(async () => {
  process.env = { ...savedEnv };
  await store.close();
  await pool.close();
});

/** `count` provisioned people whose Cognito users were just disabled (each the subject of one event). */
function disabledPeople(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const email = `leaver${i}@acme.example`;
    const userId = store.addUser({ UserName: email, UserType: BRIDGE_USER_TYPE, DisplayName: email });
    store.addMembership(managed, userId);
    const cognitoUser = pool.createUser({
      email,
      enabled: false,
      attributes: { [IDC_USER_ID_ATTRIBUTE]: userId },
    });
    return { userId, username: cognitoUser.username };
  });
}

async function slotItems() {
  const output = await dynamo.client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "pk = :slot",
      ExpressionAttributeValues: { ":slot": { S: SLOT_PARTITION } },
    }),
  );
  return output.Items ?? [];
}

describe.each([12, 50])("%i concurrent AdminDisableUser events with a budget of 3", (count) => {
  it.each(["delete-user", "remove-memberships"] as const)(
    "%s: exactly 3 users are changed across all invocations; the rest are held back and named",
    async (mode: DeprovisionMode) => {
      const people = disabledPeople(count);
      // The trailing-space person: active (Cognito email "ada@acme.example "), unlinked, with a second,
      // disabled, native Cognito user whose event arrives in the same burst. Never touched.
      const ada = store.addUser({
        UserName: "ada@acme.example",
        UserType: BRIDGE_USER_TYPE,
        DisplayName: "Ada",
      });
      store.addMembership(managed, ada);
      pool.createUser({ email: "ada@acme.example " });
      const adaNative = pool.createUser({ email: "ada@acme.example", enabled: false });
      const subjects = [...people.map((p) => p.username), adaNative.username];
      const invocations = subjects.map((username) => {
        const instance = setupHandler({
          store,
          pool,
          dynamo,
          tableName,
          mode,
          budgetMaxUsers: 3,
          groupMap: { admins: managed },
        });
        return { instance, input: sqsBatch([cloudTrailEvent(pool, "AdminDisableUser", username)]) };
      });

      const responses = await Promise.all(invocations.map(({ instance, input }) => instance.handler(input)));

      // No record failed: a held-back user is not retried by SQS (the schedule picks them up later).
      for (const response of responses) expect(response).toEqual({ batchItemFailures: [] });
      const changed = people.filter((p) =>
        mode === "delete-user" ? !store.users.has(p.userId) : store.groupsOf(p.userId).length === 0,
      );
      expect(changed).toHaveLength(3);
      expect(store.users.has(ada)).toBe(true);
      expect(store.groupsOf(ada)).toEqual([managed]);
      expect(store.callsOf(mode === "delete-user" ? "DeleteUser" : "DeleteGroupMembership")).toHaveLength(3);

      const heldBack = invocations.flatMap(({ instance }) =>
        instance.recorded.logs
          .filter((l) => l.level === "error" && /Deletion budget spent/.test(l.message))
          .flatMap((l) => l.attributes?.userIds as string[]),
      );
      const untouched = people.filter((p) => !changed.includes(p)).map((p) => p.userId);
      expect(heldBack.sort()).toEqual(untouched.sort());
      const metric = (name: string) =>
        invocations.reduce(
          (sum, { instance }) => sum + (instance.recorded.metrics.get(name as never) ?? 0),
          0,
        );
      expect(metric(METRIC_NAMES.UsersHeldBack)).toBe(count - 3);
      expect(metric(METRIC_NAMES.RunFailures)).toBe(0);
      // Three slots, each held by one of the changed users.
      const slots = await slotItems();
      expect(slots.map((s) => s.userId?.S).sort()).toEqual(changed.map((p) => p.userId).sort());
    },
  );
});

describe("DeletionBudget", () => {
  const budgetAt = (clock: { now: number }, maxUsers = 2) =>
    new DeletionBudget(
      new DynamoDBClient({ region: "eu-west-1", endpoint: dynamo.endpoint, credentials }),
      { tableName, maxUsers, windowHours: 24 },
      () => clock.now,
    );
  const signal = new AbortController().signal;

  it("counts a retry for the same user once, even when the retries race each other", async () => {
    const clock = { now: Date.UTC(2030, 5, 30) };
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        budgetAt(clock).reserve("user-a", `run-${i}`, "delete-user", signal),
      ),
    );
    expect(results.every((r) => r.kind === "reserved")).toBe(true);
    expect(results.filter((r) => r.kind === "reserved" && !r.reused)).toHaveLength(1);
    // Once they settle, one slot is held for the user (a racer that took a second one gave it back).
    const held = (await slotItems()).filter((item) => Number(item.reservedUntil?.N) > clock.now);
    expect(held.map((item) => item.userId?.S)).toEqual(["user-a"]);
    // The second slot is still free for someone else; then the budget is spent.
    expect(await budgetAt(clock).reserve("user-b", "run-b", "delete-user", signal)).toMatchObject({
      kind: "reserved",
      reused: false,
    });
    expect(await budgetAt(clock).reserve("user-c", "run-c", "delete-user", signal)).toEqual({
      kind: "spent",
    });
  });

  it("is a rolling window: a slot frees up windowHours after it was taken, not before", async () => {
    const clock = { now: Date.UTC(2030, 5, 30, 12) };
    const budget = budgetAt(clock, 1);
    expect(await budget.reserve("user-a", "run-1", "delete-user", signal)).toMatchObject({
      kind: "reserved",
    });
    clock.now += 24 * 3_600_000 - 1;
    expect(await budget.reserve("user-b", "run-2", "delete-user", signal)).toEqual({ kind: "spent" });
    clock.now += 1;
    expect(await budget.reserve("user-b", "run-2", "delete-user", signal)).toMatchObject({
      kind: "reserved",
      reused: false,
    });
  });

  it("writes the documented items: slot, user reservation and an audit entry, each with the TTL attribute", async () => {
    const clock = { now: Date.UTC(2030, 5, 30, 12) };
    await budgetAt(clock).reserve("user-a", "run-1", "remove-memberships", signal);
    const [slot] = await slotItems();
    const windowEnd = clock.now + 24 * 3_600_000;
    expect(slot).toMatchObject({
      userId: { S: "user-a" },
      runId: { S: "run-1" },
      mode: { S: "remove-memberships" },
      reservedAt: { N: String(clock.now) },
      reservedUntil: { N: String(windowEnd) },
      [BUDGET_TABLE.ttlAttribute]: { N: String(windowEnd / 1000) },
    });
    const audit = await dynamo.client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :audit",
        ExpressionAttributeValues: { ":audit": { S: AUDIT_PARTITION } },
      }),
    );
    expect(audit.Items).toHaveLength(1);
    expect(audit.Items![0]).toMatchObject({
      sk: { S: `2030-06-30T12:00:00.000Z#run-1#user-a` },
      userId: { S: "user-a" },
      [BUDGET_TABLE.ttlAttribute]: { N: String(windowEnd / 1000 + 30 * 86_400) },
    });
  });
});
