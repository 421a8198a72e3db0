import fc from "fast-check";
import { identityKey, identityKeyOf, sameIdentity } from "./identity-rule";

describe("identityKey (the one identity rule)", () => {
  it.each([
    ["Jane.Doe@Example.COM", "jane.doe@example.com"],
    ["  jane@example.com\t", "jane@example.com"],
    ["\u00a0jane@example.com\u3000", "jane@example.com"],
    // "é" as e + combining acute (NFD) and as one code point (NFC) are one person.
    ["Re\u0301my@example.com", "r\u00e9my@example.com"],
    ["R\u00c9MY@example.com", "r\u00e9my@example.com"],
  ])("%j → %j", (raw, key) => {
    expect(identityKey(raw)).toEqual({ ok: true, key });
  });

  it.each([
    [undefined, "missing"],
    [null, "missing"],
    ["", "missing"],
    ["   ", "missing"],
    ["jane\u200b@example.com", "invisible-or-control"],
    ["jane@example.com\u0000", "invisible-or-control"],
    ["\u202ejane@example.com", "invisible-or-control"],
    ["jane doe@example.com", "whitespace"],
    ["jane\u00a0doe@example.com", "whitespace"],
  ])("%j is refused (%s)", (raw, problem) => {
    expect(identityKey(raw)).toEqual({ ok: false, problem });
  });

  it("keys are fixed points: a key names itself", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (raw) => {
        const key = identityKeyOf(raw);
        if (key !== undefined) expect(identityKeyOf(key)).toBe(key);
      }),
    );
  });

  it("spaces around, case and Unicode form never change who a value names", () => {
    const pad = fc.constantFrom("", " ", "\t", "\u00a0", "  \n");
    fc.assert(
      fc.property(
        fc.emailAddress(),
        pad,
        pad,
        fc.boolean(),
        fc.boolean(),
        (email, before, after, upper, nfd) => {
          let variant = upper ? email.toUpperCase() : email;
          variant = nfd ? variant.normalize("NFD") : variant;
          expect(sameIdentity(email, `${before}${variant}${after}`)).toBe(identityKeyOf(email) !== undefined);
        },
      ),
    );
  });

  it("a value that names nobody is never the same person as anything", () => {
    expect(sameIdentity(undefined, undefined)).toBe(false);
    expect(sameIdentity("", "")).toBe(false);
    expect(sameIdentity("a\u200b@x.io", "a\u200b@x.io")).toBe(false);
  });
});
