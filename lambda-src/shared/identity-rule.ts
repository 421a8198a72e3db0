/**
 * The one identity rule: how every Lambda and command turns an email or an Identity Store UserName into the
 * key that says who a person is. The JIT Lambda, the deprovisioner and `doctor` all call `identityKey`, so
 * two parts of the bridge can never disagree about whether two spellings are the same person.
 *
 * The rule: trim surrounding whitespace, Unicode normalization form C, lowercase (as Cloudflare's
 * `$lowercase(email)` NameID and IdC's case-insensitive UserName do); refuse any control, format (invisible)
 * or inner whitespace character, because no IdC user can be matched through one.
 */

/** Why a raw value has no identity key. */
export type IdentityProblem = "missing" | "invisible-or-control" | "whitespace";

export type IdentityKeyResult =
  { readonly ok: true; readonly key: string } | { readonly ok: false; readonly problem: IdentityProblem };

/** Control (Cc), format (Cf: zero-width, bidi marks, soft hyphen…), unassigned or private-use code points, lone surrogates. */
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}]/u;
/** Any whitespace (incl. no-break and ideographic spaces) or line/paragraph separator. */
const WHITESPACE = /[\s\p{Z}]/u;

/** The identity key of an email or UserName, or why it has none. */
export function identityKey(raw: string | undefined | null): IdentityKeyResult {
  if (raw === undefined || raw === null) return { ok: false, problem: "missing" };
  const trimmed = raw.normalize("NFC").replace(/^[\s\p{Z}]+|[\s\p{Z}]+$/gu, "");
  if (trimmed === "") return { ok: false, problem: "missing" };
  if (INVISIBLE_OR_CONTROL.test(trimmed)) return { ok: false, problem: "invisible-or-control" };
  if (WHITESPACE.test(trimmed)) return { ok: false, problem: "whitespace" };
  // Lowercasing can leave NFC (e.g. U+0130 → "i̇"): normalise once more so the key is always NFC.
  return { ok: true, key: trimmed.toLowerCase().normalize("NFC") };
}

/** The identity key, or undefined where the value names nobody (for lookups: such a value matches no one). */
export function identityKeyOf(raw: string | undefined | null): string | undefined {
  const result = identityKey(raw);
  return result.ok ? result.key : undefined;
}

/** Whether two raw values (emails or UserNames) name the same person under the identity rule. */
export function sameIdentity(a: string | undefined | null, b: string | undefined | null): boolean {
  const left = identityKeyOf(a);
  return left !== undefined && left === identityKeyOf(b);
}
