import type { CognitoConfig } from "../../config";
import {
  BRIDGE_ATTRIBUTE_NAMES,
  CUSTOM_PREFIX,
  STANDARD_ATTRIBUTES,
  VERIFICATION_ATTRIBUTES,
} from "../../config/cognito-attributes";

/** The bridge's own attributes (`custom:idc_user_id`, `custom:idc_link_sig`, `custom:idc_last_sign_in`): only the JIT Lambda writes them. */
export const BRIDGE_ATTRIBUTES: readonly string[] = BRIDGE_ATTRIBUTE_NAMES.map((n) => `${CUSTOM_PREFIX}${n}`);

/** The attribute a client may write when no upstream maps any: the bridge and its relying parties never read it. */
export const UNUSED_WRITE_ATTRIBUTE = "zoneinfo";

export interface ClientAttributes {
  readonly readAttributes: string[];
  readonly writeAttributes: string[];
}

/**
 * The one rule for every app client of the pool (all of them run the JIT Lambda at sign-in):
 *
 * - Write exactly what the upstream providers' mappings set. Cognito updates mapped attributes at every
 *   federated sign-in through the app client and fails the sign-in if the client cannot write one (API
 *   reference, UserPoolClientType.WriteAttributes). Never `custom:idc_*`: the Lambda sets those with
 *   AdminUpdateUserAttributes, which app client permissions do not govern, and nobody else may. Never an
 *   empty list: Cognito reads "no WriteAttributes" as every standard attribute writable (email included),
 *   and aws provider 6.x either drops `write_attributes = []` (hashicorp/terraform-provider-aws #28684) or
 *   fails the apply on it ("inconsistent result after apply", #30511); with nothing mapped, one attribute
 *   nothing reads stands in.
 * - Read what the JIT Lambda reads from its trigger event, the pool attributes among `claims` (what the
 *   client's relying party copies from the ID token; claims the Lambda adds are no attributes), and what it
 *   writes (Cognito requires a writable attribute to be readable). The Developer Guide ("Pre token
 *   generation Lambda trigger") says Cognito sends the event "with data that it would write to the ID
 *   token" (V2_0: to the identity and access tokens), and an app client's ID token holds only the
 *   attributes it may read (UserPoolClientType.ReadAttributes). The guide does not list the event's
 *   userAttributes independently of that, so a client that cannot read `custom:idc_user_id` would hide the
 *   person's link from the Lambda: it would look them up by email and rewrite the link and the last-sign-in
 *   day at every sign-in.
 */
export function appClientAttributes(
  cognito: CognitoConfig,
  claims: readonly string[] = [],
): ClientAttributes {
  const mapped = upstreamMappedAttributes(cognito);
  const writeAttributes = mapped.length > 0 ? mapped : [UNUSED_WRITE_ATTRIBUTE];
  const poolAttributes = new Set<string>([
    ...STANDARD_ATTRIBUTES,
    ...VERIFICATION_ATTRIBUTES,
    ...cognito.customAttributes.map((a) => `${CUSTOM_PREFIX}${a.name}`),
  ]);
  return {
    readAttributes: sortedUnique([
      ...jitLambdaAttributes(cognito),
      ...claims.filter((claim) => poolAttributes.has(claim)),
      ...writeAttributes,
    ]),
    writeAttributes,
  };
}

/** Attributes the upstream mappings set at federated sign-in (`username` is the link key, no attribute). */
export function upstreamMappedAttributes(cognito: CognitoConfig): string[] {
  return sortedUnique(
    cognito.upstreamProviders
      .flatMap((p) => Object.keys(p.attributeMapping))
      .filter((a) => a !== "username" && !BRIDGE_ATTRIBUTES.includes(a)),
  );
}

/**
 * Attributes the JIT Lambda reads from its trigger event: the email and names, the bridge's link and last
 * sign-in, the groups attribute and the sources of the enterprise attributes.
 */
export function jitLambdaAttributes(cognito: CognitoConfig): string[] {
  const p = cognito.provisioning;
  return sortedUnique([
    "email",
    "email_verified",
    "given_name",
    "family_name",
    ...BRIDGE_ATTRIBUTES,
    ...(p.groupsAttribute === undefined ? [] : [p.groupsAttribute]),
    ...Object.values(p.enterpriseAttributes).filter((a): a is string => a !== undefined),
  ]);
}

const sortedUnique = (values: readonly string[]) => [...new Set(values)].sort();
