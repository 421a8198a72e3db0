import fc from "fast-check";
import { SESSION_TAG_VALUE_MAX_LENGTH, SESSION_TAG_VALUE_PATTERN, sessionTags } from "./session-tags";

/** What a role's `requiredGroups` condition does: StringLike aws:RequestTag/groups = *:<group>:* */
function requiredGroupMatches(tagValue: string, group: string): boolean {
  return tagValue.includes(`:${group}:`);
}

describe("sessionTags", () => {
  it("has the shape IAM reads: principal_tags values are arrays of one string", () => {
    expect(sessionTags(["readers", "admins"], "ada@example.com").claim).toEqual({
      principal_tags: { groups: [":admins:readers:"], email: ["ada@example.com"] },
    });
    expect(sessionTags([], "ada@example.com").claim.principal_tags.groups).toEqual([":"]);
  });

  it("leaves out groups with characters a tag value cannot hold, or the ':' delimiter, and says so", () => {
    const tags = sessionTags(["ok", "a:b", "b", "c&d", "Platform Admins"], "ada@example.com");
    expect(tags.claim.principal_tags.groups).toEqual([":Platform Admins:b:ok:"]);
    expect(tags.omittedGroups).toEqual([
      { group: "a:b", reason: "characters" },
      { group: "c&d", reason: "characters" },
    ]);
    // "a:b" left in would have satisfied a condition requiring group "b" or "a".
    expect(requiredGroupMatches(tags.claim.principal_tags.groups[0], "a")).toBe(false);
  });

  it("never cuts a name: a group that does not fit in 256 characters is left out whole", () => {
    const long = (prefix: string) => `${prefix}${"x".repeat(99)}`;
    const tags = sessionTags([long("a"), long("b"), long("c"), "z"], "ada@example.com");
    const value = tags.claim.principal_tags.groups[0];
    expect([...value].length).toBeLessThanOrEqual(SESSION_TAG_VALUE_MAX_LENGTH);
    expect(value).toBe(`:${long("a")}:${long("b")}:z:`);
    expect(tags.omittedGroups).toEqual([{ group: long("c"), reason: "length" }]);
  });

  it("leaves out an email a tag value cannot hold", () => {
    const tags = sessionTags([], "o'brien@example.com");
    expect(tags.emailOmitted).toBe(true);
    expect(tags.claim.principal_tags.email).toBeUndefined();
  });

  it("for any groups: a valid tag value, and a required group matches exactly when it was included", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 60 }), { maxLength: 30 }), (groups) => {
        const tags = sessionTags(groups, "ada@example.com");
        const value = tags.claim.principal_tags.groups[0];
        expect([...value].length).toBeLessThanOrEqual(SESSION_TAG_VALUE_MAX_LENGTH);
        expect(value).toMatch(SESSION_TAG_VALUE_PATTERN);
        const omitted = new Set(tags.omittedGroups.map((entry) => entry.group));
        for (const group of groups) {
          if (!omitted.has(group)) expect(requiredGroupMatches(value, group)).toBe(true);
        }
        // No condition for a group the person is not in can match.
        const included = value.split(":").filter((part) => part !== "");
        for (const part of included) expect(groups).toContain(part);
      }),
    );
  });
});
