/**
 * The Cognito test server against the real SDK: errors map to the SDK's exception classes and the rules
 * of the Cognito user pools API reference hold for the operations of both Lambdas (the JIT Lambda's
 * AdminUpdateUserAttributes and AdminGetUser, the deprovisioner's AdminGetUser and ListUsers).
 */
import {
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  InvalidParameterException,
  ListUsersCommand,
  ResourceNotFoundException,
  TooManyRequestsException,
  UserNotFoundException,
} from "@aws-sdk/client-cognito-identity-provider";
import { CognitoTestServer } from "./cognito-server";

const POOL = "us-east-1_AbCdEfGhI";
let server: CognitoTestServer;
let client: CognitoIdentityProviderClient;

beforeEach(async () => {
  server = await CognitoTestServer.start();
  server.addPool(POOL, [
    { name: "idc_user_id", maxLength: 47 },
    { name: "idc_last_sign_in", maxLength: 10 },
    { name: "frozen", mutable: false },
  ]);
  server.addUser(POOL, "google_1234567890", { email: "ada@example.com" });
  client = new CognitoIdentityProviderClient({
    region: server.region,
    endpoint: server.endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret" },
  });
});

afterEach(async () => {
  client.destroy();
  await server.close();
});

const update = (
  attributes: Array<{ Name: string; Value?: string }>,
  username = "google_1234567890",
  pool = POOL,
) =>
  new AdminUpdateUserAttributesCommand({ UserPoolId: pool, Username: username, UserAttributes: attributes });

describe("CognitoTestServer", () => {
  it("writes custom attributes of a user (any case of the username) and reads them back", async () => {
    await client.send(
      update(
        [{ Name: "custom:idc_user_id", Value: "9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b" }],
        "Google_1234567890",
      ),
    );
    expect(server.attributesOf(POOL, "google_1234567890")).toEqual({
      email: "ada@example.com",
      "custom:idc_user_id": "9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b",
    });
    const user = await client.send(
      new AdminGetUserCommand({ UserPoolId: POOL, Username: "google_1234567890" }),
    );
    expect(user.UserAttributes).toContainEqual({
      Name: "custom:idc_user_id",
      Value: "9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b",
    });
  });

  it.each([
    [
      "an attribute not in the schema",
      [{ Name: "custom:nope", Value: "x" }],
      "Attribute does not exist in the schema.",
    ],
    [
      "a value over the attribute's MaxLength",
      [{ Name: "custom:idc_last_sign_in", Value: "2026-01-01T00:00:00Z" }],
      "String attribute length",
    ],
    ["sub", [{ Name: "sub", Value: "x" }], "Attribute cannot be updated."],
  ])("refuses %s with InvalidParameterException, changing nothing", async (_label, attributes, message) => {
    const error = await client.send(update(attributes)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(String((error as Error).message)).toContain(message);
    expect(server.attributesOf(POOL, "google_1234567890")).toEqual({ email: "ada@example.com" });
  });

  it("refuses to change an immutable attribute once set", async () => {
    await client.send(update([{ Name: "custom:frozen", Value: "a" }]));
    await expect(client.send(update([{ Name: "custom:frozen", Value: "b" }]))).rejects.toThrow("immutable");
  });

  it("answers ResourceNotFoundException for another pool and UserNotFoundException for an unknown user", async () => {
    await expect(
      client.send(update([{ Name: "email", Value: "x" }], "google_1", "us-east-1_Other")),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(update([{ Name: "email", Value: "x" }], "nobody"))).rejects.toBeInstanceOf(
      UserNotFoundException,
    );
  });

  it("validates the pool id and username formats (UserPoolIdType, UsernameType)", async () => {
    await expect(
      client.send(update([{ Name: "email", Value: "x" }], "google_1", "not a pool")),
    ).rejects.toThrow(/'userPoolId' failed to satisfy constraint/);
    await expect(client.send(update([{ Name: "email", Value: "x" }], "has space"))).rejects.toThrow(
      /'username' failed to satisfy constraint/,
    );
    await expect(client.send(update([{ Name: "email", Value: "x" }], "has space"))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });

  it("throttles AdminUpdateUserAttributes beyond 25 requests/s (UserUpdate) with TooManyRequestsException", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 35 }, () =>
        client.send(update([{ Name: "custom:idc_last_sign_in", Value: "2026-01-01" }])),
      ),
    );
    const throttled = results.filter(
      (result) => result.status === "rejected" && result.reason instanceof TooManyRequestsException,
    );
    expect(throttled.length).toBeGreaterThanOrEqual(5);
    expect(35 - throttled.length).toBeGreaterThanOrEqual(25);
    // The service model's status code for TooManyRequestsException.
    expect(throttled[0]).toMatchObject({ reason: { $metadata: { httpStatusCode: 429 } } });
  });
});

const list = (input: Partial<ConstructorParameters<typeof ListUsersCommand>[0]> = {}) =>
  client.send(new ListUsersCommand({ UserPoolId: server.userPoolId, ...input }));

describe("AdminGetUser", () => {
  it("finds a user by user name or email alias, in any case, with Enabled and attributes", async () => {
    const user = server.createUser({
      email: "Ada@acme.example",
      attributes: { "custom:idc_user_id": "u-1" },
    });
    server.disable(user.username);
    for (const name of [user.username, "ada@ACME.example"]) {
      const output = await client.send(
        new AdminGetUserCommand({ UserPoolId: server.userPoolId, Username: name }),
      );
      expect(output.Username).toBe(user.username);
      expect(output.Enabled).toBe(false);
      expect(output.UserAttributes).toContainEqual({ Name: "custom:idc_user_id", Value: "u-1" });
    }
  });

  it("UserNotFoundException for an unknown user; ResourceNotFoundException for another pool; invalid input", async () => {
    await expect(
      client.send(new AdminGetUserCommand({ UserPoolId: server.userPoolId, Username: "nobody" })),
    ).rejects.toMatchObject({ name: "UserNotFoundException", $metadata: { httpStatusCode: 404 } });
    await expect(
      client.send(new AdminGetUserCommand({ UserPoolId: "eu-west-1_Other", Username: "x" })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException", $metadata: { httpStatusCode: 404 } });
    await expect(
      client.send(new AdminGetUserCommand({ UserPoolId: "not a pool", Username: "x" })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      client.send(new AdminGetUserCommand({ UserPoolId: server.userPoolId, Username: "two words" })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });
});

describe("ListUsers", () => {
  it("pages with tokens it issued, for the same request only; Limit 0-60", async () => {
    for (let i = 0; i < 7; i += 1) server.createUser({ email: `u${i}@acme.example` });
    const first = await list({ Limit: 3 });
    expect(first.Users).toHaveLength(3);
    const second = await list({ Limit: 3, PaginationToken: first.PaginationToken });
    const third = await list({ Limit: 3, PaginationToken: second.PaginationToken });
    expect(third.Users).toHaveLength(1);
    expect(third.PaginationToken).toBeUndefined();
    const names = [...first.Users!, ...second.Users!, ...third.Users!].map((u) => u.Username);
    expect(new Set(names).size).toBe(7);

    await expect(list({ Limit: 3, PaginationToken: "made-up" })).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await expect(list({ Limit: 4, PaginationToken: first.PaginationToken })).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await expect(list({ Limit: 61 })).rejects.toBeInstanceOf(InvalidParameterException);
    expect((await list()).Users).toHaveLength(7);
  });

  it('filters with AttributeName = or ^= "value" on searchable attributes only', async () => {
    server.createUser({ email: "ada@acme.example", attributes: { given_name: "Ada" } });
    const bob = server.createUser({ email: "bob@acme.example", attributes: { given_name: "Bob" } });
    server.disable(bob.username);
    expect((await list({ Filter: 'email = "ada@acme.example"' })).Users).toHaveLength(1);
    // Only username and cognito:user_status are case-sensitive (API_ListUsers, Filter).
    expect((await list({ Filter: 'email ^= "ADA@Acme"' })).Users).toHaveLength(1);
    expect((await list({ Filter: `username = "${bob.username.toUpperCase()}"` })).Users).toHaveLength(0);
    expect((await list({ Filter: `username = "${bob.username}"` })).Users).toHaveLength(1);
    expect((await list({ Filter: 'given_name ^= "B"' })).Users!.map((u) => u.Username)).toEqual([
      bob.username,
    ]);
    expect((await list({ Filter: 'status = "Disabled"' })).Users!.map((u) => u.Username)).toEqual([
      bob.username,
    ]);
    for (const filter of [
      'custom:idc_user_id = "x"',
      "email = ada",
      'email == "x"',
      `email = "${"a".repeat(260)}"`,
    ]) {
      await expect(list({ Filter: filter })).rejects.toBeInstanceOf(InvalidParameterException);
    }
  });

  it("AttributesToGet with a custom attribute fails unless every user in the results has it", async () => {
    server.createUser({ email: "ada@acme.example", attributes: { "custom:idc_user_id": "u-1" } });
    expect((await list({ AttributesToGet: ["custom:idc_user_id"] })).Users![0]!.Attributes).toEqual([
      { Name: "custom:idc_user_id", Value: "u-1" },
    ]);
    server.createUser({ email: "bob@acme.example" });
    await expect(list({ AttributesToGet: ["custom:idc_user_id"] })).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });
});
