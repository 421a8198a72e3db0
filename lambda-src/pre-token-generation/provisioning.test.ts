/**
 * Provisioning against the strict Identity Store test server (real SDK client, real retries and pacing):
 * each identity state a real directory can be in.
 */
import type { IdentitystoreClient } from "@aws-sdk/client-identitystore";
import {
  IdentityStoreTestServer,
  type IdentityStoreServerOptions,
} from "../../__tests__/lambda/identity-store-server";
import { Deadline } from "../shared/deadline";
import { createIdentityStoreClient } from "../shared/identity-store-client";
import { RecordingLog, RecordingMetrics } from "../shared/test-support/telemetry";
import { BRIDGE_ADOPTED_USER_TYPE, BRIDGE_USER_TYPE, type EnterpriseAttributeField } from "./contract";
import { ConflictUnresolvedError, LoginDeniedError } from "./errors";
import { IdentityStore } from "./identity-store";
import { METRIC_NAMES, type MetricName } from "./metric-names";
import { personFromAttributes } from "./person";
import { desiredUser, provisionUser } from "./provisioning";

const ENV_KEYS = ["AWS_ENDPOINT_URL_IDENTITYSTORE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] as const;
const savedEnv: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};

let server: IdentityStoreTestServer;
let client: IdentitystoreClient;

beforeAll(() => {
  for (const key of ENV_KEYS) savedEnv[key] = process.env[key];
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" });
});

afterAll(() => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
});

async function start(options: IdentityStoreServerOptions = {}): Promise<void> {
  server = await IdentityStoreTestServer.start(options);
  process.env.AWS_ENDPOINT_URL_IDENTITYSTORE = server.endpoint;
  client = createIdentityStoreClient(server.region);
}

afterEach(async () => {
  client.destroy();
  await server.close();
});

const PERSON = personFromAttributes(
  { email: "John.Doe@example.com", emailVerified: "true", givenName: "John", familyName: "Doe" },
  { requireVerifiedEmail: true },
);

function run(
  options: {
    linkedUserId?: string;
    adoptExistingUsers?: boolean;
    enterprise?: ReadonlyMap<EnterpriseAttributeField, string | undefined>;
    budgetMs?: number;
    person?: typeof PERSON;
  } = {},
) {
  const log = new RecordingLog();
  const metrics = new RecordingMetrics<MetricName>();
  const deadline = new Deadline(options.budgetMs ?? 4000);
  const promise = deadline
    .run(
      provisionUser(
        {
          store: new IdentityStore(client, server.identityStoreId),
          deadline,
          log,
          metrics,
          adoptExistingUsers: options.adoptExistingUsers ?? false,
          syncEnterprise: options.enterprise !== undefined,
        },
        desiredUser(options.person ?? PERSON, options.enterprise ?? new Map()),
        options.linkedUserId,
      ),
    )
    .finally(() => deadline.dispose());
  return { promise, log, metrics };
}

function outcomes(): string[] {
  return server.calls.map((call) => `${call.operation}:${call.outcome}`);
}

/** A hand-made IdC user (no ownership mark). */
function handMade(userName: string, email: string): string {
  return server.addUser({
    UserName: userName,
    DisplayName: "John Doe",
    Name: { GivenName: "John", FamilyName: "Doe" },
    Emails: [{ Value: email, Type: "work", Primary: true }],
  });
}

function owned(userName: string, email = userName, extra: Record<string, unknown> = {}): string {
  return server.addUser({
    UserName: userName,
    DisplayName: "John Doe",
    Name: { GivenName: "John", FamilyName: "Doe" },
    Emails: [{ Value: email, Type: "work", Primary: true }],
    UserType: BRIDGE_USER_TYPE,
    ...extra,
  });
}

describe("first sign-in", () => {
  beforeEach(() => start());

  it("creates a new person marked as bridge-owned, with one look-up", async () => {
    const { promise } = run();
    const result = await promise;
    expect(result).toMatchObject({ outcome: "created", isNew: true, userName: "john.doe@example.com" });
    expect(server.users.get(result.userId)).toMatchObject({
      UserName: "john.doe@example.com",
      UserType: BRIDGE_USER_TYPE,
      Emails: [{ Value: "john.doe@example.com", Type: "work", Primary: true }],
    });
    expect(outcomes()).toEqual(["GetUserId:ResourceNotFoundException", "CreateUser:ok"]);
  });

  it("uses the person's existing bridge-owned user", async () => {
    const userId = owned("john.doe@example.com");
    const { promise } = run();
    await expect(promise).resolves.toMatchObject({ userId, outcome: "found", isNew: false });
    expect(outcomes()).toEqual(["GetUserId:ok", "DescribeUser:ok"]);
  });

  it("uses a hand-made user whose UserName is the person's email, without editing it", async () => {
    // Its email differs, so only CreateUser's uniqueness reveals it.
    const userId = handMade("john.doe@example.com", "jd@elsewhere.example");
    const before = structuredClone(server.users.get(userId));
    const { promise } = run();
    await expect(promise).resolves.toMatchObject({ userId, outcome: "conflict-resolved" });
    expect(server.users.get(userId)).toEqual(before);
    expect(server.users.size).toBe(1);
    expect(server.callsOf("UpdateUser")).toHaveLength(0);
  });

  describe.each([
    ["a store with unique emails", { uniqueEmails: true }],
    ["a store without unique emails", { uniqueEmails: false }],
  ])("an existing user under another UserName, in %s", (_label, storeOptions) => {
    beforeEach(async () => {
      client.destroy();
      await server.close();
      await start(storeOptions);
    });

    it("by default denies the sign-in, naming that user's id and the fix, and changes nothing", async () => {
      const userId = handMade("jdoe", "john.doe@example.com");
      const group = server.addGroup();
      server.addMembership(group, userId);
      const before = structuredClone(server.users.get(userId));
      const { promise, log } = run();

      const error = await promise.catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(LoginDeniedError);
      expect(error).toMatchObject({ reason: "adoption-required" });
      expect((error as Error).message).toContain(`user id ${userId}`);
      expect((error as Error).message).toContain("john.doe@example.com");
      expect((error as Error).message).toContain("provisioning.adoptExistingUsers");
      expect((error as Error).message).not.toMatch(/try again/i);
      expect(server.users.size).toBe(1);
      expect(server.users.get(userId)).toEqual(before);
      expect(log.entries.find((entry) => entry.level === "warn")?.attributes).toMatchObject({
        conflictingUserId: userId,
        existingUserName: "jdoe",
      });
    });

    it("with adoptExistingUsers renames it to the email and marks it as adopted, keeping id and memberships", async () => {
      const userId = handMade("jdoe", "john.doe@example.com");
      const group = server.addGroup();
      server.addMembership(group, userId);
      const { promise, metrics, log } = run({ adoptExistingUsers: true });

      await expect(promise).resolves.toMatchObject({
        userId,
        outcome: "adopted",
        userName: "john.doe@example.com",
      });

      expect(server.users.size).toBe(1);
      // A mark of its own: managed by the bridge from now on, but never one it may delete.
      expect(server.users.get(userId)).toMatchObject({
        UserName: "john.doe@example.com",
        UserType: BRIDGE_ADOPTED_USER_TYPE,
      });
      expect(server.groupsOf(userId)).toEqual([group]);
      expect(metrics.total(METRIC_NAMES.UsersAdopted)).toBe(1);
      expect(log.entries).toContainEqual({
        level: "warn",
        message: "Identity Store user adopted",
        attributes: expect.objectContaining({ userId, previousUserName: "jdoe" }),
      });
    });

    it.each(["admin", "break-glass", "idc-oidc-bridge-legacy", " "])(
      "never adopts a user whose UserType is %j (someone else's mark), changing nothing",
      async (userType) => {
        const userId = server.addUser({
          UserName: "jdoe",
          Emails: [{ Value: "john.doe@example.com", Type: "work", Primary: true }],
          UserType: userType,
        });
        const before = structuredClone(server.users.get(userId));
        const { promise, log, metrics } = run({ adoptExistingUsers: true });

        const error = await promise.catch((caught: unknown) => caught);

        expect(error).toMatchObject({ name: "LoginDeniedError", reason: "adoption-refused" });
        expect((error as Error).message).toContain(userId);
        expect(server.users.get(userId)).toEqual(before);
        expect(server.callsOf("UpdateUser")).toHaveLength(0);
        expect(metrics.total(METRIC_NAMES.UsersAdopted)).toBe(0);
        expect(log.entries).toContainEqual(
          expect.objectContaining({
            level: "error",
            attributes: expect.objectContaining({ conflictingUserId: userId, userType }),
          }),
        );
      },
    );
  });

  it("manages an adopted user like its own afterwards (renames it in place), keeping the adopted mark", async () => {
    const userId = owned("john.doe@old-domain.example", "john.doe@old-domain.example", {
      UserType: BRIDGE_ADOPTED_USER_TYPE,
    });
    await expect(run({ linkedUserId: userId }).promise).resolves.toMatchObject({
      userId,
      userName: "john.doe@example.com",
    });
    expect(server.users.get(userId)).toMatchObject({
      UserName: "john.doe@example.com",
      UserType: BRIDGE_ADOPTED_USER_TYPE,
    });
  });

  it("treats a UserName that differs only in case like another UserName (adopt or deny)", async () => {
    const userId = handMade("John.Doe@example.com", "John.Doe@example.com");
    await expect(run().promise).rejects.toMatchObject({ reason: "adoption-required" });
    await expect(run({ adoptExistingUsers: true }).promise).resolves.toMatchObject({
      userId,
      outcome: "adopted",
    });
    expect(server.users.get(userId)?.UserName).toBe("john.doe@example.com");
  });

  it("prefers the user holding the UserName over another one holding only the email", async () => {
    const holder = handMade("john.doe@example.com", "jd@elsewhere.example");
    handMade("jdoe", "john.doe@example.com");
    const { promise, log } = run({ adoptExistingUsers: true });
    await expect(promise).resolves.toMatchObject({ userId: holder, outcome: "found" });
    expect(server.callsOf("UpdateUser")).toHaveLength(0);
    expect(log.entries.map((entry) => entry.message)).toContain(
      "Two IdC users share the person's email; using the one with the person's UserName",
    );
  });
});

describe("conflicts and eventual consistency", () => {
  it("after a ConflictException looks up again until a just-created user becomes visible", async () => {
    await start({ consistencyDelayMs: 400, rateLimit: false });
    server.holdGetUserIdUntil(5);
    const runs = Array.from({ length: 5 }, () => run());

    const results = await Promise.all(runs.map((attempt) => attempt.promise));

    expect(server.users.size).toBe(1);
    expect(new Set(results.map((result) => result.userId)).size).toBe(1);
    expect(results.filter((result) => result.outcome === "created")).toHaveLength(1);
    expect(results.filter((result) => result.outcome === "conflict-resolved")).toHaveLength(4);
    // The losers looked up more than once: the winner's user was invisible for 400 ms.
    expect(server.callsOf("GetUserId").length).toBeGreaterThan(5 + 4 * 2);
  });

  it("gives up with a transient error when the conflicting user never shows (e.g. an email in another case)", async () => {
    await start({ uniqueEmails: true });
    // GetUserId by emails.value matches exactly; the unique-email check does not care about case.
    handMade("someone", "JOHN.DOE@example.com");
    const error = await run({ budgetMs: 3000 }).promise.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictUnresolvedError);
    expect(server.users.size).toBe(1);
  });
});

describe("linked sign-ins (movers)", () => {
  beforeEach(() => start());

  it("costs one DescribeUser when nothing changed", async () => {
    const userId = owned("john.doe@example.com");
    await expect(run({ linkedUserId: userId }).promise).resolves.toMatchObject({ userId, outcome: "found" });
    expect(outcomes()).toEqual(["DescribeUser:ok"]);
  });

  it("renames a bridge-owned user in place when the email changed, keeping id and memberships", async () => {
    const userId = owned("john.doe@old-domain.example");
    const group = server.addGroup();
    server.addMembership(group, userId);
    const { promise, metrics, log } = run({ linkedUserId: userId });

    await expect(promise).resolves.toMatchObject({ userId, userName: "john.doe@example.com" });

    expect(server.users.size).toBe(1);
    expect(server.users.get(userId)).toMatchObject({
      UserName: "john.doe@example.com",
      Emails: [{ Value: "john.doe@example.com", Type: "work", Primary: true }],
    });
    expect(server.groupsOf(userId)).toEqual([group]);
    expect(metrics.total(METRIC_NAMES.UsersRenamed)).toBe(1);
    expect(log.entries).toContainEqual(
      expect.objectContaining({
        message: "Identity Store user renamed",
        attributes: expect.objectContaining({ previousUserName: "john.doe@old-domain.example" }),
      }),
    );
    // A rename first makes sure nobody else holds the new UserName or email.
    expect(outcomes()).toEqual([
      "DescribeUser:ok",
      "GetUserId:ResourceNotFoundException",
      "GetUserId:ResourceNotFoundException",
      "UpdateUser:ok",
    ]);
  });

  it("updates names and enterprise attributes of a bridge-owned user, and removes a cleared one", async () => {
    const userId = owned("john.doe@example.com", "john.doe@example.com", {
      Extensions: { "aws:identitystore:enterprise": { department: "Sales", costCenter: "CC-1" } },
    });
    const person = personFromAttributes(
      { email: "john.doe@example.com", emailVerified: "true", givenName: "Johnny", familyName: "Doe" },
      { requireVerifiedEmail: true },
    );
    const enterprise = new Map<EnterpriseAttributeField, string | undefined>([
      ["department", "Research"],
      ["costCenter", undefined],
    ]);
    const { promise, metrics } = run({ linkedUserId: userId, person, enterprise });

    await expect(promise).resolves.toMatchObject({ userId });

    expect(server.users.get(userId)).toMatchObject({
      DisplayName: "Johnny Doe",
      Name: { GivenName: "Johnny", FamilyName: "Doe" },
      Extensions: { "aws:identitystore:enterprise": { department: "Research" } },
    });
    expect(metrics.total(METRIC_NAMES.UserAttributesUpdated)).toBe(1);
    await expect(run({ linkedUserId: userId, person, enterprise }).promise).resolves.toMatchObject({
      userId,
    });
    expect(server.callsOf("UpdateUser")).toHaveLength(1);
  });

  it("refuses a rename onto another IdC user's UserName, naming both ids (never merges)", async () => {
    const userId = owned("john.doe@old-domain.example");
    const other = handMade("john.doe@example.com", "john.doe@example.com");
    const { promise, log } = run({ linkedUserId: userId });

    const error = await promise.catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: "LoginDeniedError", reason: "user-name-taken" });
    expect((error as Error).message).toContain(userId);
    expect((error as Error).message).toContain(other);
    expect(server.users.get(userId)?.UserName).toBe("john.doe@old-domain.example");
    expect(log.entries).toContainEqual(
      expect.objectContaining({
        level: "error",
        attributes: expect.objectContaining({ userId, conflictingUserId: other }),
      }),
    );
  });

  it("refuses a rename onto an email another IdC user holds (under another UserName), naming both ids; nothing changes", async () => {
    const userId = owned("john.doe@old-domain.example");
    const other = handMade("someone-else", "john.doe@example.com");
    const before = structuredClone([...server.users.values()]);
    const { promise, log, metrics } = run({ linkedUserId: userId });

    const error = await promise.catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: "LoginDeniedError", reason: "email-taken" });
    expect((error as Error).message).toContain(userId);
    expect((error as Error).message).toContain(other);
    expect([...server.users.values()]).toEqual(before);
    expect(server.callsOf("UpdateUser")).toHaveLength(0);
    expect(metrics.total(METRIC_NAMES.UsersRenamed)).toBe(0);
    expect(log.entries).toContainEqual(
      expect.objectContaining({
        level: "error",
        attributes: expect.objectContaining({ userId, conflictingUserId: other, heldAs: "emails.value" }),
      }),
    );
  });

  it("never edits a linked user without the ownership mark (adoption rules apply)", async () => {
    const userId = handMade("john.doe@old-domain.example", "john.doe@old-domain.example");
    const before = structuredClone(server.users.get(userId));
    await expect(run({ linkedUserId: userId }).promise).rejects.toMatchObject({
      reason: "adoption-required",
    });
    expect(server.users.get(userId)).toEqual(before);
    // Names differ too, but a user the bridge does not own is used as it is when its UserName matches.
    const matching = handMade("john.doe@example.com", "john.doe@example.com");
    server.users.set(matching, { ...server.users.get(matching)!, DisplayName: "Someone Else" });
    await expect(run({ linkedUserId: matching }).promise).resolves.toMatchObject({ userId: matching });
    expect(server.callsOf("UpdateUser")).toHaveLength(0);
  });

  it("provisions afresh when the linked user no longer exists", async () => {
    const { promise, metrics } = run({ linkedUserId: "9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b" });
    const result = await promise;
    expect(result).toMatchObject({ outcome: "created" });
    expect(metrics.total(METRIC_NAMES.LinkedUsersMissing)).toBe(1);
    expect(outcomes()).toEqual([
      "DescribeUser:ResourceNotFoundException",
      "GetUserId:ResourceNotFoundException",
      "CreateUser:ok",
    ]);
  });
});
