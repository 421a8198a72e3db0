/**
 * Step 2 of a run: what each leaver's change would be in this mode. Complete before anything changes.
 * `delete-user` deletes only users the bridge created; an adopted user only loses its managed memberships.
 */
import type { GroupMembership } from "../shared/identity-store";
import type { Log } from "../shared/telemetry";
import type { Config } from "./config";
import type { DeprovisioningIdentityStore } from "./identity-store";
import type { Leaver } from "./leavers";

export type ChangeAction = "delete-user" | "remove-memberships";

export interface PlannedChange {
  readonly leaver: Leaver;
  readonly action: ChangeAction;
  /**
   * remove-memberships: the managed memberships to delete. delete-user: every membership the user has
   * (DeleteUser removes them all), named in the change's log line.
   */
  readonly memberships: readonly GroupMembership[];
}

export async function planChanges(
  leavers: readonly Leaver[],
  deps: { readonly config: Config; readonly store: DeprovisioningIdentityStore; readonly log: Log },
  signal: AbortSignal,
): Promise<PlannedChange[]> {
  const { config, store, log } = deps;
  if (config.mode === "report") return [];
  const changes: PlannedChange[] = [];
  let warned = false;
  for (const leaver of leavers) {
    const memberships = await store.listGroupMemberships(leaver.userId, signal);
    if (config.mode === "delete-user" && !leaver.adopted) {
      changes.push({ leaver, action: "delete-user", memberships });
      continue;
    }
    if (config.managedGroupIds.size === 0) {
      if (!warned) log.warn("No managed groups (GROUP_MAP is empty): memberships are never removed");
      warned = true;
      continue;
    }
    const managed = memberships.filter((m) => config.managedGroupIds.has(m.groupId));
    // A leaver without managed memberships is done: reruns change nothing and spend no budget.
    if (managed.length > 0) changes.push({ leaver, action: "remove-memberships", memberships: managed });
  }
  return changes;
}
