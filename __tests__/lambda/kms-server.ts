/**
 * A local AWS KMS endpoint for tests, speaking KMS's AWS JSON 1.1 protocol (`X-Amz-Target:
 * TrentService.<Operation>`, errors as a bare `__type` with a lowercase `message`, as KMS sends them), for the
 * one operation the bridge calls, GenerateMac, as the KMS API reference
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html) defines it:
 * - KeyId 1-2048 characters, Message a base64 blob of 1-4096 bytes, MacAlgorithm one of HMAC_SHA_224 |
 *   HMAC_SHA_256 | HMAC_SHA_384 | HMAC_SHA_512, GrantTokens at most 10, DryRun a boolean: else ValidationException;
 * - a key that does not exist: NotFoundException; a disabled key: DisabledException; a key whose spec does not
 *   match the algorithm (HMAC_256 ↔ HMAC_SHA_256) or whose usage is not GENERATE_VERIFY_MAC:
 *   InvalidKeyUsageException;
 * - the response: Mac (the HMAC of Message under the key's secret, which never leaves the server), MacAlgorithm
 *   and the key's ARN; requests must be SigV4-signed for `kms` in the server's region.
 * Test knobs (from AwsJsonTestServer): throttle, fail, hang, delay, `authorize` (AccessDeniedException).
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import {
  AwsJsonTestServer,
  type Json,
  ServiceError,
  type Shape,
  throwIfInvalid,
  validate,
} from "./aws-json-server";

const OPERATIONS = ["GenerateMac"] as const;
type Operation = (typeof OPERATIONS)[number];

const MAC_ALGORITHMS = {
  HMAC_SHA_224: "HMAC_224",
  HMAC_SHA_256: "HMAC_256",
  HMAC_SHA_384: "HMAC_384",
  HMAC_SHA_512: "HMAC_512",
} as const;
const HASHES = { HMAC_224: "sha224", HMAC_256: "sha256", HMAC_384: "sha384", HMAC_512: "sha512" } as const;

const GenerateMacRequest: Shape = {
  kind: "structure",
  members: {
    KeyId: { kind: "string", min: 1, max: 2048 },
    Message: { kind: "string", min: 1, pattern: [/^[A-Za-z0-9+/]*={0,2}$/, "base64"] },
    MacAlgorithm: { kind: "string", enum: Object.keys(MAC_ALGORITHMS) },
    GrantTokens: { kind: "list", member: { kind: "string", min: 1, max: 8192 }, max: 10 },
    DryRun: { kind: "boolean" },
  },
  required: ["KeyId", "Message", "MacAlgorithm"],
};

export interface TestKey {
  readonly arn: string;
  readonly spec: keyof typeof HASHES | "SYMMETRIC_DEFAULT";
  readonly usage: "GENERATE_VERIFY_MAC" | "ENCRYPT_DECRYPT";
  enabled: boolean;
  /** The key material: never returned by any operation. */
  readonly secret: Buffer;
}

export class KmsTestServer extends AwsJsonTestServer<Operation> {
  readonly keys = new Map<string, TestKey>();
  readonly account = "111111111111";

  private constructor(region: string) {
    super({
      region,
      targetPrefix: "TrentService",
      signingName: "kms",
      errorNamespace: "",
      messageKey: "message",
      operations: OPERATIONS,
      // KMS's shared quota for GenerateMac is in the thousands per second: never the limit here.
      rateLimit: false,
    });
  }

  static async start(options: { region?: string } = {}): Promise<KmsTestServer> {
    const server = new KmsTestServer(options.region ?? "us-east-1");
    await server.listen();
    return server;
  }

  /** Creates a key (default: an HMAC_256 key for GENERATE_VERIFY_MAC, like the link key) and returns its ARN. */
  addKey(options: Partial<Pick<TestKey, "spec" | "usage" | "enabled">> = {}): string {
    const arn = `arn:aws:kms:${this.region}:${this.account}:key/${randomUUID()}`;
    this.keys.set(arn, {
      arn,
      spec: options.spec ?? "HMAC_256",
      usage: options.usage ?? "GENERATE_VERIFY_MAC",
      enabled: options.enabled ?? true,
      secret: randomBytes(32),
    });
    return arn;
  }

  /** What GenerateMac answers for `message` under the key (for tests that compute expected links). */
  macOf(arn: string, message: Buffer): Buffer {
    const key = this.keys.get(arn);
    if (key === undefined || key.spec === "SYMMETRIC_DEFAULT") throw new Error(`no HMAC key ${arn}`);
    return createHmac(HASHES[key.spec], key.secret).update(message).digest();
  }

  protected dispatch(_operation: Operation, input: Json): Json {
    const problems: string[] = [];
    validate(GenerateMacRequest, input, "", problems);
    throwIfInvalid(problems);
    const message = Buffer.from(String(input.Message), "base64");
    if (message.length < 1 || message.length > 4096) {
      throw new ServiceError(
        "ValidationException",
        "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096",
      );
    }
    const keyId = String(input.KeyId);
    const key = this.keys.get(keyId);
    if (key === undefined) throw new ServiceError("NotFoundException", `Key '${keyId}' does not exist`);
    if (!key.enabled) throw new ServiceError("DisabledException", `${keyId} is disabled.`);
    const algorithm = String(input.MacAlgorithm) as keyof typeof MAC_ALGORITHMS;
    if (key.usage !== "GENERATE_VERIFY_MAC" || MAC_ALGORITHMS[algorithm] !== key.spec) {
      throw new ServiceError(
        "InvalidKeyUsageException",
        `${keyId} key usage is ${key.usage} which is not valid for GenerateMac with ${algorithm}.`,
      );
    }
    if (input.DryRun === true)
      throw new ServiceError("DryRunOperationException", "The request would have succeeded.");
    return { Mac: this.macOf(keyId, message).toString("base64"), MacAlgorithm: algorithm, KeyId: keyId };
  }
}
