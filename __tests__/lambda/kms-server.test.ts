/** The KMS test server answers GenerateMac as KMS does: the real SDK client against it. */
import { createHmac } from "node:crypto";
import { GenerateMacCommand, KMSClient } from "@aws-sdk/client-kms";
import { ServiceError } from "./aws-json-server";
import { KmsTestServer } from "./kms-server";

let kms: KmsTestServer;
let client: KMSClient;

beforeEach(async () => {
  kms = await KmsTestServer.start();
  client = new KMSClient({
    region: kms.region,
    endpoint: kms.endpoint,
    credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret" },
    maxAttempts: 1,
  });
});

afterEach(async () => {
  client.destroy();
  await kms.close();
});

const mac = (KeyId: string, MacAlgorithm = "HMAC_SHA_256", Message: Uint8Array = Buffer.from("hello")) =>
  client.send(new GenerateMacCommand({ KeyId, Message, MacAlgorithm: MacAlgorithm as never }));

describe("KmsTestServer GenerateMac", () => {
  it("returns the HMAC of the message under the key, the algorithm and the key ARN", async () => {
    const key = kms.addKey();
    const output = await mac(key);
    expect(Buffer.from(output.Mac!)).toEqual(kms.macOf(key, Buffer.from("hello")));
    expect(Buffer.from(output.Mac!)).not.toEqual(createHmac("sha256", "").update("hello").digest());
    expect(output).toMatchObject({ KeyId: key, MacAlgorithm: "HMAC_SHA_256" });
    expect(kms.callsOf("GenerateMac")[0]).toMatchObject({ signedRegion: "us-east-1", outcome: "ok" });
  });

  it.each([
    [
      "an unknown key",
      () => "arn:aws:kms:us-east-1:111111111111:key/00000000-0000-4000-8000-000000000000",
      "HMAC_SHA_256",
      "NotFoundException",
    ],
    ["a disabled key", () => kms.addKey({ enabled: false }), "HMAC_SHA_256", "DisabledException"],
    [
      "an algorithm the key spec does not match",
      () => kms.addKey(),
      "HMAC_SHA_512",
      "InvalidKeyUsageException",
    ],
    [
      "an encryption key",
      () => kms.addKey({ spec: "SYMMETRIC_DEFAULT", usage: "ENCRYPT_DECRYPT" }),
      "HMAC_SHA_256",
      "InvalidKeyUsageException",
    ],
    ["an unknown algorithm", () => kms.addKey(), "HMAC_MD5", "ValidationException"],
  ])("refuses %s as KMS does", async (_label, key, algorithm, error) => {
    await expect(mac(key(), algorithm)).rejects.toMatchObject({ name: error });
  });

  it("refuses a caller the key's policies do not allow with AccessDeniedException", async () => {
    const key = kms.addKey();
    kms.authorize = () =>
      new ServiceError("AccessDeniedException", "User is not authorized to perform: kms:GenerateMac");
    await expect(mac(key)).rejects.toMatchObject({
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 400 },
    });
  });
});
