/**
 * Links in unit tests: KMS mocked with aws-sdk-client-mock, answering GenerateMac as KMS does (the HMAC-SHA256
 * of the message under the key's secret, for the one HMAC key it knows), and the signatures the bridge writes
 * under that key. The bundle tests use the strict KMS test server instead (__tests__/lambda/kms-server.ts).
 */
import { createHmac } from "node:crypto";
import { GenerateMacCommand, KMSClient, NotFoundException } from "@aws-sdk/client-kms";
import { mockClient } from "aws-sdk-client-mock";
import { LinkKey, LinkKeys, linkKeyMessage } from "../link";
import { kmsGenerateMac } from "../link-kms";

/** The mocked KMS key's ARN (as LINK_KEY_ARN) and its secret, which never leaves "KMS". */
export const TEST_LINK_KEY_ARN =
  "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_SECRET = Buffer.from("0123456789abcdef0123456789abcdef", "utf8");

/** Mocks every KMSClient: GenerateMac on TEST_LINK_KEY_ARN with HMAC_SHA_256, NotFoundException otherwise. */
export function mockKms() {
  const kms = mockClient(KMSClient);
  kms
    .on(GenerateMacCommand)
    .callsFake((input: { KeyId?: string; Message?: Uint8Array; MacAlgorithm?: string }) => {
      if (
        input.KeyId !== TEST_LINK_KEY_ARN ||
        input.MacAlgorithm !== "HMAC_SHA_256" ||
        input.Message === undefined
      ) {
        throw new NotFoundException({ message: `Key '${input.KeyId}' does not exist`, $metadata: {} });
      }
      return {
        KeyId: TEST_LINK_KEY_ARN,
        MacAlgorithm: "HMAC_SHA_256",
        Mac: createHmac("sha256", KEY_SECRET).update(input.Message).digest(),
      };
    });
  return kms;
}

/** The container's link keys over the mocked KMS. */
export function testLinkKeys(keyArn = TEST_LINK_KEY_ARN): LinkKeys {
  return new LinkKeys(kmsGenerateMac(keyArn));
}

/** The pool's link key as the Lambda derives it from the mocked KMS key. */
export function testLinkKey(userPoolId: string): LinkKey {
  return new LinkKey(
    userPoolId,
    createHmac("sha256", KEY_SECRET).update(linkKeyMessage(userPoolId)).digest(),
  );
}

/** The attributes of a Cognito user validly linked to `idcUserId` (what the Lambda writes). */
export function signedLink(userPoolId: string, sub: string, idcUserId: string): Record<string, string> {
  return {
    "custom:idc_user_id": idcUserId,
    "custom:idc_link_sig": testLinkKey(userPoolId).sign(sub, idcUserId),
  };
}
