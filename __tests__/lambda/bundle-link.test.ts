/**
 * Joiners and movers through the BUILT bundle (issue 12 items 1-2), against the strict Identity Store test
 * server and the Cognito test server: the link in `custom:idc_user_id` (written with
 * AdminUpdateUserAttributes on the event's own pool), one Identity Store call for an unchanged known
 * person, renames in place, relinks, and `custom:idc_last_sign_in` at most once a day.
 */
import { addedClaims, preTokenEvent } from "../../lambda-src/pre-token-generation/test-support/events";
import {
  containerEnv,
  LambdaContainer,
  startCognito,
  TEST_COGNITO_USER,
  TEST_POOL_ID,
  type InvokeResult,
} from "./bundle-harness";
import type { CognitoTestServer } from "./cognito-server";
import { IdentityStoreTestServer } from "./identity-store-server";

let server: IdentityStoreTestServer;
let cognito: CognitoTestServer;
const containers: LambdaContainer[] = [];

beforeEach(async () => {
  server = await IdentityStoreTestServer.start({ identityStoreId: "d-9a8b7c6d5e", region: "eu-west-1" });
  cognito = await startCognito();
});

afterEach(async () => {
  await Promise.all(containers.splice(0).map((running) => running.stop()));
  await Promise.all([server.close(), cognito.close()]);
});

async function container(overrides: Record<string, string> = {}): Promise<LambdaContainer> {
  const started = await LambdaContainer.start(containerEnv(server, overrides, { cognito }));
  containers.push(started);
  return started;
}

function userIdOf(result: InvokeResult): unknown {
  if (!result.ok) throw new Error(`invocation failed: ${result.error.name}: ${result.error.message}`);
  return addedClaims(result.result).id?.identity_store_user_id;
}

/** The event Cognito sends for the person now: their current Cognito attributes. */
function currentEvent(userAttributes: Record<string, string | undefined> = {}, groups: string[] = []) {
  return preTokenEvent({
    userAttributes: { ...cognito.attributesOf(TEST_POOL_ID, TEST_COGNITO_USER), ...userAttributes },
    groups,
  });
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

describe("the link between the Cognito user and the IdC user", () => {
  it("is written on first provisioning; afterwards an unchanged person costs one Identity Store call", async () => {
    const lambda = await container();

    const first = await lambda.invoke(currentEvent());

    const userId = userIdOf(first);
    expect(cognito.attributesOf(TEST_POOL_ID, TEST_COGNITO_USER)?.["custom:idc_user_id"]).toBe(userId);
    expect(cognito.callsOf("AdminUpdateUserAttributes")).toHaveLength(1);
    expect(cognito.callsOf("AdminUpdateUserAttributes")[0].input).toEqual({
      UserPoolId: TEST_POOL_ID,
      Username: TEST_COGNITO_USER,
      UserAttributes: [
        { Name: "custom:idc_user_id", Value: userId },
        { Name: "custom:idc_link_sig", Value: expect.stringMatching(/^v1\.[\w-]{43}$/) },
      ],
    });
    // Signed for the Lambda's own region (the pool's), not the Identity Store's.
    expect(cognito.calls[0].signedRegion).toBe("us-east-1");

    server.calls.length = 0;
    const second = await lambda.invoke(currentEvent());

    expect(userIdOf(second)).toBe(userId);
    expect(server.calls.map((call) => `${call.operation}:${call.outcome}`)).toEqual(["DescribeUser:ok"]);
    expect(cognito.callsOf("AdminUpdateUserAttributes")).toHaveLength(1);
  });

  it("keeps one IdC user with the same id and memberships when the person's email changes", async () => {
    const group = server.addGroup();
    const lambda = await container({ GROUP_MAP: JSON.stringify({ staff: group }) });
    const userId = userIdOf(await lambda.invoke(currentEvent({}, ["staff"])));
    expect(server.groupsOf(String(userId))).toEqual([group]);

    // A domain rebrand: the upstream IdP now sends another email.
    const result = await lambda.invoke(currentEvent({ email: "John.Doe@new-brand.example" }, ["staff"]));

    expect(userIdOf(result)).toBe(userId);
    expect(server.users.size).toBe(1);
    expect(server.users.get(String(userId))).toMatchObject({
      UserName: "john.doe@new-brand.example",
      Emails: [{ Value: "john.doe@new-brand.example", Type: "work", Primary: true }],
      UserType: "idc-oidc-bridge",
    });
    expect(server.groupsOf(String(userId))).toEqual([group]);
    expect(addedClaims(result.ok ? result.result : {}).id?.idc_user_name).toBe("john.doe@new-brand.example");
    expect(lambda.metrics()).toMatchObject({ UsersRenamed: 1 });
    expect(lambda.jsonLines()).toContainEqual(
      expect.objectContaining({
        message: "Identity Store user renamed",
        userId,
        previousUserName: "john.doe@example.com",
        userName: "john.doe@new-brand.example",
      }),
    );
  });

  it("refuses a new email that another IdC user holds as UserName, logging both ids (never merges)", async () => {
    const lambda = await container();
    const userId = userIdOf(await lambda.invoke(currentEvent()));
    const other = server.addUser({
      UserName: "jd@new-brand.example",
      Emails: [{ Value: "jd@new-brand.example" }],
    });

    const result = await lambda.invoke(currentEvent({ email: "jd@new-brand.example" }));

    expect(result).toMatchObject({ ok: false, error: { name: "LoginDeniedError" } });
    const message = result.ok ? "" : result.error.message;
    expect(message).toContain(String(userId));
    expect(message).toContain(other);
    expect(server.users.size).toBe(2);
    expect(server.users.get(String(userId))?.UserName).toBe("john.doe@example.com");
    expect(lambda.jsonLines()).toContainEqual(
      expect.objectContaining({ level: "ERROR", userId, conflictingUserId: other }),
    );
  });

  it("provisions afresh and relinks when the linked IdC user was deleted", async () => {
    const lambda = await container();
    const first = String(userIdOf(await lambda.invoke(currentEvent())));
    server.users.delete(first);

    const result = await lambda.invoke(currentEvent());

    const second = userIdOf(result);
    expect(second).not.toBe(first);
    expect(server.users.has(String(second))).toBe(true);
    expect(cognito.attributesOf(TEST_POOL_ID, TEST_COGNITO_USER)?.["custom:idc_user_id"]).toBe(second);
    expect(lambda.metrics()).toMatchObject({ LinkedUsersMissing: 1 });
  });

  it("a forged link (another person's IdC user id) yields no foreign id and changes no one, over 20 concurrent sign-ins", async () => {
    const lambda = await container();
    const victim = server.addUser({
      UserName: "victim@example.com",
      DisplayName: "Vic Tim",
      Name: { GivenName: "Vic", FamilyName: "Tim" },
      Emails: [{ Value: "victim@example.com", Type: "work", Primary: true }],
      UserType: "idc-oidc-bridge",
    });
    const before = structuredClone(server.users.get(victim));
    // An app client (added outside the project, or a writeAttributes mistake) let the person write the link.
    const forged = (signature: string | undefined) =>
      currentEvent({ "custom:idc_user_id": victim, "custom:idc_link_sig": signature });

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        lambda.invoke(forged(i % 2 === 0 ? undefined : `v1.${"A".repeat(43)}`)),
      ),
    );

    const own = server.userByName("john.doe@example.com")?.UserId;
    expect(own).toBeDefined();
    expect(results.map(userIdOf)).toEqual(new Array(20).fill(own));
    // No claim of any token names the other user (the event's own attributes still carry the forged value).
    expect(JSON.stringify(results.map((r) => (r.ok ? addedClaims(r.result) : r)))).not.toContain(victim);
    expect(server.users.get(victim)).toEqual(before);
    expect(server.calls.some((call) => JSON.stringify(call.input).includes(victim))).toBe(false);
    // The person's link is re-established, signed, to their own user: the next sign-in costs one call.
    expect(cognito.attributesOf(TEST_POOL_ID, TEST_COGNITO_USER)?.["custom:idc_user_id"]).toBe(own);
    server.calls.length = 0;
    expect(userIdOf(await lambda.invoke(currentEvent()))).toBe(own);
    expect(server.calls.map((call) => `${call.operation}:${call.outcome}`)).toEqual(["DescribeUser:ok"]);
    expect(lambda.metrics()).toMatchObject({ LinksIgnored: 20 });
  });

  it("re-establishes an existing (unsigned) link on the next sign-in", async () => {
    const lambda = await container();
    const userId = userIdOf(await lambda.invoke(currentEvent()));
    // A link written before links were signed.
    cognito.addUser(TEST_POOL_ID, TEST_COGNITO_USER, {
      email: "john.doe@example.com",
      "custom:idc_user_id": String(userId),
    });

    expect(userIdOf(await lambda.invoke(currentEvent()))).toBe(userId);
    expect(cognito.attributesOf(TEST_POOL_ID, TEST_COGNITO_USER)?.["custom:idc_link_sig"]).toMatch(/^v1\./);
    server.calls.length = 0;
    expect(userIdOf(await lambda.invoke(currentEvent()))).toBe(userId);
    expect(server.calls.map((call) => `${call.operation}:${call.outcome}`)).toEqual(["DescribeUser:ok"]);
  });

  it("tolerates a failed write (the pool lacks the attribute): the sign-in goes on, counted and logged", async () => {
    cognito.addPool(TEST_POOL_ID, []);
    cognito.addUser(TEST_POOL_ID, TEST_COGNITO_USER, { email: "john.doe@example.com" });
    const lambda = await container();

    const result = await lambda.invoke(currentEvent());

    expect(userIdOf(result)).toBe(server.userByName("john.doe@example.com")?.UserId);
    expect(lambda.metrics()).toMatchObject({ CognitoWriteFailures: 1 });
    expect(lambda.jsonLines()).toContainEqual(
      expect.objectContaining({
        level: "WARN",
        message: "Could not write to the Cognito user (tolerated: the sign-in goes on)",
        errorName: "InvalidParameterException",
        errorKind: "permanent",
      }),
    );
  });

  it("syncs ENTERPRISE_ATTRIBUTES to the enterprise extension, in place when they change", async () => {
    const lambda = await container({
      ENTERPRISE_ATTRIBUTES: JSON.stringify({ department: "custom:department" }),
    });
    const userId = String(userIdOf(await lambda.invoke(currentEvent({ "custom:department": "Research" }))));
    expect(server.users.get(userId)?.Extensions).toEqual({
      "aws:identitystore:enterprise": { department: "Research" },
    });

    await lambda.invoke(currentEvent({ "custom:department": "Sales" }));

    expect(server.users.get(userId)?.Extensions).toEqual({
      "aws:identitystore:enterprise": { department: "Sales" },
    });
    expect(lambda.metrics()).toMatchObject({ UserAttributesUpdated: 1 });
  });
});

describe("RECORD_LAST_SIGN_IN", () => {
  it("writes the day at most once a day per person, with the link in the same call", async () => {
    const lambda = await container({ RECORD_LAST_SIGN_IN: "true" });

    await lambda.invoke(currentEvent());
    expect(cognito.callsOf("AdminUpdateUserAttributes")).toHaveLength(1);
    expect(cognito.attributesOf(TEST_POOL_ID, TEST_COGNITO_USER)).toMatchObject({
      "custom:idc_user_id": expect.any(String),
      "custom:idc_last_sign_in": today(),
    });

    // Later the same day: nothing to write.
    await lambda.invoke(currentEvent());
    expect(cognito.callsOf("AdminUpdateUserAttributes")).toHaveLength(1);

    // The recorded day is older than today: one write, of the day only.
    await lambda.invoke(currentEvent({ "custom:idc_last_sign_in": "2020-01-01" }));
    expect(cognito.callsOf("AdminUpdateUserAttributes")).toHaveLength(2);
    expect(cognito.callsOf("AdminUpdateUserAttributes")[1].input).toMatchObject({
      UserAttributes: [{ Name: "custom:idc_last_sign_in", Value: today() }],
    });
  });

  it("does not record anything when off", async () => {
    const lambda = await container();
    await lambda.invoke(currentEvent());
    expect(
      cognito.attributesOf(TEST_POOL_ID, TEST_COGNITO_USER)?.["custom:idc_last_sign_in"],
    ).toBeUndefined();
  });
});
