import fc from "fast-check";
import { identityKeyOf } from "../shared/identity-rule";
import { LoginDeniedError } from "./errors";
import { personFromAttributes } from "./person";

const strict = { requireVerifiedEmail: true };

function denial(run: () => unknown): LoginDeniedError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(LoginDeniedError);
    return error as LoginDeniedError;
  }
  throw new Error("expected a LoginDeniedError");
}

describe("personFromAttributes", () => {
  it("uses the lowercased email as user name", () => {
    expect(personFromAttributes({ email: "John.Doe@Example.COM", emailVerified: "true" }, strict)).toEqual({
      userName: "john.doe@example.com",
      names: { givenName: "John", familyName: "Doe", displayName: "John Doe" },
    });
  });

  it.each([undefined, "", "   "])("denies a missing email (%j)", (email) => {
    const error = denial(() => personFromAttributes({ email, emailVerified: "true" }, strict));
    expect(error.reason).toBe("missing-email");
    expect(error.message).toBe(
      "Sign-in denied: your account has no email address, which AWS IAM Identity Center requires.",
    );
  });

  it.each([undefined, "false", "True", "1", ""])(
    "denies email_verified=%j while verification is required",
    (flag) => {
      const error = denial(() => personFromAttributes({ email: "a@b.c", emailVerified: flag }, strict));
      expect(error.reason).toBe("unverified-email");
      expect(error.message).toBe(
        "Sign-in denied: your email address is not verified. Verify it, then sign in again.",
      );
    },
  );

  it("accepts an unverified email when verification is not required", () => {
    const person = personFromAttributes(
      { email: "A@B.C", emailVerified: "false" },
      { requireVerifiedEmail: false },
    );
    expect(person.userName).toBe("a@b.c");
  });

  it.each([
    ["too long", `${"a".repeat(120)}@example.com`],
    ["with two @", "john@doe@example.com"],
    ["without @", "johndoe.example.com"],
    ["with nothing before @", "@example.com"],
    ["with nothing after @", "john@"],
  ])("denies an email unusable as a user name (%s)", (_label, email) => {
    const error = denial(() => personFromAttributes({ email, emailVerified: "true" }, strict));
    expect(error.reason).toBe("unusable-email");
    expect(error.message).toContain("cannot be used as an AWS IAM Identity Center user name");
  });

  it("trims the email, as Cloudflare's NameID would be compared with the trimmed claim", () => {
    expect(
      personFromAttributes({ email: "  Ada@Example.com\t", emailVerified: "true" }, strict).userName,
    ).toBe("ada@example.com");
  });

  it.each([
    ["a space inside", "john doe@example.com"],
    ["a no-break space inside", "john\u00a0doe@example.com"],
    ["a zero-width space", "john\u200bdoe@example.com"],
    ["a control character", "jo\u0000hn@example.com"],
  ])("denies an email with %s, naming the problem", (_label, email) => {
    const error = denial(() => personFromAttributes({ email, emailVerified: "true" }, strict));
    expect(error.reason).toBe("unusable-email");
    expect(error.message).toContain("contains whitespace or invisible characters");
  });

  it("denies an address that is not NFC-normalized instead of normalizing it", () => {
    const decomposed = "Jose\u0301@example.com"; // "José" as e + combining acute accent
    const error = denial(() => personFromAttributes({ email: decomposed, emailVerified: "true" }, strict));
    expect(error.reason).toBe("email-not-normalized");
    expect(error.message).toContain("Unicode normalization form C (NFC)");
    expect(
      personFromAttributes({ email: "Jos\u00e9@example.com", emailVerified: "true" }, strict).userName,
    ).toBe("jos\u00e9@example.com");
  });

  describe("trusted email providers", () => {
    const policy = { requireVerifiedEmail: true, trustedEmailProviders: new Set(["Okta"]) };

    it("treats an email from a trusted upstream provider as verified", () => {
      const person = personFromAttributes({ email: "ada@example.com", identityProviders: ["Okta"] }, policy);
      expect(person.userName).toBe("ada@example.com");
    });

    it.each([
      ["an untrusted provider", ["Google"]],
      ["a trusted and an untrusted provider", ["Okta", "Google"]],
      ["no upstream identity (a native user)", []],
    ])("still requires email_verified for %s", (_label, identityProviders) => {
      const error = denial(() =>
        personFromAttributes({ email: "ada@example.com", identityProviders }, policy),
      );
      expect(error.reason).toBe("unverified-email");
    });

    it.each(["false", "False", "", "no"])(
      "never overrides an explicit email_verified=%j, even for a trusted provider",
      (emailVerified) => {
        const error = denial(() =>
          personFromAttributes(
            { email: "ada@example.com", emailVerified, identityProviders: ["Okta"] },
            policy,
          ),
        );
        expect(error.reason).toBe("unverified-email");
      },
    );
  });

  it("names the person by the shared identity rule: the UserName is the email's identity key", () => {
    const policy = { requireVerifiedEmail: false };
    fc.assert(
      fc.property(
        fc.emailAddress(),
        fc.constantFrom("", " ", "\t", "\u00a0"),
        fc.constantFrom("", " ", "\n"),
        fc.boolean(),
        (email, before, after, upper) => {
          const raw = `${before}${upper ? email.toUpperCase() : email}${after}`;
          let userName: string;
          try {
            userName = personFromAttributes({ email: raw }, policy).userName;
          } catch (error) {
            // Only a policy denial, never a silently different name.
            expect(error).toBeInstanceOf(LoginDeniedError);
            return;
          }
          expect(userName).toBe(identityKeyOf(raw));
        },
      ),
    );
  });
});
