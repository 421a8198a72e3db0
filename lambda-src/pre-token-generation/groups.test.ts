import { effectiveGroups, parseGroupsAttribute } from "./groups";

describe("parseGroupsAttribute", () => {
  it.each<[string | undefined, string[]]>([
    [undefined, []],
    ["", []],
    ["  ", []],
    // An OIDC array claim mapped to a custom attribute: a JSON array string.
    ['["admins","readers"]', ["admins", "readers"]],
    ['["Platform Admins", "a,b"]', ["Platform Admins", "a,b"]],
    // A multi-valued SAML attribute as Cognito stores it: [value1, value2].
    ["[test-group-two, test-group-one]", ["test-group-two", "test-group-one"]],
    ["[Platform Admins, readers]", ["Platform Admins", "readers"]],
    ["[]", []],
    // A single value, or one delimited value.
    ["admins", ["admins"]],
    ["admins,readers, auditors", ["admins", "readers", "auditors"]],
    ["[not json", ["[not json"]],
  ])("reads %j as %j", (value, groups) => {
    expect(parseGroupsAttribute(value)).toEqual(groups);
  });

  it("never splits on whitespace (a group 'Not Admins' must not yield 'Admins')", () => {
    expect(parseGroupsAttribute("Not Admins")).toEqual(["Not Admins"]);
    expect(parseGroupsAttribute("[Not Admins]")).toEqual(["Not Admins"]);
  });

  it("ignores non-string JSON entries and over-long names", () => {
    expect(parseGroupsAttribute(`["ok", 42, null, "${"x".repeat(200)}"]`)).toEqual(["ok"]);
  });
});

describe("effectiveGroups", () => {
  it("unions cognito:groups with the attribute's groups, each once", () => {
    expect(effectiveGroups(["admins", "readers"], ["readers", "okta-devs"])).toEqual([
      "admins",
      "readers",
      "okta-devs",
    ]);
  });
});
