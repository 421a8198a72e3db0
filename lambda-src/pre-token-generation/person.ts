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
 * Applies the sign-in policy to the person's attributes and returns what to provision.
 * Throws LoginDeniedError (the message is shown to the person) when the email is missing,
 * unverified while verification is required, or unusable as an Identity Store UserName.
 */
export function personFromAttributes(
  attributes: UserAttributesOfInterest,
  options: { readonly requireVerifiedEmail: boolean },
): Person {
  if (attributes.email === undefined || attributes.email.trim() === "") {
    throw new LoginDeniedError(
      "missing-email",
      "Sign-in denied: your account has no email address, which AWS IAM Identity Center requires.",
    );
  }
  if (options.requireVerifiedEmail && attributes.emailVerified !== "true") {
    throw new LoginDeniedError(
      "unverified-email",
      "Sign-in denied: your email address is not verified. Verify it, then sign in again.",
    );
  }
  const userName = attributes.email.toLowerCase();
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
