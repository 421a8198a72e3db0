/**
 * The Identity Store client and operations against a local server speaking the real AWS JSON
 * protocol: timeouts that throw, bounded retries, abort signals, the endpoint override.
 */
import type { IdentitystoreClient } from "@aws-sdk/client-identitystore";
import { IdentityStoreTestServer } from "../../__tests__/lambda/identity-store-server";
import { createIdentityStoreClient } from "../shared/identity-store-client";
import { IdentityStore, resolveUser } from "./identity-store";
import type { Person } from "./person";

const ENV_KEYS = [
  "AWS_ENDPOINT_URL_IDENTITYSTORE",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
] as const;

const person: Person = {
  userName: "ada@example.com",
  names: { givenName: "Ada", familyName: "Lovelace", displayName: "Ada Lovelace" },
};

let server: IdentityStoreTestServer;
let client: IdentitystoreClient;
const savedEnv: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};

/** Fails fast instead of waiting for jest's timeout if something never settles. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/** A client configured like the Lambda's: endpoint and (fake) credentials from the environment. */
function makeClient(timeouts?: {
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
}): IdentitystoreClient {
  process.env.AWS_ENDPOINT_URL_IDENTITYSTORE = server.endpoint;
  return createIdentityStoreClient(server.region, timeouts);
}

beforeAll(() => {
  for (const key of ENV_KEYS) savedEnv[key] = process.env[key];
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "secret",
    AWS_SESSION_TOKEN: "token",
  });
});

afterAll(() => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
});

const never = (): AbortSignal => new AbortController().signal;

beforeEach(async () => {
  server = await IdentityStoreTestServer.start();
});

afterEach(async () => {
  client?.destroy();
  await server.close();
});

describe("createIdentityStoreClient", () => {
  it("talks to the endpoint from AWS_ENDPOINT_URL_IDENTITYSTORE, signing for the Identity Store region", async () => {
    client = makeClient();
    const store = new IdentityStore(client, server.identityStoreId);
    const id = server.addUser({ UserName: "ada@example.com" });
    await expect(store.findUserId("ada@example.com", never())).resolves.toBe(id);
    expect(server.calls).toEqual([
      expect.objectContaining({ operation: "GetUserId", signedRegion: "eu-west-1", outcome: "ok" }),
    ]);
  });

  it("makes a request timeout throw (throwOnRequestTimeout) and retries it a bounded number of times", async () => {
    client = makeClient({ connectionTimeoutMs: 1000, requestTimeoutMs: 100 });
    server.hang("GetUserId");
    const store = new IdentityStore(client, server.identityStoreId);

    const error = await within(store.findUserId("ada@example.com", never()), 5000).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: "TimeoutError", $metadata: { attempts: 3 } });
    expect(server.callsOf("GetUserId")).toHaveLength(3);
  });

  it("retries ThrottlingException with backoff, then succeeds", async () => {
    client = makeClient();
    server.throttleNext(2);
    const latencies: number[] = [];
    const observed = new IdentityStore(client, server.identityStoreId, (_op, ms) => latencies.push(ms));

    await expect(resolveUser(observed, person, never())).resolves.toMatchObject({ outcome: "created" });
    expect(server.calls.map((call) => `${call.operation}:${call.outcome}`)).toEqual([
      "GetUserId:ThrottlingException",
      "GetUserId:ThrottlingException",
      "GetUserId:ResourceNotFoundException",
      "CreateUser:ok",
    ]);
    // One latency sample per API call, retries included.
    expect(latencies).toHaveLength(2);
  });

  it("gives up after three throttled attempts", async () => {
    client = makeClient();
    server.throttleNext(10);
    const store = new IdentityStore(client, server.identityStoreId);
    await expect(store.findUserId("ada@example.com", never())).rejects.toMatchObject({
      name: "ThrottlingException",
      $metadata: { attempts: 3 },
    });
    expect(server.callsOf("GetUserId")).toHaveLength(3);
  });

  it("aborts an in-flight call when the signal fires", async () => {
    client = makeClient();
    server.hang();
    const store = new IdentityStore(client, server.identityStoreId);
    const controller = new AbortController();
    const call = store.findUserId("ada@example.com", controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(within(call, 2000)).rejects.toMatchObject({ name: "AbortError" });
    expect(server.callsOf("GetUserId")).toHaveLength(1);
  });
});

describe("IdentityStore operations", () => {
  beforeEach(() => {
    client = makeClient();
  });

  it("resolveUser: creates, then finds, then resolves a conflict", async () => {
    const store = new IdentityStore(client, server.identityStoreId);
    const created = await resolveUser(store, person, never());
    expect(created.outcome).toBe("created");
    expect(server.userByName("ada@example.com")).toEqual({
      UserId: created.userId,
      UserName: "ada@example.com",
      DisplayName: "Ada Lovelace",
      Name: { GivenName: "Ada", FamilyName: "Lovelace" },
      Emails: [{ Value: "ada@example.com", Type: "work", Primary: true }],
    });
    await expect(resolveUser(store, person, never())).resolves.toEqual({
      userId: created.userId,
      outcome: "found",
    });

    const grace: Person = { ...person, userName: "grace@example.com" };
    // GetUserId (not found) → another sign-in creates the user → CreateUser conflicts → GetUserId finds it.
    server.before("CreateUser", () =>
      server.addUser({ UserId: "raced-user-id", UserName: "grace@example.com" }),
    );
    await expect(resolveUser(store, grace, never())).resolves.toEqual({
      userId: "raced-user-id",
      outcome: "conflict-resolved",
    });
  });

  it("lists memberships across pages and changes them idempotently", async () => {
    const store = new IdentityStore(client, server.identityStoreId);
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
  });

  it("surfaces other errors (e.g. a group that does not exist)", async () => {
    const store = new IdentityStore(client, server.identityStoreId);
    const userId = server.addUser({ UserName: "ada@example.com" });
    await expect(
      store.addGroupMembership("9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b", userId, never()),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException", ResourceType: "GROUP" });
  });
});
