/**
 * The Identity Store operations of the JIT Lambda against the strict test server (real AWS JSON protocol):
 * what each call sends and how each documented error is read.
 */
import { Readable } from "node:stream";
import { IdentitystoreClient } from "@aws-sdk/client-identitystore";
import { IdentityStoreTestServer } from "../../__tests__/lambda/identity-store-server";
import { errorKind } from "../shared/error-kind";
import { clientSettings, createIdentityStoreClient } from "../shared/identity-store-client";
import { DEFAULT_RETRY_OPTIONS } from "../shared/retry-strategy";
import { describeError } from "../shared/telemetry";
import { BRIDGE_USER_TYPE } from "./contract";
import { type DesiredUser, IdentityStore } from "./identity-store";

const ENV_KEYS = ["AWS_ENDPOINT_URL_IDENTITYSTORE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] as const;
const savedEnv: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};

let server: IdentityStoreTestServer;
let client: IdentitystoreClient;
let store: IdentityStore;

const ada: DesiredUser = {
  userName: "ada@example.com",
  email: "ada@example.com",
  displayName: "Ada Lovelace",
  givenName: "Ada",
  familyName: "Lovelace",
  enterprise: new Map([
    ["department", "Research"],
    ["costCenter", undefined],
  ]),
};

const never = (): AbortSignal => new AbortController().signal;

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

beforeEach(async () => {
  server = await IdentityStoreTestServer.start();
  process.env.AWS_ENDPOINT_URL_IDENTITYSTORE = server.endpoint;
  client = createIdentityStoreClient(server.region);
  store = new IdentityStore(client, server.identityStoreId);
});

afterEach(async () => {
  client.destroy();
  await server.close();
});

describe("IdentityStore", () => {
  it("creates a user with the ownership mark and the enterprise values it has, then reads it back", async () => {
    const created = await store.createUser(ada, BRIDGE_USER_TYPE, never());
    expect(created.kind).toBe("created");
    const userId = (created as { userId: string }).userId;
    expect(server.users.get(userId)).toEqual({
      UserId: userId,
      UserName: "ada@example.com",
      DisplayName: "Ada Lovelace",
      Name: { GivenName: "Ada", FamilyName: "Lovelace" },
      Emails: [{ Value: "ada@example.com", Type: "work", Primary: true }],
      UserType: BRIDGE_USER_TYPE,
      Extensions: { "aws:identitystore:enterprise": { department: "Research" } },
    });
    await expect(store.describeUser(userId, never(), { enterprise: true })).resolves.toEqual({
      userId,
      userName: "ada@example.com",
      displayName: "Ada Lovelace",
      givenName: "Ada",
      familyName: "Lovelace",
      email: "ada@example.com",
      userType: BRIDGE_USER_TYPE,
      enterprise: { department: "Research" },
    });
    await expect(store.describeUser(userId, never(), { enterprise: false })).resolves.toMatchObject({
      enterprise: {},
    });
    await expect(store.createUser(ada, BRIDGE_USER_TYPE, never())).resolves.toEqual({ kind: "conflict" });
  });

  it("looks users up by userName and by emails.value; nobody is undefined, a missing store an error", async () => {
    const userId = server.addUser({
      UserName: "jdoe",
      Emails: [{ Value: "ada@example.com", Primary: true }],
    });
    await expect(store.findUserId("userName", "jdoe", never())).resolves.toBe(userId);
    await expect(store.findUserId("emails.value", "ada@example.com", never())).resolves.toBe(userId);
    await expect(store.findUserId("userName", "ada@example.com", never())).resolves.toBeUndefined();
    const elsewhere = new IdentityStore(client, "d-0000000000");
    await expect(elsewhere.findUserId("userName", "jdoe", never())).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      ResourceType: "IDENTITY_STORE",
    });
    await expect(
      store.describeUser("9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b", never(), { enterprise: false }),
    ).resolves.toBeUndefined();
  });

  it("updates with camelCase paths, removing attributes without a value, and reports conflict and absence", async () => {
    const userId = server.addUser({
      UserName: "jdoe",
      Extensions: { "aws:identitystore:enterprise": { costCenter: "1" } },
    });
    server.addUser({ UserName: "taken@example.com" });
    await expect(
      store.updateUser(
        userId,
        [
          { path: "userName", value: "ada@example.com" },
          { path: "aws:identitystore:enterprise.costCenter" },
          { path: "userType", value: BRIDGE_USER_TYPE },
        ],
        never(),
      ),
    ).resolves.toBe("updated");
    expect(server.users.get(userId)).toMatchObject({
      UserName: "ada@example.com",
      UserType: BRIDGE_USER_TYPE,
    });
    expect(server.users.get(userId)?.Extensions).toBeUndefined();
    await expect(
      store.updateUser(userId, [{ path: "userName", value: "TAKEN@example.com" }], never()),
    ).resolves.toBe("conflict");
    await expect(
      store.updateUser("9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b", [{ path: "title", value: "x" }], never()),
    ).resolves.toBe("not-found");
  });

  it("lists memberships across pages and changes them idempotently; a deleted group is group-missing", async () => {
    const userId = server.addUser({ UserName: "ada@example.com" });
    const groups = [server.addGroup(), server.addGroup(), server.addGroup()];
    const memberships = groups.map((group) => server.addMembership(group, userId));
    server.membershipPageSize = 1;

    const listed = await store.listGroupMemberships(userId, never());
    expect(listed.map((membership) => membership.membershipId).sort()).toEqual([...memberships].sort());
    expect(server.callsOf("ListGroupMembershipsForMember")).toHaveLength(3);

    await expect(store.addGroupMembership(groups[0], userId, never())).resolves.toBe("already-member");
    await expect(store.removeGroupMembership(memberships[0], never())).resolves.toBe("removed");
    await expect(store.removeGroupMembership(memberships[0], never())).resolves.toBe("already-removed");
    await expect(store.addGroupMembership(groups[0], userId, never())).resolves.toBe("added");
    server.deleteGroup(groups[1]);
    await expect(store.addGroupMembership(groups[1], userId, never())).resolves.toBe("group-missing");
  });

  it("surfaces a membership of a user that does not exist as an error", async () => {
    const group = server.addGroup();
    await expect(
      store.addGroupMembership(group, "9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b", never()),
    ).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      ResourceType: "USER",
    });
  });
});

/**
 * AWS's error shapes, answered over HTTP exactly as the Identity Store sends them (AWS JSON 1.1: status,
 * `x-amzn-ErrorType`, a body with `__type`, `Message` and the exception's members), so the real SDK parses them
 * into its own exception classes and its retry middleware runs the bridge's retry strategy. Members per the
 * Identity Store API reference: ConflictException.Reason (CONCURRENT_MODIFICATION |
 * UNIQUENESS_CONSTRAINT_VIOLATION), ResourceNotFoundException.ResourceType / Reason (KMS_KEY_NOT_FOUND),
 * AccessDeniedException.Reason (KMS_ACCESS_DENIED), ValidationException.Reason (KMS_DISABLED, …).
 */
describe("IdentityStore reading AWS's error shapes", () => {
  const MAX_ATTEMPTS = 4;
  type Answer = { readonly status: number; readonly type?: string; readonly body?: Record<string, unknown> };
  let sent: string[];

  function storeAnswering(...answers: Answer[]): IdentityStore {
    const scripted = [...answers];
    sent = [];
    const scriptedClient = new IdentitystoreClient({
      region: "eu-west-1",
      credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret" },
      ...clientSettings({ retry: { ...DEFAULT_RETRY_OPTIONS, maxAttempts: MAX_ATTEMPTS, random: () => 0 } }),
      requestHandler: {
        handle: async (request: { headers: Record<string, string> }) => {
          sent.push(request.headers["x-amz-target"]);
          const answer = scripted.shift() ?? { status: 200 };
          const body =
            answer.type === undefined ? (answer.body ?? {}) : { __type: answer.type, ...answer.body };
          return {
            response: {
              statusCode: answer.status,
              headers: {
                "content-type": "application/x-amz-json-1.1",
                ...(answer.type === undefined ? {} : { "x-amzn-errortype": answer.type }),
              },
              body: Readable.from([Buffer.from(JSON.stringify(body))]),
            },
          };
        },
      } as never,
    });
    return new IdentityStore(scriptedClient, "d-1234567890");
  }

  const concurrentModification: Answer = {
    status: 409,
    type: "ConflictException",
    body: { Message: "Concurrent modification", Reason: "CONCURRENT_MODIFICATION" },
  };
  const userId = "9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b";

  it("retries a CONCURRENT_MODIFICATION conflict to success: never read as a uniqueness conflict", async () => {
    const retried = storeAnswering(concurrentModification, concurrentModification, { status: 200 });
    await expect(retried.updateUser(userId, [{ path: "displayName", value: "Ada" }], never())).resolves.toBe(
      "updated",
    );
    expect(sent).toEqual(new Array(3).fill("AWSIdentityStore.UpdateUser"));

    const created = storeAnswering(concurrentModification, { status: 200, body: { UserId: userId } });
    await expect(created.createUser(ada, BRIDGE_USER_TYPE, never())).resolves.toEqual({
      kind: "created",
      userId,
    });
    const member = storeAnswering(concurrentModification, { status: 200, body: { MembershipId: "m-1" } });
    await expect(member.addGroupMembership(userId, userId, never())).resolves.toBe("added");
  });

  it("fails with the conflict (transient), never 'conflict', when CONCURRENT_MODIFICATION persists", async () => {
    const persistent = storeAnswering(...new Array<Answer>(10).fill(concurrentModification));
    const error: unknown = await persistent
      .updateUser(userId, [{ path: "userName", value: "ada@example.com" }], never())
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toMatchObject({ name: "ConflictException", Reason: "CONCURRENT_MODIFICATION" });
    expect(sent).toHaveLength(MAX_ATTEMPTS);
    expect(errorKind(error)).toBe("transient");
  });

  it("reads a uniqueness conflict (Reason UNIQUENESS_CONSTRAINT_VIOLATION) as a conflict at once", async () => {
    const taken = storeAnswering({
      status: 409,
      type: "ConflictException",
      body: { Message: "Duplicate UserName", Reason: "UNIQUENESS_CONSTRAINT_VIOLATION" },
    });
    await expect(taken.createUser(ada, BRIDGE_USER_TYPE, never())).resolves.toEqual({ kind: "conflict" });
    expect(sent).toHaveLength(1);
  });

  it.each([
    ["a missing IDENTITY_STORE", { ResourceType: "IDENTITY_STORE", ResourceId: "d-1234567890" }],
    ["a missing GROUP", { ResourceType: "GROUP", ResourceId: userId }],
    ["the store's KMS key (Reason KMS_KEY_NOT_FOUND)", { ResourceType: "USER", Reason: "KMS_KEY_NOT_FOUND" }],
    ["no ResourceType at all", {}],
  ])("never reads a ResourceNotFoundException about %s as 'user gone'", async (_label, members) => {
    const answer: Answer = {
      status: 404,
      type: "ResourceNotFoundException",
      body: { Message: "Not found", ...members },
    };
    await expect(
      storeAnswering(answer).describeUser(userId, never(), { enterprise: false }),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    await expect(
      storeAnswering(answer).findUserId("userName", "ada@example.com", never()),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    await expect(
      storeAnswering(answer).updateUser(userId, [{ path: "displayName", value: "Ada" }], never()),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("reads a missing USER as gone, and a missing GROUP only where a group was looked up", async () => {
    const userGone: Answer = {
      status: 404,
      type: "ResourceNotFoundException",
      body: { Message: "USER not found.", ResourceType: "USER", ResourceId: userId },
    };
    await expect(
      storeAnswering(userGone).describeUser(userId, never(), { enterprise: false }),
    ).resolves.toBeUndefined();
    // A membership of a user deleted meanwhile is an error, not a missing group.
    await expect(storeAnswering(userGone).addGroupMembership(userId, userId, never())).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      ResourceType: "USER",
    });
    const groupGone: Answer = {
      status: 404,
      type: "ResourceNotFoundException",
      body: { Message: "GROUP not found.", ResourceType: "GROUP", ResourceId: userId },
    };
    await expect(storeAnswering(groupGone).addGroupMembership(userId, userId, never())).resolves.toBe(
      "group-missing",
    );
  });

  it.each([
    [403, "AccessDeniedException", "KMS_ACCESS_DENIED"],
    [400, "ValidationException", "KMS_DISABLED"],
    [400, "ValidationException", "KMS_INVALID_STATE"],
    [404, "ResourceNotFoundException", "KMS_KEY_NOT_FOUND"],
  ])(
    "surfaces a KMS failure of the store (%i %s %s) as a permanent error, logged with its Reason",
    async (status, type, reason) => {
      const failing = storeAnswering({ status, type, body: { Message: "KMS", Reason: reason } });
      const error: unknown = await failing.describeUser(userId, never(), { enterprise: false }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toMatchObject({ name: type, Reason: reason });
      expect(sent).toHaveLength(1);
      expect(describeError(error)).toMatchObject({ errorName: type, Reason: reason, errorKind: "permanent" });
    },
  );
});
