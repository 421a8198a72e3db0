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
    ["with a space", "john doe@example.com"],
    ["with two @", "john@doe@example.com"],
    ["without @", "johndoe.example.com"],
    ["with nothing before @", "@example.com"],
    ["with nothing after @", "john@"],
    ["with a control character", "jo\u0000hn@example.com"],
  ])("denies an email unusable as a user name (%s)", (_label, email) => {
    const error = denial(() => personFromAttributes({ email, emailVerified: "true" }, strict));
    expect(error.reason).toBe("unusable-email");
    expect(error.message).toContain("cannot be used as an AWS IAM Identity Center user name");
  });
});
