import type { GroupMembership, IdentityStore } from "./identity-store";

/** At most this many membership changes in flight (the client also paces each API to its quota). */
export const MEMBERSHIP_CONCURRENCY = 4;

export interface GroupSyncPlan {
  /** Identity Store group ids to add the user to. */
  readonly add: readonly string[];
  /** Memberships (of mapped groups only) to delete. */
  readonly remove: readonly GroupMembership[];
}

/**
 * What to change so that the user's memberships of *mapped* groups match their Cognito groups:
 * desired = ids of the mapped Cognito groups the person is in; add the desired ones they lack;
 * remove memberships of mapped groups not desired. Groups absent from the map are never touched.
 */
export function planGroupSync(
  groupMap: ReadonlyMap<string, string>,
  cognitoGroups: readonly string[],
  current: readonly GroupMembership[],
): GroupSyncPlan {
  const mapped = new Set(groupMap.values());
  const desired = new Set<string>();
  for (const group of cognitoGroups) {
    const groupId = groupMap.get(group);
    if (groupId !== undefined) desired.add(groupId);
  }
  const currentGroups = new Set(current.map((membership) => membership.groupId));
  return {
    add: [...desired].filter((groupId) => !currentGroups.has(groupId)),
    remove: current.filter(
      (membership) => mapped.has(membership.groupId) && !desired.has(membership.groupId),
    ),
  };
}

/** Runs `task` over `items`, `limit` at a time; waits for all, then throws the first failure. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const failures: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      try {
        await task(item);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
}

/**
 * Brings the user's memberships of mapped groups in step with their Cognito groups. Reads the
 * current memberships with ListGroupMembershipsForMember unless the user was just created (then
 * there are none). A membership that already exists or is already gone counts as done. Returns
 * the plan it carried out.
 */
export async function syncGroups(options: {
  readonly store: IdentityStore;
  readonly userId: string;
  readonly groupMap: ReadonlyMap<string, string>;
  readonly cognitoGroups: readonly string[];
  readonly userIsNew: boolean;
  readonly abortSignal: AbortSignal;
  /**
   * Called for each membership actually created or deleted (also when a later change fails), and for
   * each mapped group that no longer exists (skipped: the sign-in goes on).
   */
  readonly onChange?: (change: "added" | "removed" | "group-missing", groupId: string) => void;
}): Promise<GroupSyncPlan> {
  const { store, userId, abortSignal } = options;
  const current = options.userIsNew ? [] : await store.listGroupMemberships(userId, abortSignal);
  const plan = planGroupSync(options.groupMap, options.cognitoGroups, current);
  const onChange = options.onChange ?? (() => undefined);
  const changes: Array<() => Promise<void>> = [
    ...plan.add.map((groupId) => async () => {
      const result = await store.addGroupMembership(groupId, userId, abortSignal);
      if (result !== "already-member") onChange(result, groupId);
    }),
    ...plan.remove.map((membership) => async () => {
      if ((await store.removeGroupMembership(membership.membershipId, abortSignal)) === "removed") {
        onChange("removed", membership.groupId);
      }
    }),
  ];
  await forEachLimited(changes, MEMBERSHIP_CONCURRENCY, (change) => change());
  return plan;
}
