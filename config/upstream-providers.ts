import { z } from "zod";
import { httpsUrl } from "./primitives";

/**
 * Upstream identity providers federated into the user pool. Names follow CreateIdentityProvider (API reference:
 * ProviderName, 3-32 characters, pattern `[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+`, read as a whole-string
 * match: no spaces, and an underscore only as the second character); identifiers follow IdpIdentifiers (up to
 * 50 per provider, 1-40 characters of `[\w\s+=.@-]`, unique within the pool).
 */
const PROVIDER_NAME_PATTERN = /^[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+$/u;
const PRINTABLE = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;

export const providerName = z.string().superRefine((n, ctx) => {
  const length = [...n].length;
  const message =
    length < 3 || length > 32 || !PRINTABLE.test(n) || !PROVIDER_NAME_PATTERN.test(n)
      ? "expected 3-32 letters, digits, symbols or punctuation without spaces, with an underscore only as the " +
        "second character (Cognito's ProviderName pattern [^_\\p{Z}][\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}][^_\\p{Z}]+)"
      : n.toLowerCase() === "cognito"
        ? "expected a name other than the reserved COGNITO (the user pool's own sign-in)"
        : undefined;
  if (message !== undefined) ctx.addIssue({ code: "custom", message });
});

/** AttributeMappingKeyType: a user pool attribute, 1-32 characters (membership is checked against the pool). */
const attributeMapping = z.record(
  z.string().min(1).max(32, { error: "expected a Cognito attribute name of at most 32 characters" }),
  z.string().min(1, { error: "expected the upstream's claim or SAML attribute name" }),
);

const identifiers = z
  .array(
    z.string().regex(/^[\w\s+=.@-]{1,40}$/, {
      error: "expected 1-40 letters, digits, spaces and _+=.@- (an IdP identifier such as an email domain)",
    }),
  )
  .max(50, { error: "expected at most 50 identifiers per provider" });

const common = {
  name: providerName,
  /** Treat this provider's emails as verified (SAML upstreams send no email_verified). */
  trustEmail: z.boolean().default(false),
  /** Identifiers (e.g. email domains) that route a person to this provider in the hosted UI. */
  identifiers: identifiers.optional(),
};

export const upstreamProvider = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      type: z.literal("oidc"),
      ...common,
      clientId: z.string().min(1).max(255),
      issuerUrl: httpsUrl,
      scopes: z
        .array(z.string().regex(/^[\w:./-]+$/, { error: "expected an OAuth scope" }))
        .default(["openid", "email", "profile"]),
      attributeMapping: attributeMapping.default({
        email: "email",
        email_verified: "email_verified",
        given_name: "given_name",
        family_name: "family_name",
      }),
    }),
    z.strictObject({
      type: z.literal("saml"),
      ...common,
      metadataUrl: httpsUrl,
      attributeMapping: attributeMapping.default({
        email: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
      }),
    }),
  ],
  { error: 'expected an upstream provider with "type": "oidc" or "saml"' },
);

export type UpstreamProviderInput = z.input<typeof upstreamProvider>;
