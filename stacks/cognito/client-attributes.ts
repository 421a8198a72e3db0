import type { UpstreamProviderConfig } from "../../config";

/** Attributes the bridge keeps for itself (`custom:idc_user_id`, …): no app client may read or write them. */
export const BRIDGE_ATTRIBUTE_PREFIX = "custom:idc_";

export interface ClientAttributes {
  readonly readAttributes: string[];
  readonly writeAttributes: string[];
}

/**
 * Explicit attribute permissions for an app client other than Cloudflare's. Cognito updates mapped
 * attributes at every federated sign-in through the app client, so each attribute an upstream provider
 * maps must be writable (Cognito API reference, UserPoolClientType.WriteAttributes); the bridge's own
 * `custom:idc_*` attributes are neither readable nor writable.
 */
export function appClientAttributes(upstreamProviders: readonly UpstreamProviderConfig[]): ClientAttributes {
  const mapped = upstreamProviders.flatMap((p) => Object.keys(p.attributeMapping));
  const allowed = (names: string[]) =>
    [...new Set(names)].filter((n) => !n.startsWith(BRIDGE_ATTRIBUTE_PREFIX)).sort();
  return {
    readAttributes: allowed(["email", "email_verified", "given_name", "family_name", ...mapped]),
    writeAttributes: allowed(["email", "given_name", "family_name", ...mapped]),
  };
}
