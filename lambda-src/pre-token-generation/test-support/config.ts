/** A valid Config for unit tests, with every optional feature off: the documented defaults, from loadConfig. */
import { loadConfig, type Config } from "../config";

/** A KMS key ARN of the right form (unit tests mock KMS; nothing is ever sent to it). */
export const TEST_LINK_KEY_ARN = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const DEFAULTS = loadConfig({
  IDENTITY_STORE_ID: "d-1234567890",
  IDENTITY_STORE_REGION: "eu-west-1",
  LINK_KEY_ARN: TEST_LINK_KEY_ARN,
});

export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...DEFAULTS, ...overrides };
}
