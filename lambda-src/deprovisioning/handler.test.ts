/**
 * The deprovisioning handler against a strict local Identity Store and a strict local Cognito user pool
 * (real SDK clients over HTTP) and dynalite for the deletion budget: who is a leaver, what each mode
 * changes, the event path, pagination, throttling and reruns.
 */
import { CognitoTestServer } from "../../__tests__/lambda/cognito-server";
import { IdentityStoreTestServer } from "../../__tests__/lambda/identity-store-server";
import {
  BRIDGE_USER_TYPE,
  IDC_USER_ID_ATTRIBUTE,
  LAST_SIGN_IN_ATTRIBUTE,
} from "../pre-token-generation/contract";
import type { PacingOptions } from "../shared/pacing";
import { METRIC_NAMES, RECONCILE_EVENT, type DeprovisionMode } from "./contract";
import { BACKGROUND_PACING } from "./identity-store";
import {
  cloudTrailEvent as trailEvent,
  createBudgetTable,
  type Dynalite,
  setupHandler,
  startDynalite,
} from "./test-support/harness";

let store: IdentityStoreTestServer;
let pool: CognitoTestServer;
let dynamo: Dynalite;
let tableName: string;
let admins: string;
let developers: string;
let unmanaged: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  dynamo = await startDynalite();
});

afterAll(async () => {
  await dynamo.close();
});

beforeEach(async () => {
  store = await IdentityStoreTestServer.start();
  pool = await CognitoTestServer.start({ userPoolId: "eu-west-1_TestPool1" });
  tableName = await createBudgetTable(dynamo);
  admins = store.addGroup();
  developers = store.addGroup();
  unmanaged = store.addGroup();
  // The SDK's standard per-service endpoint variables; the Cognito client takes credentials from the env.
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

function setup(
  settings: {
    mode?: DeprovisionMode;
    budgetMaxUsers?: number;
    inactiveDays?: number;
    pacing?: PacingOptions | false;
  } = {},
) {
  const { run, recorded } = setupHandler({
    store,
    pool,
    dynamo,
    tableName,
    ...settings,
    groupMap: { "cognito-admins": admins, "cognito-devs": developers },
  });
  return { handler: run, recorded };
}

/** A person the JIT Lambda provisioned: an owned IdC user, linked from their Cognito user, in groups. */
function person(
  email: string,
  options: { groups?: string[]; enabled?: boolean; lastSignIn?: string; linked?: boolean } = {},
) {
  const userId = store.addUser({
    UserName: email,
    UserType: BRIDGE_USER_TYPE,
    DisplayName: email,
    Emails: [{ Value: email, Type: "work", Primary: true }],
  });
  for (const group of options.groups ?? [admins, unmanaged]) store.addMembership(group, userId);
  const attributes: Record<string, string> = {};
  if (options.linked !== false) attributes[IDC_USER_ID_ATTRIBUTE] = userId;
  if (options.lastSignIn !== undefined) attributes[LAST_SIGN_IN_ATTRIBUTE] = options.lastSignIn;
  const cognitoUser = pool.createUser({ email, enabled: options.enabled, attributes });
  return { userId, username: cognitoUser.username };
}

/** An IdC user someone made by hand (no ownership mark), with memberships in managed groups. */
function handMadeUser(email: string) {
  const userId = store.addUser({ UserName: email, DisplayName: email });
  store.addMembership(admins, userId);
  return userId;
}

const cloudTrailEvent = (eventName: string, username: string, extra: Record<string, unknown> = {}) =>
  trailEvent(pool, eventName, username, extra);

describe("who is a leaver", () => {
  it("reports a disabled person and a deleted person in report mode, changing nothing", async () => {
    const ada = person("ada@acme.example");
    const bob = person("bob@acme.example");
    const eve = person("eve@acme.example");
    pool.disable(ada.username);
    pool.delete(bob.username);
    const { handler, recorded } = setup();

    const summary = await handler(RECONCILE_EVENT);

    expect(summary.leavers).toEqual(
      expect.arrayContaining([
        { userId: ada.userId, userName: "ada@acme.example", reason: "cognito-user-disabled", adopted: false },
        { userId: bob.userId, userName: "bob@acme.example", reason: "cognito-user-missing", adopted: false },
      ]),
    );
    expect(summary.leavers).toHaveLength(2);
    expect(recorded.metrics.get(METRIC_NAMES.LeaversReported)).toBe(2);
    expect(store.users.size).toBe(3);
    expect(store.groupsOf(ada.userId)).toEqual([admins, unmanaged].sort());
    expect(store.groupsOf(eve.userId)).toEqual([admins, unmanaged].sort());
    for (const op of ["DeleteUser", "DeleteGroupMembership"] as const)
      expect(store.callsOf(op)).toHaveLength(0);
  });

  it("never touches an IdC user without the ownership mark, whatever the mode", async () => {
    const handMade = handMadeUser("contractor@acme.example");
    const otherType = store.addUser({ UserName: "svc@acme.example", UserType: "Employee" });
    for (const mode of ["report", "remove-memberships", "delete-user"] as const) {
      const { handler } = setup({ mode });
      const summary = await handler(RECONCILE_EVENT);
      expect(summary.leavers).toEqual([]);
    }
    expect(store.users.has(handMade)).toBe(true);
    expect(store.users.has(otherType)).toBe(true);
    expect(store.groupsOf(handMade)).toEqual([admins]);
    expect(store.callsOf("DeleteUser")).toHaveLength(0);
    expect(store.callsOf("DeleteGroupMembership")).toHaveLength(0);
  });

  it("keeps a person who still has another enabled Cognito user with the same email (a federated one)", async () => {
    const ada = person("ada@acme.example");
    pool.disable(ada.username);
    pool.createUser({ username: "Google_1234567890", email: "Ada@Acme.example" });
    const { handler } = setup({ mode: "delete-user" });
    expect((await handler(RECONCILE_EVENT)).leavers).toEqual([]);
    expect(store.users.has(ada.userId)).toBe(true);
  });

  it("links by custom:idc_user_id even when the email no longer matches the UserName, and by email without a link", async () => {
    const renamed = person("old@acme.example");
    pool.findUser(renamed.username)!.attributes.set("email", "new@acme.example");
    const unlinked = person("legacy@acme.example", { linked: false });
    const { handler } = setup({ mode: "delete-user" });
    expect((await handler(RECONCILE_EVENT)).leavers).toEqual([]);
    pool.disable(unlinked.username);
    const summary = await handler(RECONCILE_EVENT);
    expect(summary.leavers.map((l) => l.userId)).toEqual([unlinked.userId]);
    expect(store.users.has(renamed.userId)).toBe(true);
  });

  it("with inactiveDays: old recorded sign-ins are leavers, recent or never recorded ones are not", async () => {
    const old = person("old@acme.example", { lastSignIn: "2030-03-01" }); // 121 days
    const edge = person("edge@acme.example", { lastSignIn: "2030-04-01" }); // exactly 90 days
    const recent = person("recent@acme.example", { lastSignIn: "2030-06-29" });
    const never = person("never@acme.example");
    const garbled = person("garbled@acme.example", { lastSignIn: "2030-02-30" });
    const { handler } = setup({ inactiveDays: 90 });
    const summary = await handler(RECONCILE_EVENT);
    expect(summary.leavers).toEqual([
      {
        userId: old.userId,
        userName: "old@acme.example",
        reason: "inactive",
        adopted: false,
        lastSignIn: "2030-03-01",
      },
    ]);
    expect(store.users.size).toBe(5);
    void [edge, recent, never, garbled];
    // Without the setting nobody is inactive.
    expect((await setup().handler(RECONCILE_EVENT)).leavers).toEqual([]);
  });
});

describe("modes", () => {
  it("remove-memberships drops only the managed memberships, keeps the user, and a rerun changes nothing", async () => {
    const ada = person("ada@acme.example", { groups: [admins, developers, unmanaged] });
    const eve = person("eve@acme.example", { groups: [admins] });
    pool.disable(ada.username);
    const { handler, recorded } = setup({ mode: "remove-memberships" });

    const first = await handler(RECONCILE_EVENT);
    expect(first).toMatchObject({ planned: 1, membershipsRemoved: 2, usersDeleted: 0 });
    expect(store.groupsOf(ada.userId)).toEqual([unmanaged]);
    expect(store.users.has(ada.userId)).toBe(true);
    expect(store.groupsOf(eve.userId)).toEqual([admins]);
    expect(recorded.metrics.get(METRIC_NAMES.MembershipsRemoved)).toBe(2);

    const deletes = store.callsOf("DeleteGroupMembership").length;
    const second = await handler(RECONCILE_EVENT);
    expect(second).toMatchObject({ planned: 0, membershipsRemoved: 0, heldBack: [] });
    expect(second.leavers.map((l) => l.userId)).toEqual([ada.userId]);
    expect(store.callsOf("DeleteGroupMembership")).toHaveLength(deletes);
  });

  it("delete-user deletes the leaver's IdC user; a rerun finds nothing", async () => {
    const bob = person("bob@acme.example");
    const eve = person("eve@acme.example");
    pool.delete(bob.username);
    const { handler, recorded } = setup({ mode: "delete-user" });

    expect(await handler(RECONCILE_EVENT)).toMatchObject({ planned: 1, usersDeleted: 1 });
    expect(store.users.has(bob.userId)).toBe(false);
    expect(store.users.has(eve.userId)).toBe(true);
    expect(recorded.metrics.get(METRIC_NAMES.UsersDeleted)).toBe(1);

    const second = await handler(RECONCILE_EVENT);
    expect(second).toMatchObject({ leavers: [], planned: 0, usersDeleted: 0 });
  });

  it("re-reads the ownership mark right before a change and skips a user that lost it", async () => {
    const ada = person("ada@acme.example");
    pool.disable(ada.username);
    const { handler, recorded } = setup({ mode: "delete-user" });
    // Between the listing and the change, someone takes the user over by hand.
    store.before("DescribeUser", () => {
      const user = store.users.get(ada.userId)!;
      store.users.set(ada.userId, { ...user, UserType: "Employee" });
    });
    const summary = await handler(RECONCILE_EVENT);
    expect(summary.usersDeleted).toBe(0);
    expect(store.users.has(ada.userId)).toBe(true);
    expect(recorded.metrics.get(METRIC_NAMES.OwnershipChecksFailed)).toBe(1);
  });
});

describe("the CloudTrail event path", () => {
  it("AdminDisableUser by email: checks that one person (no ListUsers of the Identity Store) and acts", async () => {
    const ada = person("ada@acme.example");
    const bob = person("bob@acme.example");
    pool.delete(bob.username); // a leaver too, but not this event's business
    pool.disable(ada.username);
    const { handler } = setup({ mode: "delete-user" });

    const summary = await handler(cloudTrailEvent("AdminDisableUser", "Ada@acme.example"));
    expect(summary).toMatchObject({ invocation: "person", usersDeleted: 1 });
    expect(store.users.has(ada.userId)).toBe(false);
    expect(store.users.has(bob.userId)).toBe(true);
    expect(store.callsOf("ListUsers")).toHaveLength(0);
    expect(pool.callsOf("AdminGetUser")).toHaveLength(1);
  });

  it("AdminDisableUser by sub follows the custom:idc_user_id link", async () => {
    const ada = person("ada@acme.example");
    pool.disable(ada.username);
    const { handler } = setup({ mode: "remove-memberships" });
    const summary = await handler(cloudTrailEvent("AdminDisableUser", ada.username));
    expect(summary).toMatchObject({ invocation: "person", membershipsRemoved: 1 });
    expect(store.groupsOf(ada.userId)).toEqual([unmanaged]);
  });

  it("an event about a person who is enabled again changes nothing", async () => {
    const ada = person("ada@acme.example");
    const { handler } = setup({ mode: "delete-user" });
    expect(await handler(cloudTrailEvent("AdminDisableUser", ada.username))).toMatchObject({ leavers: [] });
    expect(store.users.has(ada.userId)).toBe(true);
  });

  it("AdminDeleteUser by sub (the link is gone with the user) changes nobody and says so", async () => {
    const bob = person("bob@acme.example");
    pool.delete(bob.username);
    const { handler, recorded } = setup({ mode: "delete-user" });
    const summary = await handler(cloudTrailEvent("AdminDeleteUser", bob.username));
    expect(summary).toMatchObject({ invocation: "untraceable", leavers: [], usersDeleted: 0 });
    expect(store.users.has(bob.userId)).toBe(true);
    expect(store.callsOf("ListUsers")).toHaveLength(0);
    expect(pool.callsOf("ListUsers")).toHaveLength(0);
    expect(recorded.logs).toContainEqual(
      expect.objectContaining({ level: "warn", message: expect.stringMatching(/cannot trace/) }),
    );
  });

  it("AdminDeleteUser by email alias: the person is traced by their email, without scanning", async () => {
    const bob = person("bob@acme.example");
    pool.delete(bob.username);
    const { handler } = setup({ mode: "delete-user" });
    expect(await handler(cloudTrailEvent("AdminDeleteUser", "Bob@acme.example"))).toMatchObject({
      invocation: "person",
      usersDeleted: 1,
    });
    expect(store.users.has(bob.userId)).toBe(false);
    expect(store.callsOf("ListUsers")).toHaveLength(0);
  });

  it("a username CloudTrail hid changes nobody (no fallback to reconciling everyone)", async () => {
    const bob = person("bob@acme.example");
    pool.delete(bob.username);
    const { handler } = setup({ mode: "delete-user" });
    const summary = await handler(cloudTrailEvent("AdminDeleteUser", "HIDDEN_FOR_SECURITY_REASONS"));
    expect(summary).toMatchObject({ invocation: "untraceable", leavers: [] });
    expect(store.users.has(bob.userId)).toBe(true);
    expect(store.calls).toHaveLength(0);
    expect(pool.calls).toHaveLength(0);
  });

  it.each([
    ["another user pool", { requestParameters: { userPoolId: "eu-west-1_Other1", username: "x" } }],
    ["a failed call", { errorCode: "UserNotFoundException" }],
    ["another API call", { eventName: "AdminEnableUser" }],
  ])("ignores %s", async (_name, extra) => {
    const bob = person("bob@acme.example");
    pool.delete(bob.username);
    const { handler } = setup({ mode: "delete-user" });
    expect(await handler(cloudTrailEvent("AdminDeleteUser", "bob@acme.example", extra))).toMatchObject({
      invocation: "ignore",
    });
    expect(store.users.has(bob.userId)).toBe(true);
    expect(store.calls).toHaveLength(0);
  });

  it("ignores input that is neither the schedule's nor a Cognito CloudTrail event", async () => {
    const { handler, recorded } = setup();
    expect(await handler({ hello: "world" })).toMatchObject({ invocation: "ignore" });
    expect(recorded.logs.some((l) => l.level === "warn")).toBe(true);
  });
});

describe("scale and failures", () => {
  it("pages through every Identity Store and Cognito user", async () => {
    store.usersPageSize = 7;
    const leavers: string[] = [];
    for (let i = 0; i < 130; i += 1) {
      const p = person(`user${i}@acme.example`, { groups: [] });
      if (i % 50 === 49) {
        pool.disable(p.username);
        leavers.push(p.userId);
      }
    }
    for (let i = 0; i < 20; i += 1) handMadeUser(`hand${i}@acme.example`);
    const { handler } = setup();
    const summary = await handler(RECONCILE_EVENT);
    expect(summary.leavers.map((l) => l.userId).sort()).toEqual(leavers.sort());
    expect(store.callsOf("ListUsers").length).toBeGreaterThan(20);
    expect(pool.callsOf("ListUsers")).toHaveLength(3); // 130 users, 60 a page
  });

  it("paces each Identity Store API under its 20 requests/s quota (the server enforces it)", async () => {
    store.usersPageSize = 4;
    for (let i = 0; i < 120; i += 1) person(`user${i}@acme.example`, { groups: [] });
    const { handler } = setup({ pacing: BACKGROUND_PACING });
    await handler(RECONCILE_EVENT);
    expect(store.callsOf("ListUsers").length).toBeGreaterThanOrEqual(30);
    expect(store.calls.filter((c) => c.outcome === "ThrottlingException")).toEqual([]);
    // Without pacing the same run bursts past the quota and leans on retries: the check above can fail.
    await new Promise((resolve) => setTimeout(resolve, 1100)); // let the server's token bucket refill
    const before = store.calls.length;
    await setup().handler(RECONCILE_EVENT);
    expect(store.calls.slice(before).some((c) => c.outcome === "ThrottlingException")).toBe(true);
  });

  it("rides out throttling of both APIs", async () => {
    const ada = person("ada@acme.example");
    pool.disable(ada.username);
    store.throttleNext(2, "ListUsers");
    pool.throttleNext(2);
    const { handler } = setup({ mode: "delete-user" });
    expect(await handler(RECONCILE_EVENT)).toMatchObject({ usersDeleted: 1 });
  });

  it("changes nothing when the Cognito listing fails part-way (a partial listing would make people look gone)", async () => {
    for (let i = 0; i < 70; i += 1) person(`user${i}@acme.example`);
    // After the first page, every ListUsers call fails for good.
    pool.before("ListUsers", () =>
      pool.failNext(1000, { operation: "ListUsers", type: "NotAuthorizedException", status: 400 }),
    );
    const { handler, recorded } = setup({ mode: "delete-user", budgetMaxUsers: 1000 });
    await expect(handler(RECONCILE_EVENT)).rejects.toMatchObject({ name: "NotAuthorizedException" });
    expect(store.users.size).toBe(70);
    expect(store.callsOf("DeleteUser")).toHaveLength(0);
    expect(recorded.metrics.get(METRIC_NAMES.RunFailures)).toBe(1);
  });
});
