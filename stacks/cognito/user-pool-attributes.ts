import type { CognitoConfig } from "../../config";
import { CUSTOM_PREFIX, STANDARD_ATTRIBUTES, VERIFICATION_ATTRIBUTES } from "../../config/cognito-attributes";

/** Claims every ID token for Cloudflare needs: the email it signs people in with and its verification flag. */
const ALWAYS_READ = ["email", "email_verified"];

/**
 * The user pool attributes among `claims` (standard ones and declared custom ones; claims the JIT Lambda adds
 * are no attributes), plus the email: what an app client must be allowed to read for its ID tokens to carry them.
 */
export function userPoolAttributesAmong(
  claims: readonly string[],
  customAttributes: CognitoConfig["customAttributes"],
): string[] {
  const attributes = new Set<string>([
    ...STANDARD_ATTRIBUTES,
    ...VERIFICATION_ATTRIBUTES,
    ...customAttributes.map((a) => `${CUSTOM_PREFIX}${a.name}`),
  ]);
  return [...new Set([...ALWAYS_READ, ...claims.filter((claim) => attributes.has(claim))])].sort();
}
