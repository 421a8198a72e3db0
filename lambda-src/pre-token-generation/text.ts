/**
 * String rules of the Identity Store API (CreateUser) and helpers that make any input conform.
 * Lengths are counted in UTF-16 code units, which is never less than the service's count.
 */

export const USER_NAME_MAX_LENGTH = 128;
export const NAME_MAX_LENGTH = 1024;
export const DISPLAY_NAME_MAX_LENGTH = 1024;

/** UserName: letters, marks, symbols, numbers and punctuation; no whitespace. */
export const USER_NAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;
/** GivenName, FamilyName, DisplayName, email Value: as UserName plus some whitespace. */
export const NAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r \u00a0\u3000]+$/u;

/** Every code point outside letters, marks, symbols, numbers and punctuation (incl. lone surrogates). */
const DISALLOWED = /[^\p{L}\p{M}\p{S}\p{N}\p{P}]+/gu;

/** Cuts `value` to at most `max` UTF-16 code units without splitting a surrogate pair. */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  let end = max;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return value.slice(0, end);
}

/**
 * Normalises a free-text name for the Identity Store: anything that is not a letter, mark, symbol,
 * number or punctuation (whitespace, control and format characters, lone surrogates...) becomes a
 * single space; the result is trimmed and cut to `max`. Returns undefined when nothing is left.
 */
export function cleanName(value: string | undefined, max = NAME_MAX_LENGTH): string | undefined {
  if (value === undefined) return undefined;
  const cleaned = truncate(value.replace(DISALLOWED, " ").trim(), max).trimEnd();
  return cleaned === "" ? undefined : cleaned;
}
