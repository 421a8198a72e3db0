/** fast-check arbitraries for hostile text: any code point, lone surrogates, controls, separators. */
import fc from "fast-check";

/** One "character": any code point, a lone surrogate, or a character with special meaning here. */
export const anyChar: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      ".",
      "_",
      "-",
      "+",
      "@",
      " ",
      "\t",
      "\n",
      "\u00a0",
      "\u200b",
      "\u2028",
      "\u0000",
      "ß",
      "İ",
      "😀",
    ),
  },
  { weight: 4, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 }) },
);

/** Short hostile text, sometimes very long (beyond the Identity Store limits). */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: fc.string({ unit: anyChar, maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: anyChar, minLength: 1000, maxLength: 1100 }) },
);

/** Email-like strings: real addresses, hostile local parts and domains, and plain garbage. */
export const anyEmail: fc.Arbitrary<string> = fc.oneof(
  fc.emailAddress(),
  fc
    .tuple(fc.string({ unit: anyChar, minLength: 1, maxLength: 40 }), fc.domain())
    .map(([local, domain]) => `${local}@${domain}`),
  fc.tuple(anyText, anyText).map(([local, domain]) => `${local}@${domain}`),
  anyText,
);
