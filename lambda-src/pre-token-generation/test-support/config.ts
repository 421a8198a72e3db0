/** A valid Config for unit tests, with every optional feature off. */
import type { Config } from "../config";

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    identityStoreId: "d-1234567890",
    identityStoreRegion: "eu-west-1",
    requireVerifiedEmail: true,
    onSyncFailure: "deny",
    groupMap: new Map(),
    adoptExistingUsers: false,
    trustedEmailProviders: new Set(),
    groupsAttribute: undefined,
    iamFederationClientId: undefined,
    enterpriseAttributes: new Map(),
    recordLastSignIn: false,
    identityStoreRoleArn: undefined,
    metricsNamespace: "IdcOidcBridge",
    serviceName: "pre-token-generation",
    ...overrides,
  };
}
