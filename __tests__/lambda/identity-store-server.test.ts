/**
 * The test Identity Store speaks the AWS JSON 1.1 protocol closely enough for the real SDK to map its
 * errors to the service's exception classes, and enforces the rules of the Identity Store API reference
 * (https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/): the constraints below are
 * quoted from it (and from the service model, identitystore 2020-06-15).
 */
import {
  AccessDeniedException,
  ConflictException,
  CreateGroupMembershipCommand,
  type CreateUserCommandInput,
  CreateUserCommand,
  DeleteGroupMembershipCommand,
  DeleteUserCommand,
  DescribeUserCommand,
  GetUserIdCommand,
  IdentitystoreClient,
  InternalServerException,
  ListGroupMembershipsForMemberCommand,
  ListUsersCommand,
  paginateListGroupMembershipsForMember,
  paginateListUsers,
  ResourceNotFoundException,
  ThrottlingException,
  UpdateUserCommand,
  ValidationException,
} from "@aws-sdk/client-identitystore";
import { request } from "node:http";
import { ServiceError } from "./aws-json-server";
import {
  ENTERPRISE_EXTENSION,
  IdentityStoreTestServer,
  type IdentityStoreServerOptions,
} from "./identity-store-server";

let server: IdentityStoreTestServer;
let client: IdentitystoreClient;
/** A well-formed user id nobody has. */
const USER_ID = "9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b";

async function start(options: IdentityStoreServerOptions = {}): Promise<void> {
  server = await IdentityStoreTestServer.start(options);
  client = new IdentitystoreClient({
    region: server.region,
    endpoint: server.endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret" },
  });
}

beforeEach(() => start());

afterEach(async () => {
  client.destroy();
  await server.close();
});

function userInput(
  userName: string,
  overrides: Partial<CreateUserCommandInput> = {},
): CreateUserCommandInput {
  return {
    IdentityStoreId: server.identityStoreId,
    UserName: userName,
    DisplayName: "Ada Lovelace",
    Name: { GivenName: "Ada", FamilyName: "Lovelace" },
    Emails: [{ Value: userName, Type: "work", Primary: true }],
    ...overrides,
  };
}

const createUser = (userName: string, overrides: Partial<CreateUserCommandInput> = {}) =>
  new CreateUserCommand(userInput(userName, overrides));

const getUserId = (value: string, path = "userName") =>
  new GetUserIdCommand({
    IdentityStoreId: server.identityStoreId,
    AlternateIdentifier: { UniqueAttribute: { AttributePath: path, AttributeValue: value } },
  });

const update = (userId: string, operations: Array<{ AttributePath: string; AttributeValue?: unknown }>) =>
  new UpdateUserCommand({
    IdentityStoreId: server.identityStoreId,
    UserId: userId,
    Operations: operations as never,
  });

const describe_ = (userId: string, extensions?: string[]) =>
  new DescribeUserCommand({
    IdentityStoreId: server.identityStoreId,
    UserId: userId,
    Extensions: extensions,
  });

async function failure(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (error === undefined) throw new Error("expected the call to fail");
  return error as Record<string, unknown>;
}

describe("protocol", () => {
  it("maps errors to the SDK's exception classes", async () => {
    await expect(client.send(getUserId("ada@example.com"))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const { UserId } = await client.send(createUser("ada@example.com"));
    await expect(client.send(getUserId("ada@example.com"))).resolves.toMatchObject({ UserId });
    const conflict = await failure(client.send(createUser("ada@example.com")));
    expect(conflict).toBeInstanceOf(ConflictException);
    expect(conflict).toMatchObject({
      Reason: "UNIQUENESS_CONSTRAINT_VIOLATION",
      $metadata: { httpStatusCode: 409 },
    });
    server.throttleNext(1);
    await expect(client.send(getUserId("ada@example.com"))).rejects.toBeInstanceOf(ThrottlingException);
    await expect(client.send(createUser("has space@example.com"))).rejects.toBeInstanceOf(
      ValidationException,
    );
  });

  it("answers in the AWS JSON 1.1 wire format", async () => {
    const response = await new Promise<{ status?: number; headers: Record<string, unknown>; body: string }>(
      (resolve, reject) => {
        const req = request(
          `${server.endpoint}/`,
          {
            method: "POST",
            headers: {
              "Content-Type": "application/x-amz-json-1.1",
              "X-Amz-Target": "AWSIdentityStore.GetUserId",
              "X-Amz-Date": "20250101T000000Z",
              Authorization: `AWS4-HMAC-SHA256 Credential=AKID/20250101/${server.region}/identitystore/aws4_request, SignedHeaders=host, Signature=0`,
            },
          },
          (res) => {
            let body = "";
            res.on("data", (chunk: Buffer) => (body += chunk.toString()));
            res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
          },
        );
        req.on("error", reject);
        req.end(
          JSON.stringify({
            IdentityStoreId: server.identityStoreId,
            AlternateIdentifier: { UniqueAttribute: { AttributePath: "userName", AttributeValue: "nobody" } },
          }),
        );
      },
    );
    expect(response.status).toBe(404);
    expect(response.headers["content-type"]).toBe("application/x-amz-json-1.1");
    expect(response.headers["x-amzn-errortype"]).toMatch(/^ResourceNotFoundException:/);
    expect(response.headers["x-amzn-requestid"]).toEqual(expect.any(String));
    expect(JSON.parse(response.body)).toEqual({
      __type: "com.amazonaws.identitystore#ResourceNotFoundException",
      Message: "USER not found.",
      ResourceType: "USER",
    });
  });

  it("rejects requests signed for another region, and keys the authorize hook refuses", async () => {
    const elsewhere = new IdentitystoreClient({
      region: "us-east-1",
      endpoint: server.endpoint,
      maxAttempts: 1,
      credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret" },
    });
    try {
      await expect(elsewhere.send(getUserId("ada@example.com"))).rejects.toMatchObject({
        name: "InvalidSignatureException",
        $metadata: { httpStatusCode: 403 },
      });
    } finally {
      elsewhere.destroy();
    }
    server.authorize = (accessKeyId) =>
      accessKeyId === "ASIAOTHER"
        ? undefined
        : new ServiceError("UnrecognizedClientException", "bad key", 403);
    await expect(client.send(getUserId("ada@example.com"))).rejects.toMatchObject({
      name: "UnrecognizedClientException",
    });
    expect(server.calls.at(-1)?.accessKeyId).toBe("AKIAIOSFODNN7EXAMPLE");
  });

  it("answers with the service model's status codes and members (SDK exception classes, botocore reference)", async () => {
    const missing = await failure(
      client.send(new DescribeUserCommand({ IdentityStoreId: server.identityStoreId, UserId: USER_ID })),
    );
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(missing).toMatchObject({
      ResourceType: "USER",
      ResourceId: USER_ID,
      $metadata: { httpStatusCode: 404 },
    });
    expect((missing as { Reason?: unknown }).Reason).toBeUndefined();

    server.throttleNext(1);
    const throttled = await failure(client.send(getUserId("ada@example.com")));
    expect(throttled).toBeInstanceOf(ThrottlingException);
    // RetryAfterSeconds is bound to the Retry-After header (httpHeader trait), as AWS sends it.
    expect(throttled).toMatchObject({ RetryAfterSeconds: 0, $metadata: { httpStatusCode: 429 } });
    expect(
      (throttled as { $response?: { headers: Record<string, string> } }).$response?.headers["retry-after"],
    ).toBe("0");

    server.conflictNext(1, { operation: "DeleteUser" });
    const concurrent = await failure(
      client.send(new DeleteUserCommand({ IdentityStoreId: server.identityStoreId, UserId: USER_ID })),
    );
    expect(concurrent).toBeInstanceOf(ConflictException);
    expect(concurrent).toMatchObject({
      Reason: "CONCURRENT_MODIFICATION",
      $metadata: { httpStatusCode: 409 },
    });

    server.denyNext(1);
    const denied = await failure(client.send(getUserId("ada@example.com")));
    expect(denied).toBeInstanceOf(AccessDeniedException);
    expect(denied).toMatchObject({ $metadata: { httpStatusCode: 403 } });
    expect((denied as { Reason?: unknown }).Reason).toBeUndefined();
  });

  it.each([
    ["KMS_ACCESS_DENIED", AccessDeniedException, 403],
    ["KMS_KEY_NOT_FOUND", ResourceNotFoundException, 404],
    ["KMS_DISABLED", ValidationException, 400],
    ["KMS_INVALID_ARN", ValidationException, 400],
    ["KMS_INVALID_KEY_USAGE", ValidationException, 400],
    ["KMS_INVALID_STATE", ValidationException, 400],
    ["KMS_THROTTLING", ThrottlingException, 429],
  ] as const)("injects the KMS failure %s as %p (HTTP %i) with that Reason", async (reason, type, status) => {
    server.kmsFailNext(1, reason, { operation: "DescribeUser" });
    const error = await failure(
      client.send(new DescribeUserCommand({ IdentityStoreId: server.identityStoreId, UserId: USER_ID })),
    );
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ Reason: reason, $metadata: { httpStatusCode: status } });
    // A key that cannot be found is not a missing user: no ResourceType.
    expect((error as { ResourceType?: unknown }).ResourceType).toBeUndefined();
  });

  it("answers ResourceNotFoundException (IDENTITY_STORE) for another identity store", async () => {
    const error = await failure(
      client.send(createUser("ada@example.com", { IdentityStoreId: "d-0000000000" })),
    );
    expect(error).toMatchObject({ name: "ResourceNotFoundException", ResourceType: "IDENTITY_STORE" });
    expect(server.users.size).toBe(0);
  });

  it("never answers when told to hang, and still closes cleanly", async () => {
    server.hang("GetUserId");
    const controller = new AbortController();
    const pending = client.send(getUserId("ada@example.com"), { abortSignal: controller.signal });
    await new Promise<void>((resolve) => {
      const poll = (): void => (server.calls.length > 0 ? resolve() : void setImmediate(poll));
      poll();
    });
    expect(server.calls[0].outcome).toBe("hung");
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });

  it("injects server errors (HTTP 500, a server fault for the SDK) and slow answers", async () => {
    server.failNext(1, { operation: "GetUserId" });
    const error = await failure(client.send(getUserId("ada@example.com")));
    expect(error).toBeInstanceOf(InternalServerException);
    expect(error).toMatchObject({ $fault: "server", $metadata: { httpStatusCode: 500 } });
    server.failNext(1, { type: "ServiceUnavailableException", status: 503 });
    await expect(client.send(getUserId("ada@example.com"))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 503 },
    });
    server.delay(200, "GetUserId");
    const started = Date.now();
    await expect(client.send(getUserId("ada@example.com"))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });
});

describe("GetUserId", () => {
  it("finds a user by userName (case-insensitively) and by emails.value (exactly)", async () => {
    const { UserId } = await client.send(
      createUser("jdoe", { Emails: [{ Value: "John.Doe@example.com", Type: "work", Primary: true }] }),
    );
    await expect(client.send(getUserId("JDOE"))).resolves.toMatchObject({ UserId });
    await expect(client.send(getUserId("John.Doe@example.com", "emails.value"))).resolves.toMatchObject({
      UserId,
    });
    await expect(client.send(getUserId("john.doe@example.com", "emails.value"))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it("accepts only the unique attributes userName and emails.value, with a non-empty value", async () => {
    // "For the unique attribute, the only valid paths are userName and emails.value."
    await expect(client.send(getUserId("Ada", "displayName"))).rejects.toThrow(
      "The attribute displayName is not a unique attribute",
    );
    await expect(client.send(getUserId("ada", "UserName"))).rejects.toBeInstanceOf(ValidationException);
    // AttributePath pattern: (?:\p{L}+:\p{L}+:\p{L}+(?:\.\p{L}+){0,3}|\p{L}+(?:\.\p{L}+){0,2})
    await expect(client.send(getUserId("ada", "emails[0].value"))).rejects.toThrow(
      /Value at 'alternateIdentifier.uniqueAttribute.attributePath' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
    await expect(client.send(getUserId(""))).rejects.toThrow("attribute value cannot be empty");
  });

  it("with consistencyDelayMs, does not see a just-created user for that long (DescribeUser by id does)", async () => {
    client.destroy();
    await server.close();
    await start({ consistencyDelayMs: 300 });
    const { UserId } = await client.send(createUser("ada@example.com"));
    await expect(client.send(getUserId("ada@example.com"))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(describe_(UserId!))).resolves.toMatchObject({ UserName: "ada@example.com" });
    await new Promise((resolve) => setTimeout(resolve, 320));
    await expect(client.send(getUserId("ada@example.com"))).resolves.toMatchObject({ UserId });
  });
});

describe("CreateUser and DescribeUser", () => {
  it("stores every attribute and returns it, the enterprise extension only when asked for", async () => {
    const { UserId } = await client.send(
      createUser("ada@example.com", {
        UserType: "idc-oidc-bridge",
        Extensions: { [ENTERPRISE_EXTENSION]: { department: "Research", costCenter: "CC-1" } },
      }),
    );
    const plain = await client.send(describe_(UserId!));
    expect(plain).toMatchObject({
      IdentityStoreId: server.identityStoreId,
      UserId,
      UserName: "ada@example.com",
      DisplayName: "Ada Lovelace",
      Name: { GivenName: "Ada", FamilyName: "Lovelace" },
      Emails: [{ Value: "ada@example.com", Type: "work", Primary: true }],
      UserType: "idc-oidc-bridge",
      UserStatus: "ENABLED",
      CreatedAt: expect.any(Date),
    });
    expect(plain.Extensions).toBeUndefined();
    const extended = await client.send(describe_(UserId!, [ENTERPRISE_EXTENSION]));
    expect(extended.Extensions).toEqual({
      [ENTERPRISE_EXTENSION]: { department: "Research", costCenter: "CC-1" },
    });
    await expect(client.send(describe_(UserId!, ["aws:identitystore:other"]))).rejects.toThrow(
      "Extension aws:identitystore:other is not supported",
    );
  });

  it.each<[string, Partial<CreateUserCommandInput>, RegExp]>([
    // UserName: Length Constraints: Minimum length of 1. Maximum length of 128. Pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+
    [
      "a UserName over 128 characters",
      { UserName: `${"a".repeat(120)}@example.com` },
      /'userName'.*length less than or equal to 128/,
    ],
    ["whitespace in UserName", { UserName: "ada lovelace" }, /'userName'.*regular expression pattern/],
    ["an empty UserName", { UserName: "" }, /'userName'.*length greater than or equal to 1/],
    // "Administrator and AWSAdministrators are reserved names and can't be used for users or groups."
    ["a reserved UserName", { UserName: "AWSAdministrators" }, /reserved name/],
    // DisplayName, Name: "When used in IAM Identity Center, this parameter is required."
    ["no DisplayName", { DisplayName: undefined }, /displayName: The attribute displayName is required/],
    [
      "no FamilyName",
      { Name: { GivenName: "Ada" } },
      /name.familyName: The attribute name.familyName is required/,
    ],
    // SensitiveStringType: 1-1024 characters of [\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r, space, U+00A0, U+3000]+
    [
      "a control character in a name",
      { Name: { GivenName: "A\u0000da", FamilyName: "L" } },
      /'name.givenName'.*pattern/,
    ],
    ["a DisplayName over 1024 characters", { DisplayName: "x".repeat(1025) }, /'displayName'.*1024/],
    // Emails: Array Members: Fixed number of 1 item.
    [
      "two emails",
      { Emails: [{ Value: "a@example.com" }, { Value: "b@example.com" }] },
      /'emails'.*length less than or equal to 1/,
    ],
    [
      "an extension other than the enterprise one",
      { Extensions: { "aws:identitystore:custom": {} } },
      /not supported/,
    ],
    [
      "an unknown enterprise field",
      { Extensions: { [ENTERPRISE_EXTENSION]: { team: "x" } } },
      /Unknown member/,
    ],
  ])("rejects %s with a ValidationException", async (_label, overrides, message) => {
    const error = await failure(client.send(createUser("ada@example.com", overrides)));
    expect(error).toBeInstanceOf(ValidationException);
    expect(String(error.message)).toMatch(message);
    expect(server.users.size).toBe(0);
  });

  it("reports every violation at once", async () => {
    const error = await failure(client.send(createUser("a b", { DisplayName: "x".repeat(1025) })));
    expect(error.message).toMatch(/^2 validation errors detected: /);
  });

  it("rejects a second user whose UserName differs only in case", async () => {
    await client.send(createUser("ada@example.com"));
    await expect(client.send(createUser("ADA@example.com"))).rejects.toBeInstanceOf(ConflictException);
    expect(server.users.size).toBe(1);
  });

  it("allows two users with one email by default; uniqueEmails makes the second a ConflictException", async () => {
    const email = [{ Value: "ada@example.com", Type: "work", Primary: true }];
    await client.send(createUser("ada@example.com"));
    await expect(client.send(createUser("ada2", { Emails: email }))).resolves.toMatchObject({
      UserId: expect.any(String),
    });
    client.destroy();
    await server.close();
    await start({ uniqueEmails: true });
    await client.send(createUser("ada@example.com"));
    const error = await failure(
      client.send(
        createUser("ada2", { Emails: [{ Value: "ADA@example.com", Type: "work", Primary: true }] }),
      ),
    );
    expect(error).toMatchObject({ name: "ConflictException", Reason: "UNIQUENESS_CONSTRAINT_VIOLATION" });
  });

  it("answers ResourceNotFoundException (USER, with its id) for an unknown id and validates ids", async () => {
    const missing = "9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b";
    await expect(client.send(describe_(missing))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      ResourceType: "USER",
      ResourceId: missing,
    });
    // ResourceId: ([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-…, 1-47 characters
    await expect(client.send(describe_("not-an-id"))).rejects.toBeInstanceOf(ValidationException);
  });
});

describe("UpdateUser", () => {
  let userId: string;
  beforeEach(async () => {
    userId = (
      await client.send(createUser("jdoe", { Emails: [{ Value: "john@example.com", Primary: true }] }))
    ).UserId!;
  });

  it("replaces attributes by camelCase path, keeping the id", async () => {
    await client.send(
      update(userId, [
        { AttributePath: "userName", AttributeValue: "john.doe@example.com" },
        {
          AttributePath: "emails",
          AttributeValue: [{ Value: "john.doe@example.com", Type: "work", Primary: true }],
        },
        { AttributePath: "name.givenName", AttributeValue: "John" },
        { AttributePath: "name.familyName", AttributeValue: "Doe" },
        { AttributePath: "displayName", AttributeValue: "John Doe" },
        { AttributePath: "userType", AttributeValue: "idc-oidc-bridge" },
        { AttributePath: `${ENTERPRISE_EXTENSION}.department`, AttributeValue: "Research" },
      ]),
    );
    expect(server.users.get(userId)).toEqual({
      UserId: userId,
      UserName: "john.doe@example.com",
      DisplayName: "John Doe",
      Name: { GivenName: "John", FamilyName: "Doe" },
      Emails: [{ Value: "john.doe@example.com", Type: "work", Primary: true }],
      UserType: "idc-oidc-bridge",
      Extensions: { [ENTERPRISE_EXTENSION]: { department: "Research" } },
    });
    await expect(client.send(getUserId("john.doe@example.com"))).resolves.toMatchObject({ UserId: userId });
    await client.send(update(userId, [{ AttributePath: `${ENTERPRISE_EXTENSION}.department` }]));
    expect(server.users.get(userId)?.Extensions).toBeUndefined();
  });

  it.each<[string, Array<{ AttributePath: string; AttributeValue?: unknown }>, string]>([
    [
      "a PascalCase path",
      [{ AttributePath: "UserName", AttributeValue: "x" }],
      "Updates for AttributePath: UserName is not supported",
    ],
    [
      "a part of a multi-valued attribute",
      [{ AttributePath: "emails.value", AttributeValue: "x@example.com" }],
      "Unsupported update operation on multi-value attribute emails, please provide full replacement of Multi-Value attribute types",
    ],
    [
      "removing the UserName",
      [{ AttributePath: "userName" }],
      "userName: The attribute userName is required",
    ],
    [
      "removing the family name",
      [{ AttributePath: "name.familyName" }],
      "The attribute name.familyName is required",
    ],
    [
      "a UserName with a space",
      [{ AttributePath: "userName", AttributeValue: "a b" }],
      "regular expression pattern",
    ],
    ["a non-string UserName", [{ AttributePath: "userName", AttributeValue: 42 }], "Unexpected type"],
    [
      "an unknown enterprise field",
      [{ AttributePath: `${ENTERPRISE_EXTENSION}.team`, AttributeValue: "x" }],
      "not supported",
    ],
  ])("rejects %s", async (_label, operations, message) => {
    const before = structuredClone(server.users.get(userId));
    await expect(client.send(update(userId, operations))).rejects.toThrow(message);
    expect(server.users.get(userId)).toEqual(before);
  });

  it("accepts 1-100 operations", async () => {
    // Operations: Array Members: Minimum number of 1 item. Maximum number of 100 items.
    await expect(client.send(update(userId, []))).rejects.toThrow(/length greater than or equal to 1/);
    const many = Array.from({ length: 101 }, () => ({ AttributePath: "title", AttributeValue: "x" }));
    await expect(client.send(update(userId, many))).rejects.toThrow(/length less than or equal to 100/);
  });

  it("refuses a rename onto another user's UserName (any case), and an unknown user", async () => {
    await client.send(createUser("john.doe@example.com"));
    await expect(
      client.send(update(userId, [{ AttributePath: "userName", AttributeValue: "John.Doe@example.com" }])),
    ).rejects.toMatchObject({ name: "ConflictException", Reason: "UNIQUENESS_CONSTRAINT_VIOLATION" });
    expect(server.users.get(userId)?.UserName).toBe("jdoe");
    await expect(
      client.send(
        update("9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b", [{ AttributePath: "title", AttributeValue: "x" }]),
      ),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException", ResourceType: "USER" });
  });
});

describe("DeleteUser and ListUsers", () => {
  it("deletes a user with its memberships", async () => {
    const group = server.addGroup();
    const userId = server.addUser({ UserName: "ada@example.com" });
    server.addMembership(group, userId);
    await client.send(new DeleteUserCommand({ IdentityStoreId: server.identityStoreId, UserId: userId }));
    expect(server.users.size).toBe(0);
    expect(server.memberships.size).toBe(0);
    await expect(
      client.send(new DeleteUserCommand({ IdentityStoreId: server.identityStoreId, UserId: userId })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException", ResourceType: "USER" });
  });

  it("pages with NextToken (MaxResults 1-100) and rejects a forged token", async () => {
    for (let index = 0; index < 205; index += 1) server.addUser({ UserName: `user${index}@example.com` });
    const pages: number[] = [];
    const names: string[] = [];
    for await (const page of paginateListUsers(
      { client, pageSize: 100 },
      { IdentityStoreId: server.identityStoreId },
    )) {
      pages.push(page.Users?.length ?? 0);
      names.push(...(page.Users ?? []).map((user) => user.UserName ?? ""));
    }
    expect(pages).toEqual([100, 100, 5]);
    expect(new Set(names).size).toBe(205);
    // MaxResults: Valid Range: Minimum value of 1. Maximum value of 100.
    await expect(
      client.send(new ListUsersCommand({ IdentityStoreId: server.identityStoreId, MaxResults: 101 })),
    ).rejects.toThrow(/'maxResults'.*less than or equal to 100/);
    await expect(
      client.send(new ListUsersCommand({ IdentityStoreId: server.identityStoreId, NextToken: "Zm9yZ2Vk" })),
    ).rejects.toThrow("The NextToken is invalid or has expired");
  });
});

describe("group memberships", () => {
  it("pages ListGroupMembershipsForMember", async () => {
    const userId = server.addUser({ UserName: "ada@example.com" });
    for (let index = 0; index < 7; index += 1) server.addMembership(server.addGroup(), userId);
    server.membershipPageSize = 3;
    const sizes: number[] = [];
    for await (const page of paginateListGroupMembershipsForMember(
      { client },
      { IdentityStoreId: server.identityStoreId, MemberId: { UserId: userId } },
    )) {
      sizes.push(page.GroupMemberships?.length ?? 0);
    }
    expect(sizes).toEqual([3, 3, 1]);
    await expect(
      client.send(
        new ListGroupMembershipsForMemberCommand({
          IdentityStoreId: server.identityStoreId,
          MemberId: { UserId: userId },
          MaxResults: 0,
        }),
      ),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it("refuses a membership of a deleted group (ResourceNotFoundException, GROUP) and duplicates", async () => {
    const userId = server.addUser({ UserName: "ada@example.com" });
    const group = server.addGroup();
    const membership = (input: string) =>
      new CreateGroupMembershipCommand({
        IdentityStoreId: server.identityStoreId,
        GroupId: input,
        MemberId: { UserId: userId },
      });
    const { MembershipId } = await client.send(membership(group));
    await expect(client.send(membership(group))).rejects.toBeInstanceOf(ConflictException);
    server.deleteGroup(group);
    expect(server.memberships.size).toBe(0);
    await expect(client.send(membership(group))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      ResourceType: "GROUP",
      ResourceId: group,
    });
    await expect(
      client.send(
        new DeleteGroupMembershipCommand({ IdentityStoreId: server.identityStoreId, MembershipId }),
      ),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException", ResourceType: "GROUP_MEMBERSHIP" });
  });
});

describe("quota", () => {
  it("allows 20 requests/s per operation (token bucket) and throttles the rest with HTTP 429", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, () => client.send(getUserId("nobody@example.com"))),
    );
    const throttled = results.filter(
      (result) => result.status === "rejected" && result.reason instanceof ThrottlingException,
    );
    // A full bucket of 20, plus what refilled (20/s) while the 30 requests arrived.
    const span = server.calls.at(-1)!.at - server.calls[0].at;
    expect(30 - throttled.length).toBeGreaterThanOrEqual(20);
    expect(30 - throttled.length).toBeLessThanOrEqual(20 + Math.ceil((span * 20) / 1000));
    expect(throttled[0]).toMatchObject({
      reason: { RetryAfterSeconds: 0, $metadata: { httpStatusCode: 429 } },
    });
    // Another operation has a bucket of its own.
    await expect(client.send(createUser("ada@example.com"))).resolves.toMatchObject({
      UserId: expect.any(String),
    });
    // Refilled at 20 tokens/s: after 250 ms about 5 requests pass again.
    await new Promise((resolve) => setTimeout(resolve, 260));
    const later = await Promise.allSettled(
      Array.from({ length: 10 }, () => client.send(getUserId("ada@example.com"))),
    );
    const passed = later.filter((result) => result.status === "fulfilled").length;
    expect(passed).toBeGreaterThanOrEqual(4);
    expect(passed).toBeLessThanOrEqual(7);
  });
});
