/**
 * The person's groups: `cognito:groups` plus, with GROUPS_ATTRIBUTE, the values of a custom attribute
 * mapped from an upstream's groups claim. Cognito stores a multi-valued upstream claim in a string
 * attribute in one of two forms (custom attributes are strings only):
 * - a JSON array, e.g. `["admins","readers"]` (an OIDC array claim; see grafana/grafana#92801), or
 * - `[admins, readers]`: the values, comma-separated, in brackets (a multi-valued SAML attribute; see
 *   oauth2-proxy/oauth2-proxy#1765, "custom:groups": "[test-group-two, test-group-one]").
 * A single value arrives as it is, and IdPs configured to send one delimited value send `a,b`.
 *
 * Values are split on commas only, never on whitespace: an upstream group named "Not Admins" must never
 * become "Not" and "Admins" (and with it membership of a group mapped from "Admins").
 */
import { MAX_GROUP_NAME_LENGTH, MAX_GROUPS } from "./event";

function clean(values: readonly unknown[]): string[] {
  return values
    .filter((value): value is string => typeof value === "string")
    .map((value) => value.trim())
    .filter((value) => value !== "" && value.length <= MAX_GROUP_NAME_LENGTH);
}

/** The group names held in the groups attribute (empty when unset or empty). */
export function parseGroupsAttribute(value: string | undefined): string[] {
  const text = value?.trim() ?? "";
  if (text === "") return [];
  if (text.startsWith("[") && text.endsWith("]")) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return clean(parsed).slice(0, MAX_GROUPS);
    } catch {
      // the SAML form: [a, b]
    }
    return clean(text.slice(1, -1).split(",")).slice(0, MAX_GROUPS);
  }
  return clean(text.split(",")).slice(0, MAX_GROUPS);
}

/** `cognito:groups` ∪ the attribute's groups, each once, in order of appearance. */
export function effectiveGroups(
  cognitoGroups: readonly string[],
  attributeGroups: readonly string[],
): string[] {
  return [...new Set([...cognitoGroups, ...attributeGroups])];
}
