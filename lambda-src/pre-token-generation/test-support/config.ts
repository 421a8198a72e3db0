/** A valid Config for unit tests, with every optional feature off: the documented defaults, from loadConfig. */
import { TEST_LINK_KEY_ARN } from "../../shared/test-support/link";
import { loadConfig, type Config } from "../config";

const DEFAULTS = loadConfig({
  IDENTITY_STORE_ID: "d-1234567890",
  IDENTITY_STORE_REGION: "eu-west-1",
  LINK_KEY_ARN: TEST_LINK_KEY_ARN,
});

export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...DEFAULTS, ...overrides };
}
