import fc from "fast-check";
import { planGroupSync } from "./group-sync";
import type { GroupMembership } from "../shared/identity-store";

const map = new Map([
  ["admins", "g-admins"],
  ["readers", "g-readers"],
  ["readers-alias", "g-readers"],
]);
const m = (groupId: string, membershipId = `m-${groupId}`): GroupMembership => ({ groupId, membershipId });

describe("planGroupSync", () => {
  it("adds missing mapped groups and removes mapped groups the person left", () => {
    expect(planGroupSync(map, ["admins", "other"], [m("g-readers"), m("g-unmapped")])).toEqual({
      add: ["g-admins"],
      remove: [m("g-readers")],
    });
  });

  it("keeps a group reachable through any Cognito group mapped to it", () => {
    expect(planGroupSync(map, ["readers-alias"], [m("g-readers")])).toEqual({ add: [], remove: [] });
  });

  it("with no Cognito groups removes every mapped membership and nothing else", () => {
    expect(planGroupSync(map, [], [m("g-admins"), m("g-readers"), m("g-x")])).toEqual({
      add: [],
      remove: [m("g-admins"), m("g-readers")],
    });
  });

  it("adds each group once even if listed twice", () => {
    expect(planGroupSync(map, ["admins", "admins"], [])).toEqual({ add: ["g-admins"], remove: [] });
  });

  it("property: ends with exactly the desired mapped memberships and never touches unmapped groups", () => {
    const groupId: fc.Arbitrary<string> = fc.constantFrom("g1", "g2", "g3", "g4", "g5", "g6");
    const cognitoGroup: fc.Arbitrary<string> = fc.constantFrom("a", "b", "c", "d", "e", "f");
    fc.assert(
      fc.property(
        fc.dictionary(cognitoGroup, groupId),
        fc.array(cognitoGroup),
        fc.uniqueArray(groupId),
        (mapping, groups, currentGroups) => {
          const groupMap = new Map(Object.entries(mapping));
          const current = currentGroups.map((id) => m(id));
          const plan = planGroupSync(groupMap, groups, current);
          const mapped = new Set(groupMap.values());
          const desired = new Set(groups.filter((g) => groupMap.has(g)).map((g) => groupMap.get(g)));
          for (const id of plan.add) expect(mapped.has(id) && desired.has(id)).toBe(true);
          for (const membership of plan.remove) expect(mapped.has(membership.groupId)).toBe(true);
          const after = new Set([
            ...currentGroups.filter((id) => !plan.remove.some((r) => r.groupId === id)),
            ...plan.add,
          ]);
          expect([...after].filter((id) => mapped.has(id)).sort()).toEqual([...desired].sort());
          expect([...after].filter((id) => !mapped.has(id)).sort()).toEqual(
            currentGroups.filter((id) => !mapped.has(id)).sort(),
          );
        },
      ),
    );
  });
});
