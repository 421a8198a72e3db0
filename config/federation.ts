/**
 * The optional federation blocks: `cognito.iamFederation` (IAM OIDC roles for the pool's ID tokens) and
 * `identityCenter.trustedTokenIssuer` (the pool as an IdC trusted token issuer). Each is off unless present.
 *
 * schema.ts builds these from its shared rules (inline-policy parser, account id, integer range), so
 * every block validates those the same way; this file does not import schema.ts (no import cycle).
 */
import { z } from "zod";

export interface SharedRules {
  /** IAM policy JSON (object or string) → compact JSON string. */
  readonly inlinePolicy: z.ZodType<string, unknown>;
  readonly accountId: z.ZodType<string, string>;
  readonly integerInRange: (min: number, max: number, unit: string) => z.ZodNumber;
}

/**
 * IdC access scopes a customer managed OAuth application can be given. Sources: IAM Identity Center User
 * Guide, "Access scopes" (customermanagedapps-saml2-oauth2.html#scopes-oidc) for the OIDC-service scopes;
 * the S3 Access Grants, Lake Formation, Athena, Glue and Amazon Q Business guides for the scopes of trusted
 * identity propagation.
 */
export const IDC_ACCESS_SCOPES = [
  "sso:account:access",
  "codewhisperer:analysis",
  "codewhisperer:completions",
  "codewhisperer:conversations",
  "codewhisperer:taskassist",
  "codewhisperer:transformations",
  "codecatalyst:read_write",
  "verified_access:application:connect",
  "redshift:connect",
  "datazone:domain:access",
  "nosqlworkbench:datamodeladviser",
  "transform:read_write",
  "lakeformation:query",
  "s3:access_grants:read_write",
  "athena:workgroup:read_write",
  "qbusiness:conversations:access",
  "qbusiness:conversations:read_write",
  "qbusiness:messages:access",
  "qbusiness:messages:read_write",
  "qbusiness:content:access",
  "qbusiness:qapps:access",
] as const;

/** Default port of the loopback callback `http://localhost:<port>/callback` of `npm run aws-credentials`. */
export const DEFAULT_CALLBACK_PORT = 8976;

/**
 * A group name as it travels in the `groups` session tag (`:g1:g2:`): IAM tag-value characters only, and
 * no `:` (the separator). IAM's tag values allow letters, digits, spaces and `_ . : / = + - @`.
 */
const GROUP_IN_SESSION_TAG = /^[\p{L}\p{Z}\p{N}_./=+@-]{1,254}$/u;

const managedPolicyArn = z
  .string()
  .regex(/^arn:aws(?:-cn|-us-gov)?:iam::(?:aws|\d{12}):policy\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,128}$/, {
    error:
      "expected a managed policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess or arn:aws:iam::111111111111:policy/team",
  });

/** Cognito accepts https callback URLs, and plain http only for localhost (Cognito developer guide, app clients). */
function isCallbackUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.hash !== "" || value.includes("#") || url.username !== "" || url.password !== "") return false;
  return url.protocol === "https:" || (url.protocol === "http:" && url.hostname === "localhost");
}

function unique<T>(list: z.ZodArray<z.ZodType<T>>, what: string) {
  return list.refine((items) => new Set(items).size === items.length, {
    error: `expected each ${what} once`,
  });
}

export function federationSchemas(rules: SharedRules) {
  const role = z.strictObject({
    name: z.string().regex(/^[\w+=,.@-]{1,64}$/, {
      error: "expected an IAM role name: 1-64 letters, digits and +=,.@_-",
    }),
    description: z.string().max(1000).optional(),
    managedPolicies: unique(z.array(managedPolicyArn), "policy ARN")
      .refine((p) => p.length <= 20, { error: "expected at most 20 managed policies (IAM's limit per role)" })
      .default([]),
    inlinePolicy: rules.inlinePolicy.optional(),
    maxSessionDuration: rules.integerInRange(3600, 43200, " (seconds)").default(3600),
    /**
     * The role may be assumed only with one of these groups in the `groups` session tag (any of them, not
     * all: IAM ORs the values of one condition key). Empty: anyone the pool issues a token to.
     */
    requiredGroups: unique(
      z.array(
        z.string().regex(GROUP_IN_SESSION_TAG, {
          error:
            "expected a group name of 1-254 letters, digits, spaces and _ . / = + - @ (IAM session-tag characters; no ':')",
        }),
      ),
      "group",
    ).default([]),
  });

  const iamFederation = z.strictObject({
    callbackPort: rules.integerInRange(1024, 65535, " (a TCP port)").default(DEFAULT_CALLBACK_PORT),
    roles: z
      .array(role)
      .min(1, { error: "expected at least one role (omit iamFederation to turn IAM federation off)" })
      .superRefine((roles, ctx) => {
        const names = roles.map((r) => (typeof r?.name === "string" ? r.name.toLowerCase() : undefined));
        roles.forEach((r, i) => {
          if (names[i] !== undefined && names.indexOf(names[i]) !== i) {
            // IAM role names are unique regardless of case.
            ctx.addIssue({
              code: "custom",
              path: [i, "name"],
              message: "expected a unique role name (IAM ignores case)",
            });
          }
          if (
            Array.isArray(r?.managedPolicies) &&
            r.managedPolicies.length === 0 &&
            r.inlinePolicy === undefined
          ) {
            ctx.addIssue({
              code: "custom",
              path: [i],
              message: "expected managedPolicies or an inlinePolicy: a role without permissions is of no use",
            });
          }
        });
      }),
  });

  const trustedTokenIssuer = z.strictObject({
    name: z.string().regex(/^[\w+=,.@-]{1,255}$/, {
      error: "expected a trusted token issuer name: 1-255 letters, digits and +=,.@_-",
    }),
    applicationName: z.string().regex(/^[\w+=,.@-]{1,100}$/, {
      error: "expected an application name: 1-100 letters, digits and +=,.@_-",
    }),
    scopes: unique(
      z.array(
        z.enum(IDC_ACCESS_SCOPES, {
          error: `expected an IAM Identity Center access scope: ${IDC_ACCESS_SCOPES.join(", ")}`,
        }),
      ),
      "scope",
    ).refine((s) => s.length > 0, { error: "expected at least one access scope" }),
    tokenExchangeAccounts: unique(z.array(rules.accountId), "account id").refine((a) => a.length > 0, {
      error: "expected at least one account id allowed to call CreateTokenWithIAM",
    }),
    callbackUrls: unique(
      z.array(
        z
          .string()
          .max(1024, { error: "expected a callback URL of at most 1024 characters" })
          .refine(isCallbackUrl, {
            error: "expected an https:// URL, or http://localhost[:port]/…, without a fragment",
          }),
      ),
      "callback URL",
    ).refine((u) => u.length >= 1 && u.length <= 100, { error: "expected 1-100 callback URLs" }),
  });

  return { iamFederation, trustedTokenIssuer };
}

type FederationSchemas = ReturnType<typeof federationSchemas>;
export type IamFederationConfig = z.output<FederationSchemas["iamFederation"]>;
export type IamFederationRoleConfig = IamFederationConfig["roles"][number];
export type TrustedTokenIssuerConfig = z.output<FederationSchemas["trustedTokenIssuer"]>;
export type IdcAccessScope = (typeof IDC_ACCESS_SCOPES)[number];
