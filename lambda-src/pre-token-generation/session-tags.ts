/**
 * The IAM session-tags claim for ID tokens issued to the IAM federation client. IAM reads
 * `https://aws.amazon.com/tags` from a web identity token on AssumeRoleWithWebIdentity ("Passing session
 * tags using AssumeRoleWithWebIdentity", IAM User Guide): `principal_tags` maps each tag key to an array
 * holding its one value (`transitive_tag_keys` is optional and not used here).
 *
 * `groups` = `:g1:g2:` so that a role can require a group with `StringLike aws:RequestTag/groups =
 * *:<group>:*`. A session tag value is at most 256 characters of letters, separators (spaces), digits and
 * `_ . : / = + - @` (STS `tagValueType`: `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`). So:
 * - a group whose name holds any other character, or `:` (the delimiter: `a:b` would match `*:b:*`), is
 *   left out: it could not be required anyway, and a mangled name could match another group's condition;
 * - groups are packed in code-point order, each whole or not at all (a truncated name could match a
 *   shorter group's condition); one that no longer fits is left out and the shorter ones after it are
 *   still tried. Every group left out is logged.
 * The email tag is left out (and logged) when the address holds a character outside that set.
 */
import { SESSION_TAG_KEYS } from "./contract";

export const SESSION_TAG_VALUE_MAX_LENGTH = 256;
/** STS tagValueType pattern, full match. */
export const SESSION_TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** A group usable in the `groups` tag: the tag value characters except the delimiter. */
const GROUP_PATTERN = /^[\p{L}\p{Z}\p{N}_./=+\-@]+$/u;

export interface OmittedGroup {
  readonly group: string;
  readonly reason: "characters" | "length";
}

export interface SessionTags {
  /** The value of the `https://aws.amazon.com/tags` claim. */
  readonly claim: { readonly principal_tags: Readonly<Record<string, readonly [string]>> };
  readonly omittedGroups: readonly OmittedGroup[];
  readonly emailOmitted: boolean;
}

function length(value: string): number {
  return [...value].length;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sessionTags(groups: readonly string[], email: string): SessionTags {
  const omittedGroups: OmittedGroup[] = [];
  const included: string[] = [];
  let value = ":";
  for (const group of [...new Set(groups)].sort(byCodePoint)) {
    if (!GROUP_PATTERN.test(group)) {
      omittedGroups.push({ group, reason: "characters" });
    } else if (length(value) + length(group) + 1 > SESSION_TAG_VALUE_MAX_LENGTH) {
      omittedGroups.push({ group, reason: "length" });
    } else {
      included.push(group);
      value = `${value}${group}:`;
    }
  }
  const emailUsable = length(email) <= SESSION_TAG_VALUE_MAX_LENGTH && SESSION_TAG_VALUE_PATTERN.test(email);
  const principalTags: Record<string, readonly [string]> = { [SESSION_TAG_KEYS.groups]: [value] };
  if (emailUsable) principalTags[SESSION_TAG_KEYS.email] = [email];
  return { claim: { principal_tags: principalTags }, omittedGroups, emailOmitted: !emailUsable };
}
