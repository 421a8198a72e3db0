/**
 * The STS test endpoint against the real SDK (STS Query protocol): AssumeRole's constraints from the STS
 * API reference, its errors as the SDK maps them, and the check other test servers use on issued keys.
 */
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { StsTestServer } from "./sts-server";

const ROLE = "arn:aws:iam::222222222222:role/identity-store-access";
let sts: StsTestServer;
let client: STSClient;

beforeEach(async () => {
  sts = await StsTestServer.start({ region: "us-east-1" });
  sts.addRole(ROLE, { trustedAccessKeyIds: ["AKIALAMBDA0000000001"], maxSessionDuration: 3600 });
  client = new STSClient({
    region: "us-east-1",
    endpoint: sts.endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: "AKIALAMBDA0000000001", secretAccessKey: "secret" },
  });
});

afterEach(async () => {
  client.destroy();
  await sts.close();
});

const assume = (input: Partial<ConstructorParameters<typeof AssumeRoleCommand>[0]> = {}) =>
  client.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "bridge-test", ...input }));

describe("StsTestServer", () => {
  it("issues temporary credentials the SDK parses, checked by authorizeIssued until they expire", async () => {
    sts.credentialLifetimeMs = 200;
    const output = await assume({ DurationSeconds: 900 });
    expect(output.Credentials).toMatchObject({
      AccessKeyId: expect.stringMatching(/^ASIA/),
      SecretAccessKey: expect.any(String),
      SessionToken: expect.any(String),
      Expiration: expect.any(Date),
    });
    expect(output.AssumedRoleUser?.Arn).toBe(
      "arn:aws:sts::222222222222:assumed-role/identity-store-access/bridge-test",
    );
    const check = sts.authorizeIssued();
    expect(check(output.Credentials!.AccessKeyId!)).toBeUndefined();
    expect(check("AKIANOTISSUED0000001")).toMatchObject({ type: "UnrecognizedClientException" });
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(check(output.Credentials!.AccessKeyId!)).toMatchObject({ type: "ExpiredTokenException" });
  });

  it.each([
    // RoleSessionName: 2-64 characters of [\w+=,.@-]*
    ["a one-character session name", { RoleSessionName: "x" }, "roleSessionName"],
    ["a session name with a space", { RoleSessionName: "bridge test" }, "roleSessionName"],
    // DurationSeconds: 900-43200, and no more than the role's MaxSessionDuration
    ["a duration under 900 s", { DurationSeconds: 600 }, "durationSeconds"],
    ["a duration over the role's maximum", { DurationSeconds: 7200 }, "exceeds the MaxSessionDuration"],
    // RoleArn: 20-2048 characters
    ["a short RoleArn", { RoleArn: "arn:aws:iam::1:role" }, "roleArn"],
  ])("refuses %s with a ValidationError", async (_label, input, message) => {
    await expect(assume(input)).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringContaining(message),
    });
  });

  it("denies a role that does not trust the caller, or does not exist, with AccessDenied (HTTP 403)", async () => {
    const other = new STSClient({
      region: "us-east-1",
      endpoint: sts.endpoint,
      maxAttempts: 1,
      credentials: { accessKeyId: "AKIASTRANGER00000001", secretAccessKey: "secret" },
    });
    try {
      await expect(
        other.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "s1" })),
      ).rejects.toMatchObject({
        name: "AccessDenied",
        $metadata: { httpStatusCode: 403 },
      });
    } finally {
      other.destroy();
    }
    await expect(assume({ RoleArn: "arn:aws:iam::222222222222:role/missing" })).rejects.toMatchObject({
      name: "AccessDenied",
    });
  });

  it("answers Throttling and requires requests signed for its region", async () => {
    sts.throttleNext(1);
    await expect(assume()).rejects.toMatchObject({ name: "Throttling" });
    const elsewhere = new STSClient({
      region: "eu-west-1",
      endpoint: sts.endpoint,
      maxAttempts: 1,
      credentials: { accessKeyId: "AKIALAMBDA0000000001", secretAccessKey: "secret" },
    });
    try {
      await expect(
        elsewhere.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "s1" })),
      ).rejects.toMatchObject({
        name: "SignatureDoesNotMatch",
      });
    } finally {
      elsewhere.destroy();
    }
  });
});
