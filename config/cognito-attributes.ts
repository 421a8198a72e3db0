import { z } from "zod";
import {
  IDC_USER_ID_ATTRIBUTE,
  LAST_SIGN_IN_ATTRIBUTE,
  LINK_SIGNATURE_ATTRIBUTE,
} from "../lambda-src/pre-token-generation/contract";

/**
 * User pool attributes. Standard attributes: Amazon Cognito Developer Guide, "Working with user attributes →
 * Standard attributes" (the OpenID Connect standard claims); custom attributes: API reference,
 * SchemaAttributeType (name 1-20 characters of `[\p{L}\p{M}\p{S}\p{N}\p{P}]`, type String | Number | DateTime |
 * Boolean, StringAttributeConstraints length 0-2048) and the quota of 50 custom attributes per user pool.
 */
export const STANDARD_ATTRIBUTES = [
  "address",
  "birthdate",
  "email",
  "family_name",
  "gender",
  "given_name",
  "locale",
  "middle_name",
  "name",
  "nickname",
  "phone_number",
  "picture",
  "preferred_username",
  "profile",
  "sub",
  "updated_at",
  "website",
  "zoneinfo",
] as const;

/** The verification flags Cognito keeps beside email and phone_number; upstream mappings may set them. */
export const VERIFICATION_ATTRIBUTES = ["email_verified", "phone_number_verified"] as const;

/** Standard attributes an upstream may write: all but `sub`, which Cognito assigns and never changes. */
export const MAPPABLE_STANDARD_ATTRIBUTES: readonly string[] = [
  ...STANDARD_ATTRIBUTES.filter((a) => a !== "sub"),
  ...VERIFICATION_ATTRIBUTES,
];

export const CUSTOM_PREFIX = "custom:";
export const MAX_CUSTOM_ATTRIBUTES = 50;
/** Cognito stores at most 2048 characters; a mapped attribute must take whatever the upstream sends. */
export const MAX_STRING_LENGTH = 2048;

/**
 * Custom attributes the bridge declares for itself (names from the Lambda contract). None is mapped from an
 * upstream nor writable by any app client: only the JIT Lambda writes them, with AdminUpdateUserAttributes.
 * New ones are only ever appended: Cognito adds schema attributes to a pool but never changes or removes one.
 */
export const BRIDGE_CUSTOM_ATTRIBUTES = [
  // Identity Store user id: an optional 10-hex-digit prefix and a dash, then a UUID (at most 47 characters).
  { name: IDC_USER_ID_ATTRIBUTE.slice(CUSTOM_PREFIX.length), minLength: 0, maxLength: 47 },
  // The day of the last sign-in, YYYY-MM-DD (UTC).
  { name: LAST_SIGN_IN_ATTRIBUTE.slice(CUSTOM_PREFIX.length), minLength: 0, maxLength: 10 },
  // The link's signature (lambda-src/shared/link.ts): "v1." and 43 base64url characters; room for a later
  // version, since a schema attribute can never be changed once the pool exists (only added).
  { name: LINK_SIGNATURE_ATTRIBUTE.slice(CUSTOM_PREFIX.length), minLength: 0, maxLength: 128 },
] as const;
export const BRIDGE_ATTRIBUTE_NAMES: readonly string[] = BRIDGE_CUSTOM_ATTRIBUTES.map((a) => a.name);

const optionalInt = (min: number, max: number, what: string) => {
  const error = `expected an integer from ${min} to ${max} (${what})`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error }).optional();
};

/** One entry of `cognito.customAttributes`: a custom attribute of the user pool's schema. */
export const customAttribute = z
  .strictObject({
    name: z.string().superRefine((n, ctx) => {
      const message = n.startsWith(CUSTOM_PREFIX)
        ? "expected the name without the custom: prefix (Cognito adds it)"
        : !/^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,20}$/u.test(n)
          ? "expected 1-20 letters, digits, symbols or punctuation, no spaces (a Cognito custom attribute name)"
          : BRIDGE_ATTRIBUTE_NAMES.includes(n)
            ? `expected a name other than ${BRIDGE_ATTRIBUTE_NAMES.join(" and ")}, which the bridge declares itself`
            : undefined;
      if (message !== undefined) ctx.addIssue({ code: "custom", message });
    }),
    type: z
      .enum(["String", "Number", "DateTime", "Boolean"], {
        error: "expected String, Number, DateTime or Boolean",
      })
      .default("String"),
    // Cognito updates mapped attributes at every federated sign-in, which needs them mutable.
    mutable: z.boolean().default(true),
    minLength: optionalInt(0, MAX_STRING_LENGTH, "characters"),
    maxLength: optionalInt(1, MAX_STRING_LENGTH, "characters"),
    minValue: optionalInt(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, "a whole number"),
    maxValue: optionalInt(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, "a whole number"),
  })
  .superRefine((a, ctx) => {
    const misplaced = (
      keys: readonly ("minLength" | "maxLength" | "minValue" | "maxValue")[],
      type: string,
    ) => {
      for (const key of keys) {
        if (a[key] !== undefined && a.type !== type) {
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: `expected ${key} only on a ${type} attribute (this one is ${a.type})`,
          });
        }
      }
    };
    misplaced(["minLength", "maxLength"], "String");
    misplaced(["minValue", "maxValue"], "Number");
    for (const [min, max] of [
      ["minLength", "maxLength"],
      ["minValue", "maxValue"],
    ] as const) {
      const lo = a[min];
      const hi = a[max];
      if (lo !== undefined && hi !== undefined && lo > hi) {
        ctx.addIssue({ code: "custom", path: [min], message: `expected ${min} at most ${max} (${hi})` });
      }
    }
  });

export type CustomAttributeConfig = z.output<typeof customAttribute>;

export const customAttributes = z
  .array(customAttribute)
  .max(MAX_CUSTOM_ATTRIBUTES - BRIDGE_CUSTOM_ATTRIBUTES.length, {
    error: `expected at most ${MAX_CUSTOM_ATTRIBUTES - BRIDGE_CUSTOM_ATTRIBUTES.length} custom attributes (a user pool holds ${MAX_CUSTOM_ATTRIBUTES}, the bridge uses ${BRIDGE_CUSTOM_ATTRIBUTES.length})`,
  });

/** How a standard or declared custom attribute is named in mappings, tokens and client permissions. */
export function attributeNames(declared: readonly { name?: unknown }[]): {
  standard: readonly string[];
  custom: readonly string[];
} {
  return {
    standard: MAPPABLE_STANDARD_ATTRIBUTES,
    custom: declared.flatMap((a) => (typeof a?.name === "string" ? [`${CUSTOM_PREFIX}${a.name}`] : [])),
  };
}

/** The enterprise-extension fields of an Identity Store user that the Lambda can keep in step. */
export const ENTERPRISE_FIELDS = [
  "department",
  "costCenter",
  "organization",
  "division",
  "employeeNumber",
] as const;

/** `cognito.provisioning.enterpriseAttributes`: enterprise field → Cognito attribute it is read from. */
export const enterpriseAttributes = z.partialRecord(
  z.enum(ENTERPRISE_FIELDS, { error: `expected an enterprise field: ${ENTERPRISE_FIELDS.join(", ")}` }),
  z.string().min(1, { error: "expected a Cognito attribute such as custom:department" }),
  { error: "expected an object of enterprise field → Cognito attribute" },
);
