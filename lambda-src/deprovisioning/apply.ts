/**
 * Step 3 of a run: each planned change, in order, after re-reading the user's mark and reserving a slot of
 * the deletion budget. No slot, no change: once the budget is spent, every remaining user is held back.
 * Every change leaves one log line; a failure stops the run with what it did and what it left.
 */
import { describeError, type Log, type MetricsSink } from "../shared/telemetry";
import type { DeletionBudget } from "./budget";
import { METRIC_NAMES, type DeprovisionMode, type MetricName } from "./contract";
import type { DeprovisioningIdentityStore } from "./identity-store";
import { isBridgeCreated, isBridgeOwned } from "./leavers";
import type { ChangeAction, PlannedChange } from "./plan";

export type ChangeResult =
  "user-deleted" | "user-already-gone" | "memberships-removed" | "skipped-user-gone" | "skipped-mark-changed";

export interface ChangeRecord {
  readonly userId: string;
  readonly action: ChangeAction;
  readonly result: ChangeResult;
  readonly groupIds: readonly string[];
  readonly membershipIds: readonly string[];
}

export type StopReason = "budget" | "deadline" | "error";

export interface ApplyOutcome {
  readonly changes: readonly ChangeRecord[];
  /** Users not changed because the budget was spent. */
  readonly heldBack: readonly string[];
  /** Users not reached because the run stopped (deadline, error). */
  readonly left: readonly string[];
  readonly stoppedBy: StopReason | undefined;
  readonly error: unknown;
  readonly usersDeleted: number;
  readonly membershipsRemoved: number;
}

export interface ApplyDependencies {
  readonly runId: string;
  readonly mode: DeprovisionMode;
  readonly store: DeprovisioningIdentityStore;
  readonly budget: DeletionBudget;
  readonly log: Log;
  readonly metrics: MetricsSink<MetricName>;
  /** Whether the run's deadline has passed (an error then counts as the deadline). */
  readonly expired: () => boolean;
}

export async function applyWithinBudget(
  planned: readonly PlannedChange[],
  deps: ApplyDependencies,
  signal: AbortSignal,
): Promise<ApplyOutcome> {
  const changes: ChangeRecord[] = [];
  let usersDeleted = 0;
  let membershipsRemoved = 0;
  const rest = (from: number) => planned.slice(from).map((change) => change.leaver.userId);
  const outcome = (extra: Partial<ApplyOutcome>): ApplyOutcome => ({
    changes,
    heldBack: [],
    left: [],
    stoppedBy: undefined,
    error: undefined,
    usersDeleted,
    membershipsRemoved,
    ...extra,
  });

  for (const [index, change] of planned.entries()) {
    const { userId } = change.leaver;
    const record = (result: ChangeResult): ChangeRecord => ({
      userId,
      action: change.action,
      result,
      groupIds: change.memberships.map((m) => m.groupId),
      membershipIds: change.memberships.map((m) => m.membershipId),
    });
    try {
      // Re-read the mark right before changing anything: never act on a listing's word alone.
      const current = await deps.store.describeUser(userId, signal);
      if (current === undefined) {
        changes.push(record("skipped-user-gone"));
        continue;
      }
      if (!isBridgeOwned(current) || (change.action === "delete-user" && !isBridgeCreated(current))) {
        deps.metrics.add(METRIC_NAMES.OwnershipChecksFailed, 1);
        deps.log.error("Not changed: the user no longer carries the mark this change needs", {
          runId: deps.runId,
          userId,
          action: change.action,
          userType: current.userType,
        });
        changes.push(record("skipped-mark-changed"));
        continue;
      }
      const reservation = await deps.budget.reserve(userId, deps.runId, deps.mode, signal);
      if (reservation.kind === "spent") return outcome({ heldBack: rest(index), stoppedBy: "budget" });

      const performed = await perform(change, deps, signal);
      const done = record(performed.result);
      changes.push(done);
      if (done.result === "user-deleted") usersDeleted += 1;
      membershipsRemoved += performed.membershipsRemoved;
      deps.log.info(changeMessage(done.result), {
        runId: deps.runId,
        mode: deps.mode,
        userId,
        action: done.action,
        groupIds: done.groupIds,
        membershipIds: done.membershipIds,
        budgetSlot: reservation.slot,
        budgetSlotReused: reservation.reused,
      });
    } catch (error) {
      deps.log.error("Change failed; the run stops here", {
        runId: deps.runId,
        userId,
        ...describeError(error),
      });
      return outcome({ left: rest(index), stoppedBy: deps.expired() ? "deadline" : "error", error });
    }
  }
  return outcome({});
}

async function perform(
  change: PlannedChange,
  deps: ApplyDependencies,
  signal: AbortSignal,
): Promise<{ result: ChangeResult; membershipsRemoved: number }> {
  if (change.action === "delete-user") {
    const deleted = (await deps.store.deleteUser(change.leaver.userId, signal)) === "deleted";
    if (deleted) deps.metrics.add(METRIC_NAMES.UsersDeleted, 1);
    return { result: deleted ? "user-deleted" : "user-already-gone", membershipsRemoved: 0 };
  }
  let removed = 0;
  for (const membership of change.memberships) {
    if ((await deps.store.removeGroupMembership(membership.membershipId, signal)) === "removed") {
      deps.metrics.add(METRIC_NAMES.MembershipsRemoved, 1);
      removed += 1;
    }
  }
  return { result: "memberships-removed", membershipsRemoved: removed };
}

/** "IdC user deleted" only when this run's DeleteUser succeeded; a user someone else deleted reads differently. */
function changeMessage(result: ChangeResult): string {
  switch (result) {
    case "user-deleted":
      return "IdC user deleted";
    case "user-already-gone":
      return "IdC user was already deleted (by another run); nothing deleted by this run";
    default:
      return "Managed group memberships removed";
  }
}
