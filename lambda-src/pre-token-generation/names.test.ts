import { deriveNames, namesFromEmail } from "./names";

describe("deriveNames", () => {
  it("uses given_name and family_name when present", () => {
    expect(
      deriveNames({ givenName: "Ada", familyName: "Lovelace", name: "Someone Else", email: "x.y@z.io" }),
    ).toEqual({
      givenName: "Ada",
      familyName: "Lovelace",
      displayName: "Ada Lovelace",
    });
  });

  it("splits the name attribute at its first space when given/family names are missing", () => {
    expect(deriveNames({ name: "  Ada   King Lovelace ", email: "x@z.io" })).toEqual({
      givenName: "Ada",
      familyName: "King Lovelace",
      displayName: "Ada King Lovelace",
    });
  });

  it.each([
    ["john.doe@example.com", "John", "Doe"],
    ["mary_ann-van.dyke@example.com", "Mary", "Ann Van Dyke"],
    ["johndoe@example.com", "Johndoe", "User"],
    ["john.doe+aws@example.com", "John", "Doe"],
    ["..john__doe--@example.com", "John", "Doe"],
    ["élodie.ßmith@example.com", "Élodie", "SSmith"],
    ["+tag@example.com", "+tag", "User"],
    ["._-@example.com", "._-", "User"],
  ])("derives names from the email %s", (email, givenName, familyName) => {
    expect(deriveNames({ email })).toEqual({
      givenName,
      familyName,
      displayName: `${givenName} ${familyName}`,
    });
  });

  it("fills a missing part from the next source", () => {
    expect(deriveNames({ givenName: "Johnny", email: "john.doe@example.com" })).toMatchObject({
      givenName: "Johnny",
      familyName: "Doe",
    });
    expect(deriveNames({ familyName: "Doe", name: "Jane", email: "jd@example.com" })).toMatchObject({
      givenName: "Jane",
      familyName: "Doe",
    });
    expect(deriveNames({ givenName: "Cher", email: "cher@example.com" })).toMatchObject({
      givenName: "Cher",
      familyName: "User",
    });
  });

  it("ignores attributes that are empty after cleaning", () => {
    expect(
      deriveNames({
        givenName: " \u200b\t",
        familyName: "\u0000",
        name: "\n",
        email: "john.doe@example.com",
      }),
    ).toEqual({
      givenName: "John",
      familyName: "Doe",
      displayName: "John Doe",
    });
  });

  it("replaces control and format characters and lone surrogates with spaces", () => {
    const names = deriveNames({ givenName: "Jo\u0007hn\uD800", familyName: "D\u200Boe", email: "x@y.z" });
    expect(names).toEqual({ givenName: "Jo hn", familyName: "D oe", displayName: "Jo hn D oe" });
  });

  it("keeps names within the Identity Store limits without splitting surrogate pairs", () => {
    const names = deriveNames({
      givenName: `${"a".repeat(1023)}😀`,
      familyName: "b".repeat(2048),
      email: "x@y.z",
    });
    expect(names.givenName).toBe("a".repeat(1023));
    expect(names.familyName).toBe("b".repeat(1024));
    expect(names.displayName).toBe("a".repeat(1023));
    expect(names.displayName.length).toBeLessThanOrEqual(1024);
  });
});

describe("namesFromEmail", () => {
  it("returns only a given name for a single part", () => {
    expect(namesFromEmail("johndoe@example.com")).toEqual({ given: "Johndoe", family: undefined });
  });
});
