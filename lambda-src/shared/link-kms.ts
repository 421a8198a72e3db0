/**
 * `kms:GenerateMac` for the link keys (link.ts). The KMS client's module is loaded, and the client created,
 * only when the first link key is derived: a container that never needs one never pays for loading it, and
 * one that does pays once (the bench measures the cold start).
 * `AWS_ENDPOINT_URL_KMS` works because no endpoint is set here.
 */
import type { KMSClient } from "@aws-sdk/client-kms";
import { type ClientOptions, clientSettings } from "./identity-store-client";
import { type GenerateMac, LINK_MAC_ALGORITHM } from "./link";

export interface KmsGenerateMacOptions extends ClientOptions {
  /** Wraps the client once created (e.g. the tracer's captureAWSv3Client). */
  readonly wrap?: (client: KMSClient) => KMSClient;
}

/** GenerateMac with the link key `keyArn` (the Lambda's region: the key lives in the pool's stack). */
export function kmsGenerateMac(keyArn: string, options: KmsGenerateMacOptions = {}): GenerateMac {
  let client: KMSClient | undefined;
  return async (message, abortSignal) => {
    const kms = await import("./link-kms-client");
    client ??= (options.wrap ?? ((created) => created))(new kms.KMSClient(clientSettings(options)));
    const output = await client.send(
      new kms.GenerateMacCommand({ KeyId: keyArn, Message: message, MacAlgorithm: LINK_MAC_ALGORITHM }),
      { abortSignal },
    );
    if (output.Mac === undefined || output.Mac.length < 32) {
      throw new Error("kms:GenerateMac returned no MAC of at least 32 bytes");
    }
    return output.Mac;
  };
}
