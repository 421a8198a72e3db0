import fc from "fast-check";
import { deriveNames } from "./names";
import { anyEmail, anyText } from "./test-support/arbitraries";
import { DISPLAY_NAME_MAX_LENGTH, NAME_MAX_LENGTH, NAME_PATTERN } from "./text";

function expectValidName(value: string, max: number): void {
  expect(typeof value).toBe("string");
  expect(value.length).toBeGreaterThan(0);
  expect(value.length).toBeLessThanOrEqual(max);
  expect(value).toMatch(NAME_PATTERN);
  expect(value).toBe(value.trim());
  // Well-formed UTF-16: no lone surrogates.
  expect(/\p{Cs}/u.test(value)).toBe(false);
}

describe("deriveNames (property-based)", () => {
  it("always returns non-empty, valid names within the Identity Store limits", () => {
    fc.assert(
      fc.property(
        fc.option(anyText, { nil: undefined }),
        fc.option(anyText, { nil: undefined }),
        fc.option(anyText, { nil: undefined }),
        anyEmail.filter((email) => email.includes("@")),
        (givenName, familyName, name, email) => {
          const names = deriveNames({ givenName, familyName, name, email: email.toLowerCase() });
          expectValidName(names.givenName, NAME_MAX_LENGTH);
          expectValidName(names.familyName, NAME_MAX_LENGTH);
          expectValidName(names.displayName, DISPLAY_NAME_MAX_LENGTH);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("derives Given / Family from dotted ASCII local parts", () => {
    const word = fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/);
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 4 }),
        fc.constantFrom(".", "_", "-"),
        (parts, sep) => {
          const names = deriveNames({ email: `${parts.join(sep)}@example.com` });
          const cap = (part: string): string => part[0].toUpperCase() + part.slice(1);
          expect(names.givenName).toBe(cap(parts[0]));
          expect(names.familyName).toBe(parts.length > 1 ? parts.slice(1).map(cap).join(" ") : "User");
          expect(names.displayName).toBe(`${names.givenName} ${names.familyName}`);
        },
      ),
    );
  });

  it("keeps clean given_name/family_name unchanged", () => {
    const clean = fc.stringMatching(/^[A-Za-z][A-Za-z' -]{0,30}[a-z]$/).map((s) => s.replace(/ +/g, " "));
    fc.assert(
      fc.property(clean, clean, (givenName, familyName) => {
        expect(deriveNames({ givenName, familyName, email: "x@y.z" })).toEqual({
          givenName,
          familyName,
          displayName: `${givenName} ${familyName}`,
        });
      }),
    );
  });
});
