import type { CognitoConfig } from "../../config";
import {
  BRIDGE_ATTRIBUTE_NAMES,
  CUSTOM_PREFIX,
  STANDARD_ATTRIBUTES,
  VERIFICATION_ATTRIBUTES,
} from "../../config/cognito-attributes";

/**
 * Attributes the JIT Lambda reads from its trigger event. Cognito builds that event from the data it would
 * write to the ID token (Developer Guide, pre token generation trigger), so every app client whose sign-ins run
 * the Lambda must be able to read these: the email and names, the bridge's link and last sign-in, the groups
 * attribute and the sources of the enterprise attributes.
 */
export function jitLambdaAttributes(c: CognitoConfig): string[] {
  return unique([
    "email",
    "email_verified",
    "given_name",
    "family_name",
    ...BRIDGE_ATTRIBUTE_NAMES.map((name) => `${CUSTOM_PREFIX}${name}`),
    ...(c.provisioning.groupsAttribute === undefined ? [] : [c.provisioning.groupsAttribute]),
    ...Object.values(c.provisioning.enterpriseAttributes).filter((a): a is string => a !== undefined),
  ]);
}

/**
 * What an app client must be able to read: what the JIT Lambda reads, the user pool attributes among the
 * claims its relying party copies from the ID token (claims the Lambda adds are no attributes), and what it
 * may write (Cognito requires a writable attribute to be readable).
 */
export function appClientReadAttributes(
  c: CognitoConfig,
  claims: readonly string[],
  writeAttributes: readonly string[],
): string[] {
  const attributes = new Set<string>([
    ...STANDARD_ATTRIBUTES,
    ...VERIFICATION_ATTRIBUTES,
    ...c.customAttributes.map((a) => `${CUSTOM_PREFIX}${a.name}`),
  ]);
  return unique([
    ...jitLambdaAttributes(c),
    ...claims.filter((claim) => attributes.has(claim)),
    ...writeAttributes,
  ]);
}

const unique = (values: readonly string[]) => [...new Set(values)].sort();
