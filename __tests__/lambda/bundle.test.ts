/**
 * Integration tests of the BUILT bundle (npm run build:lambda) against a local Identity Store that
 * speaks the real AWS JSON 1.1 protocol, reached through AWS_ENDPOINT_URL_IDENTITYSTORE.
 * Each LambdaContainer is a child process that requires the bundle once, like a Lambda container.
 */
import { createSocket } from "node:dgram";
import {
  addedClaims,
  preTokenEvent,
  SENSITIVE_MARKER,
} from "../../lambda-src/pre-token-generation/test-support/events";
import {
  containerEnv,
  LambdaContainer,
  signedLinkFor,
  startCognito,
  startKms,
  TEST_POOL_ID,
  type InvokeResult,
} from "./bundle-harness";
import type { CognitoTestServer } from "./cognito-server";
import { IdentityStoreTestServer } from "./identity-store-server";

/** Cognito gives up on the trigger after 5 seconds: the behaviour contract for every path. */
const COGNITO_TIMEOUT_MS = 5000;

let server: IdentityStoreTestServer;
let cognito: CognitoTestServer;
const containers: LambdaContainer[] = [];

async function container(overrides: Record<string, string> = {}): Promise<LambdaContainer> {
  const started = await LambdaContainer.start(containerEnv(server, overrides, { cognito }));
  containers.push(started);
  return started;
}

function claimOf(result: InvokeResult): unknown {
  if (!result.ok) throw new Error(`invocation failed: ${result.error.name}: ${result.error.message}`);
  const claims = addedClaims(result.result);
  expect(claims.access?.identity_store_user_id).toBe(claims.id?.identity_store_user_id);
  expect(claims.access?.idc_user_name).toBe(claims.id?.idc_user_name);
  return claims.id?.identity_store_user_id;
}

/** A hand-made IdC user (no ownership mark), e.g. created in the console before the bridge. */
function handMade(userName: string, email: string): string {
  return server.addUser({
    UserName: userName,
    DisplayName: "John Doe",
    Name: { GivenName: "John", FamilyName: "Doe" },
    Emails: [{ Value: email, Type: "work", Primary: true }],
  });
}

function outcomes(): string[] {
  return server.calls.map((call) => `${call.operation}:${call.outcome}`);
}

beforeEach(async () => {
  server = await IdentityStoreTestServer.start({ identityStoreId: "d-9a8b7c6d5e", region: "eu-west-1" });
  cognito = await startCognito();
});

afterEach(async () => {
  await Promise.all(containers.splice(0).map((running) => running.stop()));
  await Promise.all([server.close(), cognito.close()]);
});

describe("built bundle against a local Identity Store", () => {
  it("creates a new person, adds the claim to both tokens and emits EMF metrics and JSON logs", async () => {
    const lambda = await container();
    const event = preTokenEvent({
      userAttributes: { email: "Mary_Ann-Van.Dyke@Example.COM" },
      response: {
        claimsAndScopeOverrideDetails: { idTokenGeneration: { claimsToAddOrOverride: { team: "blue" } } },
      },
    });

    const result = await lambda.invoke(event);

    const user = server.userByName("mary_ann-van.dyke@example.com");
    expect(user).toEqual({
      UserId: expect.any(String),
      UserName: "mary_ann-van.dyke@example.com",
      DisplayName: "Mary Ann Van Dyke",
      Name: { GivenName: "Mary", FamilyName: "Ann Van Dyke" },
      Emails: [{ Value: "mary_ann-van.dyke@example.com", Type: "work", Primary: true }],
      UserType: "idc-oidc-bridge",
    });
    expect(claimOf(result)).toBe(user?.UserId);
    expect(addedClaims(result.ok ? result.result : {}).id).toEqual({
      team: "blue",
      identity_store_user_id: user?.UserId,
      idc_user_name: "mary_ann-van.dyke@example.com",
    });
    expect(outcomes()).toEqual(["GetUserId:ResourceNotFoundException", "CreateUser:ok"]);
    expect(server.calls[0].input).toMatchObject({
      AlternateIdentifier: {
        UniqueAttribute: { AttributePath: "emails.value", AttributeValue: "mary_ann-van.dyke@example.com" },
      },
    });
    // Signed for IDENTITY_STORE_REGION although AWS_REGION (Cognito's region) is us-east-1.
    expect(server.calls.every((call) => call.signedRegion === "eu-west-1")).toBe(true);

    expect(lambda.metrics()).toMatchObject({ UsersCreated: 1 });
    const emf = lambda.jsonLines().find((line) => line._aws !== undefined) as Record<string, unknown>;
    expect(emf).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: "IdcOidcBridge", Dimensions: [["service"]] }] },
      service: "pre-token-generation",
    });
    const logs = lambda.jsonLines().filter((line) => typeof line.message === "string");
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: "INFO",
        message: "Identity Store user created",
        service: "pre-token-generation",
        userName: "mary_ann-van.dyke@example.com",
        function_request_id: "invocation-1",
      }),
    );
    expect([...lambda.stdout, ...lambda.stderr].join("\n")).not.toContain(SENSITIVE_MARKER);
  });

  it("adds idc_user_name to both tokens and, for the IAM federation client, session tags to the ID token", async () => {
    const userId = handMade("john.doe@example.com", "john.doe@example.com");
    const lambda = await container({ IAM_FEDERATION_CLIENT_ID: "fed3client4id" });
    const event = preTokenEvent({
      groups: ["readers", "platform-admins"],
      userAttributes: { "custom:idc_user_id": userId },
    });
    (event.callerContext as { clientId: string }).clientId = "fed3client4id";

    const result = await lambda.invoke(event);

    expect(claimOf(result)).toBe(userId);
    const claims = addedClaims(result.ok ? result.result : {});
    expect(claims.id).toEqual({
      identity_store_user_id: userId,
      idc_user_name: "john.doe@example.com",
      "https://aws.amazon.com/tags": {
        principal_tags: { groups: [":platform-admins:readers:"], email: ["john.doe@example.com"] },
      },
    });
    expect(claims.access).toEqual({ identity_store_user_id: userId, idc_user_name: "john.doe@example.com" });
  });

  it("costs exactly one Identity Store call for a known (validly linked) person, and KMS once per container", async () => {
    const userId = handMade("john.doe@example.com", "john.doe@example.com");
    const kms = await startKms();
    const lambda = await LambdaContainer.start(
      containerEnv(server, { POWERTOOLS_METRICS_NAMESPACE: "Acme/Bridge" }, { cognito, kms }),
    );
    containers.push(lambda);
    const event = () =>
      preTokenEvent({
        triggerSource: "TokenGeneration_RefreshTokens",
        userAttributes: signedLinkFor(kms, TEST_POOL_ID, "8f2e7c6a-1b2d-4e5f-9a8b-7c6d5e4f3a2b", userId),
      });

    const results = [
      await lambda.invoke(event()),
      await lambda.invoke(event()),
      await lambda.invoke(event()),
    ];

    expect(results.map(claimOf)).toEqual([userId, userId, userId]);
    expect(outcomes()).toEqual(["DescribeUser:ok", "DescribeUser:ok", "DescribeUser:ok"]);
    // The link key is derived once, on the container's first sign-in: none after it.
    expect(kms.server.callsOf("GenerateMac").map((call) => call.outcome)).toEqual(["ok"]);
    expect(cognito.callsOf("AdminUpdateUserAttributes")).toEqual([]);
    expect(lambda.metrics()).toMatchObject({ UsersFound: 3 });
    expect(lambda.jsonLines().find((line) => line._aws !== undefined)).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: "Acme/Bridge" }] },
    });
    await kms.server.close();
  });

  it("20 concurrent first sign-ins of the same person create exactly one user, with the same id everywhere", async () => {
    // Every lookup sees "not found" before any create runs: a real race on CreateUser.
    server.holdGetUserIdUntil(20);
    const lambda = await container();

    const results = await Promise.all(Array.from({ length: 20 }, () => lambda.invoke(preTokenEvent())));

    expect(server.users.size).toBe(1);
    const userId = server.userByName("john.doe@example.com")?.UserId;
    expect(results.map(claimOf)).toEqual(new Array(20).fill(userId));
    const creates = server.callsOf("CreateUser").map((call) => call.outcome);
    expect(creates.filter((outcome) => outcome === "ok")).toHaveLength(1);
    expect(creates.filter((outcome) => outcome === "ConflictException")).toHaveLength(19);
    expect(lambda.metrics()).toMatchObject({ UsersCreated: 1, ConflictsResolved: 19 });
    // Within the Identity Store's quota: the container paced itself, nothing was throttled.
    expect(server.calls.filter((call) => call.outcome === "ThrottlingException")).toEqual([]);
  });

  it("resolves a conflict between lookup and create by looking the person up again", async () => {
    const lambda = await container();
    const raced = "9067d8b2-1071-70e3-4e1c-0a8e9e0f0001";
    server.before("CreateUser", () =>
      // As a concurrent sign-in of the same person creates it.
      server.addUser({
        UserId: raced,
        UserName: "john.doe@example.com",
        DisplayName: "John Doe",
        Name: { GivenName: "John", FamilyName: "Doe" },
        Emails: [{ Value: "john.doe@example.com", Type: "work", Primary: true }],
        UserType: "idc-oidc-bridge",
      }),
    );

    const result = await lambda.invoke(preTokenEvent());

    expect(claimOf(result)).toBe(raced);
    expect(outcomes()).toEqual([
      "GetUserId:ResourceNotFoundException",
      "CreateUser:ConflictException",
      "GetUserId:ok",
      "DescribeUser:ok",
    ]);
    expect(server.users.size).toBe(1);
  });

  it("retries throttling with backoff, then succeeds", async () => {
    const lambda = await container();
    server.throttleNext(2);

    const result = await lambda.invoke(preTokenEvent());

    expect(claimOf(result)).toBe(server.userByName("john.doe@example.com")?.UserId);
    expect(outcomes()).toEqual([
      "GetUserId:ThrottlingException",
      "GetUserId:ThrottlingException",
      "GetUserId:ResourceNotFoundException",
      "CreateUser:ok",
    ]);
  });

  it("signs in through 1 s of throttling of every operation, retrying with backoff", async () => {
    const lambda = await container();
    server.throttleFor(1000);

    const result = await lambda.invoke(preTokenEvent());

    expect(claimOf(result)).toBe(server.userByName("john.doe@example.com")?.UserId);
    expect(result.elapsedMs).toBeLessThan(COGNITO_TIMEOUT_MS);
    expect(server.calls.filter((call) => call.outcome === "ThrottlingException").length).toBeGreaterThan(3);
  });

  it("retries persistent throttling until shortly before the deadline, then asks the person to try again", async () => {
    const lambda = await container();
    server.throttleNext(100_000);

    const result = await lambda.invoke(preTokenEvent());

    expect(result).toMatchObject({
      ok: false,
      error: { name: "SyncFailedError", message: expect.stringContaining("Please try again in a moment.") },
    });
    expect(result.elapsedMs).toBeLessThan(COGNITO_TIMEOUT_MS);
    expect(result.elapsedMs).toBeGreaterThan(3000);
    // Far more than a fixed 3 attempts: backoff grows to 1 s, until the deadline.
    expect(server.callsOf("GetUserId").length).toBeGreaterThan(6);
    expect(server.users.size).toBe(0);
    expect(lambda.metrics()).toMatchObject({ SyncFailures: 1, LoginsDenied: 1 });
    expect(lambda.jsonLines()).toContainEqual(
      expect.objectContaining({ message: "Identity Store sync failed", errorKind: "transient" }),
    );
  });

  it("tells a permanent failure (access denied) apart: no 'try again', no response body in logs", async () => {
    const lambda = await container();
    server.failNext(1, {
      type: "AccessDeniedException",
      status: 400,
      message: "User: arn:aws:sts::111111111111:assumed-role/jit/fn is not authorized RESPONSE-BODY",
    });

    const result = await lambda.invoke(preTokenEvent());

    expect(result).toMatchObject({
      ok: false,
      error: {
        name: "SyncFailedError",
        message: expect.stringContaining(
          "because of a configuration problem. Please contact your administrator.",
        ),
      },
    });
    expect(result.ok ? "" : result.error.message).not.toContain("try again");
    expect(server.callsOf("GetUserId")).toHaveLength(1);
    expect(lambda.jsonLines()).toContainEqual(
      expect.objectContaining({
        level: "ERROR",
        message: "Identity Store sync failed",
        errorName: "AccessDeniedException",
        errorKind: "permanent",
      }),
    );
    expect([...lambda.stdout, ...lambda.stderr].join("\n")).not.toContain("RESPONSE-BODY");
  });

  it("settles before Cognito's 5 s limit when the Identity Store never answers (deny rejects, allow returns)", async () => {
    server.hang();
    // Both modes at once, in two containers (keeps the suite fast).
    const [deny, allow] = await Promise.all([
      container({ ON_SYNC_FAILURE: "deny" }),
      container({ ON_SYNC_FAILURE: "allow" }),
    ]);

    const [denied, allowed] = await Promise.all([
      deny.invoke(preTokenEvent(), { remainingMs: 5000 }),
      allow.invoke(preTokenEvent(), { remainingMs: 5000 }),
    ]);

    expect(denied.elapsedMs).toBeLessThan(COGNITO_TIMEOUT_MS);
    expect(allowed.elapsedMs).toBeLessThan(COGNITO_TIMEOUT_MS);
    expect(denied).toMatchObject({
      ok: false,
      error: {
        name: "SyncFailedError",
        message:
          "Sign-in could not be completed: your account could not be provisioned in AWS IAM Identity Center. Please try again in a moment.",
      },
    });
    expect(allowed.ok).toBe(true);
    expect(addedClaims(allowed.ok ? allowed.result : {})).toEqual({ id: undefined, access: undefined });
    expect(server.calls.length).toBeGreaterThanOrEqual(2);
    expect(server.calls.every((call) => call.outcome === "hung")).toBe(true);
    for (const [lambda, onSyncFailure] of [
      [deny, "deny"],
      [allow, "allow"],
    ] as const) {
      expect(lambda.metrics()).toMatchObject({ SyncFailures: 1 });
      expect(lambda.jsonLines()).toContainEqual(
        expect.objectContaining({
          level: "ERROR",
          message: "Identity Store sync failed",
          onSyncFailure,
          errorName: "DeadlineExceededError",
        }),
      );
    }
  });

  it("adds memberships of mapped groups, removes those the person left, never touches unmapped groups", async () => {
    const admins = server.addGroup();
    const readers = server.addGroup();
    const auditors = server.addGroup();
    const unmapped = server.addGroup();
    const userId = handMade("john.doe@example.com", "john.doe@example.com");
    server.addMembership(readers, userId);
    server.addMembership(unmapped, userId);
    server.addMembership(auditors, userId);
    server.membershipPageSize = 1; // three pages
    const lambda = await container({
      GROUP_MAP: JSON.stringify({
        "cognito-admins": admins,
        "cognito-readers": readers,
        "cognito-auditors": auditors,
      }),
    });

    const result = await lambda.invoke(
      preTokenEvent({ groups: ["cognito-admins", "cognito-auditors", "other"] }),
    );

    expect(claimOf(result)).toBe(userId);
    expect(server.groupsOf(userId)).toEqual([admins, auditors, unmapped].sort());
    expect(server.callsOf("ListGroupMembershipsForMember")).toHaveLength(3);
    expect(lambda.metrics()).toMatchObject({ GroupMembershipsAdded: 1, GroupMembershipsRemoved: 1 });

    // A second sign-in changes nothing.
    server.calls.length = 0;
    await lambda.invoke(preTokenEvent({ groups: ["cognito-admins", "cognito-auditors"] }));
    expect(server.calls.map((call) => call.operation)).toEqual([
      "GetUserId",
      "DescribeUser",
      "ListGroupMembershipsForMember",
      "ListGroupMembershipsForMember",
      "ListGroupMembershipsForMember",
    ]);
  });

  it("treats a membership added or removed by a concurrent sign-in as done", async () => {
    const admins = server.addGroup();
    const readers = server.addGroup();
    const userId = handMade("john.doe@example.com", "john.doe@example.com");
    const readersMembership = server.addMembership(readers, userId);
    const lambda = await container({ GROUP_MAP: JSON.stringify({ a: admins, r: readers }) });
    // Between our listing and our changes, another sign-in makes both changes itself.
    server.before("CreateGroupMembership", () => server.addMembership(admins, userId));
    server.before("DeleteGroupMembership", () => server.memberships.delete(readersMembership));

    const result = await lambda.invoke(preTokenEvent({ groups: ["a"] }));

    expect(claimOf(result)).toBe(userId);
    expect(server.groupsOf(userId)).toEqual([admins]);
    expect(outcomes()).toEqual(
      expect.arrayContaining([
        "CreateGroupMembership:ConflictException",
        "DeleteGroupMembership:ResourceNotFoundException",
      ]),
    );
    expect(lambda.metrics().SyncFailures).toBeUndefined();
  });

  it.each([
    [
      "an unverified email",
      { email_verified: "false" },
      "Sign-in denied: your email address is not verified. Verify it, then sign in again.",
    ],
    [
      "a missing email",
      { email: undefined },
      "Sign-in denied: your account has no email address, which AWS IAM Identity Center requires.",
    ],
  ])("denies %s with a clear message and creates nothing", async (_label, userAttributes, message) => {
    const lambda = await container({ ON_SYNC_FAILURE: "allow" });

    const result = await lambda.invoke(preTokenEvent({ userAttributes }));

    expect(result).toMatchObject({ ok: false, error: { name: "LoginDeniedError", message } });
    expect(server.calls).toEqual([]);
    expect(server.users.size).toBe(0);
    expect(lambda.metrics()).toMatchObject({ LoginsDenied: 1 });
  });

  it("fails at cold start, naming the variable, when the configuration is invalid", async () => {
    await expect(
      LambdaContainer.start(
        containerEnv(server, { IDENTITY_STORE_ID: "d-123", ON_SYNC_FAILURE: "sometimes" }, { cognito }),
      ),
    ).rejects.toThrow(
      /IDENTITY_STORE_ID="d-123" is invalid \(expected "d-" followed by 10 lowercase hex digits.*ON_SYNC_FAILURE="sometimes" is invalid \(expected one of: deny, allow\)/,
    );
  });

  it("with X-Ray active (Lambda environment) traces the Identity Store calls and still works", async () => {
    // Stand-in for the X-Ray daemon: the SDK sends segments as UDP datagrams.
    const daemon = createSocket("udp4");
    const subsegment = new Promise<string>((resolve) =>
      daemon.on("message", (datagram) => {
        const text = datagram.toString("utf8");
        if (text.includes('"operation":"GetUserId"')) resolve(text);
      }),
    );
    await new Promise<void>((resolve) => daemon.bind(0, "127.0.0.1", resolve));
    try {
      const lambda = await container({
        AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
        LAMBDA_TASK_ROOT: "/var/task",
        AWS_LAMBDA_FUNCTION_NAME: "pre-token-generation",
        _X_AMZN_TRACE_ID: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
      });

      const result = await lambda.invoke(preTokenEvent());

      expect(claimOf(result)).toBe(server.userByName("john.doe@example.com")?.UserId);
      const traced = JSON.parse((await subsegment).split("\n")[1]) as Record<string, unknown>;
      expect(traced).toMatchObject({
        name: "Identitystore",
        namespace: "aws",
        aws: { operation: "GetUserId" },
      });
      expect(JSON.stringify(traced)).not.toContain("john.doe");
    } finally {
      await new Promise<void>((resolve) => daemon.close(() => resolve()));
    }
  });
});
