import fc from "fast-check";
import { idFromName } from "./naming";

describe("idFromName", () => {
  it("keeps readable names as they are", () => {
    expect(idFromName("platform-admins")).toBe("platform-admins");
    expect(idFromName("Admin", "readers", "111111111111")).toBe("Admin~readers~111111111111");
  });

  it("keeps names apart that only a separator inside a name would join", () => {
    expect(idFromName("a--b", "c")).not.toBe(idFromName("a", "b--c"));
    expect(idFromName("a b")).not.toBe(idFromName("a-b"));
  });

  it("gives different tuples of names different ids, never containing a path separator", () => {
    const part = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom("a", "b", "c", "a-b", "a b", "a--b", "b--c", "-", "~"),
    );
    fc.assert(
      fc.property(
        fc.array(part, { minLength: 1, maxLength: 3 }),
        fc.array(part, { minLength: 1, maxLength: 3 }),
        (a, b) => {
          const [idA, idB] = [idFromName(...a), idFromName(...b)];
          expect(idA).not.toContain("/");
          if (a.length === b.length && a.every((x, i) => x === b[i])) expect(idA).toBe(idB);
          else expect(idA).not.toBe(idB);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
