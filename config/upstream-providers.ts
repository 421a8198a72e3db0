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

/** Where OpenID Connect Discovery 1.0 (section 4) puts the provider configuration under an issuer. */
const DISCOVERY_SUFFIX = "/.well-known/openid-configuration";

/**
 * An OIDC issuer as Cognito takes it (CreateIdentityProvider, ProviderDetails oidc_issuer): Cognito appends
 * /.well-known/openid-configuration itself and compares the discovered `issuer` with this value, so the
 * document's URL, a query or a fragment here fails every sign-in.
 */
const issuerUrl = httpsUrl
  .refine((u) => !u.replace(/\/+$/, "").endsWith(DISCOVERY_SUFFIX), {
    error: `expected the issuer itself, such as https://accounts.google.com: without ${DISCOVERY_SUFFIX}, which Cognito appends`,
  })
  .refine((u) => !/[?#]/.test(u), { error: "expected an issuer URL without a query or fragment" })
  .meta({ pattern: "^https://[^?#]*$", not: { pattern: "/\\.well-known/openid-configuration/*$" } });

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
      issuerUrl: issuerUrl,
      scopes: z
        .array(
          z
            .string()
            .regex(/^[\w:./-]+$/, { error: "expected an OAuth scope such as openid, email or profile" }),
        )
        // Cognito asks the upstream for an ID token: an authorization request without openid is plain OAuth,
        // which returns none, so every sign-in fails (OpenID Connect Core 1.0, 3.1.2.1: scope MUST contain openid).
        .refine((s) => s.includes("openid"), {
          error:
            'expected "openid" among the scopes (Cognito needs the upstream\'s ID token), such as ["openid", "email", "profile"]',
        })
        .meta({ contains: { const: "openid" } })
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

/** The environment variable that carries an upstream OIDC provider's client secret into Terraform. */
export function upstreamSecretVariable(providerName: string): string {
  return `TF_VAR_upstream_${providerName.toLowerCase().replace(/[^a-z0-9]/g, "_")}_client_secret`;
}
