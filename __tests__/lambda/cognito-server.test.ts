/**
 * The Cognito test server against the real SDK: errors map to the SDK's exception classes and the rules
 * of AdminUpdateUserAttributes (Cognito user pools API reference) hold.
 */
import {
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  InvalidParameterException,
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
  });
});
