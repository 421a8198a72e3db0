/**
 * One identity rule across the bridge: every email the JIT Lambda accepts at sign-in (its own
 * `personFromAttributes`, unchanged) is recognised by the deprovisioner as the same person as the IdC
 * UserName the JIT gives it, whatever the spacing, case or Unicode normalization form of the Cognito email.
 * A mismatch here is the bug of issue 18: an active person judged gone and deleted.
 */
import fc from "fast-check";
import { personFromAttributes } from "../pre-token-generation/person";
import { anyEmail } from "../pre-token-generation/test-support/arbitraries";
import { BRIDGE_USER_TYPE } from "../pre-token-generation/contract";
import { toPerson } from "./cognito";
import { assessUser, CognitoIndex } from "./leavers";

/**
 * How the same address may be spelled in Cognito: spaces around it, another case, NFC or NFD (canonically
 * equivalent forms). A case change counts only where it is one (lowercasing gives the same letter back):
 * "ß" upper-cased is "SS", which is another address (its NameID would be "ss"), not another spelling.
 */
const spelling = fc.record({
  before: fc.constantFrom("", " ", "  ", "\t", "\u00a0"),
  after: fc.constantFrom("", " ", "   ", "\t", "\u00a0", "\u3000"),
  caseMap: fc.constantFrom("as-is", "upper", "lower", "mixed"),
  form: fc.constantFrom("NFC", "NFD"),
});

function recase(c: string, upper: boolean): string {
  const changed = upper ? c.toUpperCase() : c.toLowerCase();
  return changed.toLowerCase() === c.toLowerCase() ? changed : c;
}

function spell(email: string, s: { before: string; after: string; caseMap: string; form: string }): string {
  const cased = [...email]
    .map((c, i) =>
      s.caseMap === "as-is" ? c : recase(c, s.caseMap === "upper" || (s.caseMap === "mixed" && i % 2 === 0)),
    )
    .join("");
  return `${s.before}${cased.normalize(s.form as "NFC" | "NFD")}${s.after}`;
}

/** The JIT's UserName for this raw email, or undefined when the JIT refuses the sign-in. */
function jitUserName(email: string): string | undefined {
  try {
    return personFromAttributes({ email, emailVerified: "true" }, { requireVerifiedEmail: true }).userName;
  } catch {
    return undefined;
  }
}

describe("the JIT Lambda and the deprovisioner agree on who a person is", () => {
  it("every email the JIT accepts, in any spelling, names the IdC user it created", () => {
    let accepted = 0;
    fc.assert(
      fc.property(anyEmail, spelling, spelling, (email, signIn, later) => {
        // The person signs in with one spelling; Cognito may hold it in another when the deprovisioner reads it.
        const userName = jitUserName(spell(email, signIn));
        if (userName === undefined) return;
        accepted += 1;
        for (const cognitoEmail of [spell(email, signIn), spell(email, later)]) {
          if (jitUserName(cognitoEmail) === undefined) continue;
          const person = toPerson("sub-1", true, [{ Name: "email", Value: cognitoEmail }])!;
          const index = new CognitoIndex();
          index.add(person);
          const user = { userId: "u-1", userName, userType: BRIDGE_USER_TYPE };
          expect(index.peopleFor(user)).toEqual([person]);
          // Active and unlinked: never a leaver.
          expect(assessUser(user, index, "2030-06-30", undefined)).toBeUndefined();
        }
      }),
      { numRuns: 2000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it("a trailing space on an unlinked, active person's email never makes them a leaver", () => {
    const index = new CognitoIndex();
    index.add(toPerson("sub-1", true, [{ Name: "email", Value: "Ada.Lovelace@Example.com " }])!);
    const user = { userId: "u-1", userName: "ada.lovelace@example.com", userType: BRIDGE_USER_TYPE };
    expect(assessUser(user, index, "2030-06-30", undefined)).toBeUndefined();
    // …while a person who really left still is one (the rule does not merely match everything).
    const other = { userId: "u-2", userName: "grace@example.com", userType: BRIDGE_USER_TYPE };
    expect(assessUser(other, index, "2030-06-30", undefined)).toMatchObject({
      reason: "cognito-user-missing",
    });
  });
});
