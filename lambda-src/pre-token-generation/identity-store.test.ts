/**
 * The Identity Store operations of the JIT Lambda against the strict test server (real AWS JSON protocol):
 * what each call sends and how each documented error is read.
 */
import type { IdentitystoreClient } from "@aws-sdk/client-identitystore";
import { IdentityStoreTestServer } from "../../__tests__/lambda/identity-store-server";
import { createIdentityStoreClient } from "../shared/identity-store-client";
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
