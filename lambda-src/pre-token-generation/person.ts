import { identityKey } from "../shared/identity-rule";
import { LoginDeniedError } from "./errors";
import type { UserAttributesOfInterest } from "./event";
import { deriveNames, type PersonNames } from "./names";
import { USER_NAME_MAX_LENGTH, USER_NAME_PATTERN } from "./text";

/** What CreateUser needs about the person. */
export interface Person {
  /** UserName and primary email: the lowercased email (IdC matches the SAML NameID against it). */
  readonly userName: string;
  readonly names: PersonNames;
}

export interface EmailPolicy {
  readonly requireVerifiedEmail: boolean;
  /** Upstream providers whose emails count as verified (SAML upstreams send no email_verified). */
  readonly trustedEmailProviders?: ReadonlySet<string>;
}

/** One "@" with something on both sides; characters the Identity Store allows in a UserName. */
function isUsableEmail(email: string): boolean {
  const at = email.indexOf("@");
  return (
    email.length <= USER_NAME_MAX_LENGTH &&
    USER_NAME_PATTERN.test(email) &&
    at > 0 &&
    at === email.lastIndexOf("@") &&
    at < email.length - 1
  );
}

/**
 * Verified when Cognito says so. Only when the event carries no `email_verified` at all (SAML upstreams send
 * none) may trust stand in: when every upstream identity of the user comes from a provider trusted for email
 * (a user linked to any untrusted provider needs the claim: its email may come from that provider). An
 * explicit `email_verified` other than "true" is never overridden by trust, whatever the provider.
 */
function isVerified(attributes: UserAttributesOfInterest, policy: EmailPolicy): boolean {
  if (attributes.emailVerified !== undefined) return attributes.emailVerified === "true";
  const providers = attributes.identityProviders ?? [];
  const trusted = policy.trustedEmailProviders ?? new Set<string>();
  return providers.length > 0 && providers.every((provider) => trusted.has(provider));
}

/**
 * Applies the sign-in policy to the person's attributes and returns what to provision. Throws
 * LoginDeniedError (the message is shown to the person) when the email is missing, unverified while
 * verification is required, or would not be the NameID Cloudflare sends. The UserName is the email's
 * identity key (lambda-src/shared/identity-rule.ts, the rule every part of the bridge uses), with one policy
 * of its own on top: Cloudflare asserts `$lowercase(email)` of the raw claim, so an address whose key differs
 * from its trimmed, lowercased raw form (not in Unicode normalization form C) is refused instead of being
 * "repaired" into a UserName that IdC would never match.
 */
export function personFromAttributes(attributes: UserAttributesOfInterest, policy: EmailPolicy): Person {
  const key = identityKey(attributes.email);
  if (!key.ok && key.problem === "missing") {
    throw new LoginDeniedError(
      "missing-email",
      "Sign-in denied: your account has no email address, which AWS IAM Identity Center requires.",
    );
  }
  if (policy.requireVerifiedEmail && !isVerified(attributes, policy)) {
    throw new LoginDeniedError(
      "unverified-email",
      "Sign-in denied: your email address is not verified. Verify it, then sign in again.",
    );
  }
  if (!key.ok) {
    throw new LoginDeniedError(
      "unusable-email",
      "Sign-in denied: your email address contains whitespace or invisible characters, so AWS IAM Identity Center could not match it. Ask your administrator to correct it in your identity provider.",
    );
  }
  const trimmed = attributes.email!.replace(/^[\s\p{Z}]+|[\s\p{Z}]+$/gu, "");
  if (trimmed !== trimmed.normalize("NFC") || key.key !== trimmed.toLowerCase()) {
    throw new LoginDeniedError(
      "email-not-normalized",
      "Sign-in denied: your email address is not in Unicode normalization form C (NFC), so AWS IAM Identity Center could not match it. Ask your administrator to store it in NFC form in your identity provider.",
    );
  }
  const userName = key.key;
  if (!isUsableEmail(userName)) {
    throw new LoginDeniedError(
      "unusable-email",
      `Sign-in denied: your email address cannot be used as an AWS IAM Identity Center user name (it must be a single address of at most ${USER_NAME_MAX_LENGTH} characters, without spaces).`,
    );
  }
  return {
    userName,
    names: deriveNames({
      givenName: attributes.givenName,
      familyName: attributes.familyName,
      name: attributes.name,
      email: userName,
    }),
  };
}
