/**
 * Step 4 of a run: the metrics and the one summary line of what it found, did, held back and left.
 * Held-back users (budget spent) are named in an ERROR log and counted in UsersHeldBack (the alarm).
 */
import type { Log, MetricsSink } from "../shared/telemetry";
import type { ApplyOutcome, ChangeRecord, StopReason } from "./apply";
import { METRIC_NAMES, type DeprovisionMode, type MetricName } from "./contract";
import type { Leaver } from "./leavers";

/** What a run found and did (also the Lambda's return value for a direct invocation). */
export interface RunSummary {
  readonly runId: string;
  readonly invocation: "reconcile" | "person" | "untraceable" | "ignore";
  readonly mode: DeprovisionMode;
  readonly leavers: readonly Leaver[];
  /** Changes planned in this mode (before the budget). */
  readonly planned: number;
  readonly changes: readonly ChangeRecord[];
  readonly usersDeleted: number;
  readonly membershipsRemoved: number;
  readonly heldBack: readonly string[];
  readonly left: readonly string[];
  readonly stoppedBy: StopReason | undefined;
}

/** User ids named in one log line at most. */
export const MAX_IDS_LOGGED = 100;

export const NOTHING_DONE: Omit<RunSummary, "runId" | "invocation" | "mode"> = {
  leavers: [],
  planned: 0,
  changes: [],
  usersDeleted: 0,
  membershipsRemoved: 0,
  heldBack: [],
  left: [],
  stoppedBy: undefined,
};

export function reportRun(
  run: {
    readonly runId: string;
    readonly invocation: RunSummary["invocation"];
    readonly mode: DeprovisionMode;
    readonly leavers: readonly Leaver[];
    readonly planned: number;
    readonly outcome: ApplyOutcome | undefined;
  },
  deps: { readonly log: Log; readonly metrics: MetricsSink<MetricName>; readonly budgetMaxUsers: number },
): RunSummary {
  const { log, metrics } = deps;
  const { runId, mode, leavers } = run;
  metrics.add(METRIC_NAMES.LeaversFound, leavers.length);
  for (const leaver of leavers) log.info("Leaver found", { runId, ...leaver, mode });
  if (mode === "report" && leavers.length > 0) metrics.add(METRIC_NAMES.LeaversReported, leavers.length);

  const outcome = run.outcome;
  const summary: RunSummary = {
    ...NOTHING_DONE,
    runId,
    invocation: run.invocation,
    mode,
    leavers,
    planned: run.planned,
    ...(outcome === undefined
      ? {}
      : {
          changes: outcome.changes,
          usersDeleted: outcome.usersDeleted,
          membershipsRemoved: outcome.membershipsRemoved,
          heldBack: outcome.heldBack,
          left: outcome.left,
          stoppedBy: outcome.stoppedBy,
        }),
  };
  if (summary.heldBack.length > 0) {
    metrics.add(METRIC_NAMES.UsersHeldBack, summary.heldBack.length);
    log.error("Deletion budget spent: these leavers were held back and not changed", {
      runId,
      mode,
      budgetMaxUsers: deps.budgetMaxUsers,
      heldBack: summary.heldBack.length,
      userIds: summary.heldBack.slice(0, MAX_IDS_LOGGED),
    });
  }
  const attributes = {
    runId,
    invocation: summary.invocation,
    mode,
    leavers: leavers.length,
    planned: summary.planned,
    usersDeleted: summary.usersDeleted,
    membershipsRemoved: summary.membershipsRemoved,
    changed: summary.changes.map((c) => `${c.userId}:${c.result}`).slice(0, MAX_IDS_LOGGED),
    heldBack: summary.heldBack.slice(0, MAX_IDS_LOGGED),
    left: summary.left.slice(0, MAX_IDS_LOGGED),
  };
  if (summary.stoppedBy === undefined) log.info("Run finished", attributes);
  else log.warn(`Run stopped early (${summary.stoppedBy}): what it did and what it left`, attributes);
  return summary;
}
