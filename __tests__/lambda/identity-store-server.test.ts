/**
 * The test server speaks the AWS JSON 1.1 protocol closely enough for the real SDK to map its
 * errors to the service's exception classes.
 */
import {
  ConflictException,
  CreateUserCommand,
  GetUserIdCommand,
  IdentitystoreClient,
  ResourceNotFoundException,
  ThrottlingException,
  ValidationException,
} from "@aws-sdk/client-identitystore";
import { request } from "node:http";
import { IdentityStoreTestServer } from "./identity-store-server";

let server: IdentityStoreTestServer;
let client: IdentitystoreClient;

beforeEach(async () => {
  server = await IdentityStoreTestServer.start();
  client = new IdentitystoreClient({
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

const createUser = (userName: string) =>
  new CreateUserCommand({
    IdentityStoreId: server.identityStoreId,
    UserName: userName,
    DisplayName: "Ada Lovelace",
    Name: { GivenName: "Ada", FamilyName: "Lovelace" },
    Emails: [{ Value: userName, Type: "work", Primary: true }],
  });

const getUserId = (userName: string) =>
  new GetUserIdCommand({
    IdentityStoreId: server.identityStoreId,
    AlternateIdentifier: { UniqueAttribute: { AttributePath: "userName", AttributeValue: userName } },
  });

describe("IdentityStoreTestServer", () => {
  it("maps errors to the SDK's exception classes", async () => {
    await expect(client.send(getUserId("ada@example.com"))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const { UserId } = await client.send(createUser("ada@example.com"));
    await expect(client.send(getUserId("ada@example.com"))).resolves.toMatchObject({ UserId });
    const conflict = await client.send(createUser("ada@example.com")).catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(ConflictException);
    expect(conflict).toMatchObject({
      Reason: "UNIQUENESS_CONSTRAINT_VIOLATION",
      $metadata: { httpStatusCode: 400 },
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
    expect(response.status).toBe(400);
    expect(response.headers["content-type"]).toBe("application/x-amz-json-1.1");
    expect(response.headers["x-amzn-errortype"]).toMatch(/^ResourceNotFoundException:/);
    expect(response.headers["x-amzn-requestid"]).toEqual(expect.any(String));
    expect(JSON.parse(response.body)).toEqual({
      __type: "com.amazonaws.identitystore#ResourceNotFoundException",
      Message: "USER not found.",
      ResourceType: "USER",
    });
  });

  it("rejects requests signed for another region", async () => {
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
});
