/**
 * The BUILT bundle on real identity states (issue 9): an existing user under another UserName (adoption
 * on and off), a store with unique emails, a mapped group that was deleted, and a first sign-in into many
 * mapped groups against the Identity Store's 20 requests/s per operation.
 */
import { addedClaims, preTokenEvent } from "../../lambda-src/pre-token-generation/test-support/events";
import { containerEnv, LambdaContainer, startCognito, type InvokeResult } from "./bundle-harness";
import type { CognitoTestServer } from "./cognito-server";
import { IdentityStoreTestServer, type IdentityStoreServerOptions } from "./identity-store-server";

const COGNITO_TIMEOUT_MS = 5000;

let server: IdentityStoreTestServer;
let cognito: CognitoTestServer;
const containers: LambdaContainer[] = [];

async function start(options: IdentityStoreServerOptions = {}): Promise<void> {
  server = await IdentityStoreTestServer.start({
    identityStoreId: "d-9a8b7c6d5e",
    region: "eu-west-1",
    ...options,
  });
  cognito = await startCognito();
}

async function container(overrides: Record<string, string> = {}): Promise<LambdaContainer> {
  const started = await LambdaContainer.start(containerEnv(server, overrides, { cognito }));
  containers.push(started);
  return started;
}

function claims(result: InvokeResult): Record<string, unknown> | undefined {
  if (!result.ok) throw new Error(`invocation failed: ${result.error.name}: ${result.error.message}`);
  return addedClaims(result.result).id;
}

/** A user created by hand before the bridge: another UserName, the person's email, no ownership mark. */
function handMade(userName: string, email: string): string {
  return server.addUser({
    UserName: userName,
    DisplayName: "John Doe",
    Name: { GivenName: "John", FamilyName: "Doe" },
    Emails: [{ Value: email, Type: "work", Primary: true }],
  });
}

afterEach(async () => {
  await Promise.all(containers.splice(0).map((running) => running.stop()));
  await Promise.all([server.close(), cognito.close()]);
});

describe.each([
  ["a store without unique emails", { uniqueEmails: false }],
  ["a store with unique emails", { uniqueEmails: true }],
])("an existing IdC user under another UserName, in %s", (_label, storeOptions) => {
  beforeEach(() => start(storeOptions));

  it("is not duplicated: the sign-in is denied naming that user and the fix (never 'try again')", async () => {
    const userId = handMade("jdoe", "john.doe@example.com");
    const lambda = await container();

    const result = await lambda.invoke(preTokenEvent());

    expect(result).toMatchObject({ ok: false, error: { name: "LoginDeniedError" } });
    const message = result.ok ? "" : result.error.message;
    expect(message).toContain(`user id ${userId}`);
    expect(message).toContain("john.doe@example.com");
    expect(message).toContain("provisioning.adoptExistingUsers");
    expect(message).not.toMatch(/try again/i);
    expect(server.users.size).toBe(1);
    expect(server.users.get(userId)?.UserName).toBe("jdoe");
    expect(lambda.metrics()).toMatchObject({ LoginsDenied: 1 });
  });

  it("with ADOPT_EXISTING_USERS is renamed to the email and marked as adopted, keeping its id and memberships", async () => {
    const userId = handMade("jdoe", "john.doe@example.com");
    const group = server.addGroup();
    server.addMembership(group, userId);
    const lambda = await container({
      ADOPT_EXISTING_USERS: "true",
      GROUP_MAP: JSON.stringify({ staff: group }),
    });

    const result = await lambda.invoke(preTokenEvent({ groups: ["staff"] }));

    expect(claims(result)).toMatchObject({
      identity_store_user_id: userId,
      idc_user_name: "john.doe@example.com",
    });
    expect(server.users.size).toBe(1);
    expect(server.users.get(userId)).toMatchObject({
      UserName: "john.doe@example.com",
      UserType: "idc-oidc-bridge-adopted",
    });
    expect(server.groupsOf(userId)).toEqual([group]);
    expect(lambda.metrics()).toMatchObject({ UsersAdopted: 1 });
  });
});

describe("group sync against the quota", () => {
  beforeEach(() => start());

  it("skips a mapped group that was deleted, logging its id and counting it, and signs the person in", async () => {
    const kept = server.addGroup();
    const deleted = server.addGroup();
    server.deleteGroup(deleted);
    const lambda = await container({ GROUP_MAP: JSON.stringify({ kept, deleted }) });

    const result = await lambda.invoke(preTokenEvent({ groups: ["kept", "deleted"] }));

    const userId = server.userByName("john.doe@example.com")?.UserId;
    expect(claims(result)).toMatchObject({ identity_store_user_id: userId });
    expect(server.groupsOf(userId!)).toEqual([kept]);
    expect(lambda.metrics()).toMatchObject({ MappedGroupsMissing: 1, GroupMembershipsAdded: 1 });
    expect(lambda.metrics().SyncFailures).toBeUndefined();
    expect(lambda.jsonLines()).toContainEqual(
      expect.objectContaining({
        level: "WARN",
        groupId: deleted,
        message: expect.stringContaining("no longer exists"),
      }),
    );
  });

  it("paces a first sign-in into 45 mapped groups under 20 requests/s: nothing throttled, all memberships made", async () => {
    const groups = Array.from({ length: 45 }, () => server.addGroup());
    const groupMap = Object.fromEntries(groups.map((groupId, index) => [`g${index}`, groupId]));
    const lambda = await container({ GROUP_MAP: JSON.stringify(groupMap) });

    const result = await lambda.invoke(preTokenEvent({ groups: Object.keys(groupMap) }));

    const userId = server.userByName("john.doe@example.com")?.UserId;
    expect(claims(result)).toMatchObject({ identity_store_user_id: userId });
    expect(result.elapsedMs).toBeLessThan(COGNITO_TIMEOUT_MS);
    expect(server.groupsOf(userId!)).toEqual([...groups].sort());
    expect(server.calls.filter((call) => call.outcome === "ThrottlingException")).toEqual([]);
    const creates = server.callsOf("CreateGroupMembership");
    for (const call of creates) {
      // The server's own bucket (burst 20, 20/s) would have refused more; the container sent fewer.
      const inSecond = creates.filter((other) => other.at >= call.at && other.at < call.at + 1000);
      expect(inSecond.length).toBeLessThanOrEqual(30);
    }
  });
});
