/**
 * The Cognito test server is as strict as the API reference (AdminGetUser, ListUsers), and the real SDK
 * maps its errors to the service's exception classes.
 */
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  InvalidParameterException,
  ListUsersCommand,
  ResourceNotFoundException,
  UserNotFoundException,
} from "@aws-sdk/client-cognito-identity-provider";
import { CognitoTestServer } from "../helpers/cognito-server";

let server: CognitoTestServer;
let client: CognitoIdentityProviderClient;

beforeEach(async () => {
  server = await CognitoTestServer.start();
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

const list = (input: Partial<ConstructorParameters<typeof ListUsersCommand>[0]> = {}) =>
  client.send(new ListUsersCommand({ UserPoolId: server.userPoolId, ...input }));

describe("AdminGetUser", () => {
  it("finds a user by user name or email alias, in any case, with Enabled and attributes", async () => {
    const user = server.addUser({ email: "Ada@acme.example", attributes: { "custom:idc_user_id": "u-1" } });
    server.disable(user.Username);
    for (const name of [user.Username, "ada@ACME.example"]) {
      const output = await client.send(
        new AdminGetUserCommand({ UserPoolId: server.userPoolId, Username: name }),
      );
      expect(output.Username).toBe(user.Username);
      expect(output.Enabled).toBe(false);
      expect(output.UserAttributes).toContainEqual({ Name: "custom:idc_user_id", Value: "u-1" });
    }
  });

  it("UserNotFoundException for an unknown user; ResourceNotFoundException for another pool; invalid input", async () => {
    await expect(
      client.send(new AdminGetUserCommand({ UserPoolId: server.userPoolId, Username: "nobody" })),
    ).rejects.toBeInstanceOf(UserNotFoundException);
    await expect(
      client.send(new AdminGetUserCommand({ UserPoolId: "eu-west-1_Other", Username: "x" })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
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
    for (let i = 0; i < 7; i += 1) server.addUser({ email: `u${i}@acme.example` });
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
    server.addUser({ email: "ada@acme.example", attributes: { given_name: "Ada" } });
    const bob = server.addUser({ email: "bob@acme.example", attributes: { given_name: "Bob" } });
    server.disable(bob.Username);
    expect((await list({ Filter: 'email = "ada@acme.example"' })).Users).toHaveLength(1);
    expect((await list({ Filter: 'given_name ^= "B"' })).Users!.map((u) => u.Username)).toEqual([
      bob.Username,
    ]);
    expect((await list({ Filter: 'status = "Disabled"' })).Users!.map((u) => u.Username)).toEqual([
      bob.Username,
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
    server.addUser({ email: "ada@acme.example", attributes: { "custom:idc_user_id": "u-1" } });
    expect((await list({ AttributesToGet: ["custom:idc_user_id"] })).Users![0]!.Attributes).toEqual([
      { Name: "custom:idc_user_id", Value: "u-1" },
    ]);
    server.addUser({ email: "bob@acme.example" });
    await expect(list({ AttributesToGet: ["custom:idc_user_id"] })).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });
});
