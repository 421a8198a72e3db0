import { cleanName, DISPLAY_NAME_MAX_LENGTH, NAME_MAX_LENGTH, truncate } from "./text";

export interface PersonNames {
  readonly givenName: string;
  readonly familyName: string;
  readonly displayName: string;
}

export interface NameSources {
  readonly givenName?: string;
  readonly familyName?: string;
  /** The OIDC `name` claim (full name). */
  readonly name?: string;
  /** Lowercased, validated email address (contains exactly one "@"). */
  readonly email: string;
}

/** Family name used when no source provides one. */
export const DEFAULT_FAMILY_NAME = "User";

interface PartialNames {
  readonly given?: string;
  readonly family?: string;
}

/** Uppercases the first code point. */
function capitalize(part: string): string {
  const first = String.fromCodePoint(part.codePointAt(0) ?? 0x20);
  return first.toUpperCase() + part.slice(first.length);
}

/** "Ada King Lovelace" → Ada / King Lovelace; "Ada" → Ada / (none). */
function splitFullName(name: string | undefined): PartialNames {
  const full = cleanName(name);
  if (full === undefined) return {};
  const space = full.indexOf(" ");
  if (space < 0) return { given: full };
  return { given: full.slice(0, space), family: cleanName(full.slice(space + 1)) };
}

/**
 * Names from the email's local part: any "+tag" is dropped, the rest is split on ".", "_" and "-";
 * the first part is the given name, the remaining parts (capitalized, joined by spaces) the family
 * name: john.doe → John / Doe, mary_ann-van.dyke → Mary / Ann Van Dyke, johndoe → Johndoe / (none).
 */
export function namesFromEmail(email: string): PartialNames {
  let local = email.slice(0, email.lastIndexOf("@"));
  const plus = local.indexOf("+");
  if (plus > 0) local = local.slice(0, plus);
  const parts = local
    .split(/[._-]+/)
    .map((part) => cleanName(part))
    .filter((part): part is string => part !== undefined)
    .map(capitalize);
  if (parts.length === 0) return { given: cleanName(local) };
  const [given, ...rest] = parts;
  return { given: cleanName(given), family: rest.length > 0 ? cleanName(rest.join(" ")) : undefined };
}

/**
 * Given, family and display names for CreateUser. Each name is taken from the first source that
 * has it: the given_name/family_name attributes, then the `name` attribute split at its first
 * space, then the email's local part; a missing family name is "User". Every result is non-empty,
 * uses only characters the Identity Store accepts and fits its length limits.
 */
export function deriveNames(sources: NameSources): PersonNames {
  const fromName = splitFullName(sources.name);
  const fromEmail = namesFromEmail(sources.email);
  const givenName =
    cleanName(sources.givenName) ?? fromName.given ?? fromEmail.given ?? cleanName(sources.email) ?? "User";
  const familyName =
    cleanName(sources.familyName) ?? fromName.family ?? fromEmail.family ?? DEFAULT_FAMILY_NAME;
  return {
    givenName: truncate(givenName, NAME_MAX_LENGTH),
    familyName: truncate(familyName, NAME_MAX_LENGTH),
    displayName: truncate(`${givenName} ${familyName}`, DISPLAY_NAME_MAX_LENGTH).trimEnd(),
  };
}
