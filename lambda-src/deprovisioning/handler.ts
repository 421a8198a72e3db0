/**
 * The deprovisioning handler, as four named steps over small modules: find the leavers (find.ts), plan each
 * one's change in the mode (plan.ts), apply them within the deletion budget shared by every invocation
 * (apply.ts, budget.ts), report what was done, held back and left (report.ts).
 *
 * Inputs: an SQS batch of CloudTrail events (one run per record; answers `{ batchItemFailures }` so only the
 * failed records come back), or the schedule's direct `{"action":"reconcile"}` (answers the run summary).
 */
import { randomUUID } from "node:crypto";
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { Deadline } from "../shared/deadline";
import { describeError, type Log, type MetricsSink } from "../shared/telemetry";
import { applyWithinBudget } from "./apply";
import type { DeletionBudget } from "./budget";
import type { CognitoDirectory } from "./cognito";
import type { Config } from "./config";
import { METRIC_NAMES, type MetricName } from "./contract";
import { isSqsBatch, parseInvocation, parseRecord, type Invocation } from "./event";
import { findLeavers, type FindDependencies } from "./find";
import type { DeprovisioningIdentityStore } from "./identity-store";
import type { Leaver } from "./leavers";
import { planChanges } from "./plan";
import { NOTHING_DONE, reportRun, type RunSummary } from "./report";

export type { RunSummary } from "./report";

export interface HandlerDependencies {
  readonly config: Config;
  readonly identityStore: DeprovisioningIdentityStore;
  readonly cognito: CognitoDirectory;
  /** The deletion budget; undefined only in `report` mode (which changes nothing). */
  readonly budget: DeletionBudget | undefined;
  readonly log: Log;
  readonly metrics: MetricsSink<MetricName>;
  /** Today's date (UTC, YYYY-MM-DD); injectable for tests. */
  readonly today?: () => string;
}

export interface InvocationContext {
  getRemainingTimeInMillis?: () => number;
  awsRequestId?: string;
}

/** Time kept back from the Lambda's remaining time to log, publish metrics and return. */
export const SAFETY_MARGIN_MS = 10_000;

export function runBudget(remainingMs: number | undefined): number {
  if (remainingMs === undefined || !Number.isFinite(remainingMs)) return 60_000;
  return Math.max(1000, Math.floor(remainingMs - SAFETY_MARGIN_MS));
}

export function createHandler(dependencies: HandlerDependencies) {
  const { config, identityStore: store, cognito, budget, log, metrics } = dependencies;
  const today = dependencies.today ?? (() => new Date().toISOString().slice(0, 10));
  if (config.mode !== "report" && budget === undefined) {
    throw new Error(`The ${config.mode} mode needs the deletion budget: no budget, no change`);
  }

  /** One run: find, plan, apply within the budget, report. Throws (after its summary) when it failed. */
  async function run(invocation: Invocation, deadline: Deadline, source: object): Promise<RunSummary> {
    const runId = randomUUID();
    const base = { runId, mode: config.mode };
    if (invocation.kind === "ignore") {
      log.warn("Input ignored", { ...base, ...source, why: invocation.why });
      return { ...NOTHING_DONE, ...base, invocation: "ignore" };
    }
    if (invocation.kind === "untraceable") {
      log.warn("Event about a person it cannot trace: nobody was changed", {
        ...base,
        ...source,
        ...invocation,
      });
      return { ...NOTHING_DONE, ...base, invocation: "untraceable" };
    }
    log.info("Run started", { ...base, ...source, invocation: invocation.kind });
    const signal = deadline.signal;
    const find: FindDependencies = {
      config,
      store,
      cognito,
      log,
      today: today(),
      context: { ...base, ...source },
    };
    let leavers: readonly Leaver[] = [];
    let planned = 0;
    try {
      const found = await deadline.run(findLeavers(invocation, find, signal));
      leavers = found.leavers;
      const changes = await deadline.run(planChanges(leavers, { config, store, log }, signal));
      planned = changes.length;
      const outcome =
        changes.length === 0 || budget === undefined
          ? undefined
          : await applyWithinBudget(
              changes,
              { runId, mode: config.mode, store, budget, log, metrics, expired: () => deadline.expired },
              signal,
            );
      const summary = reportRun(
        { runId, invocation: found.kind, mode: config.mode, leavers, planned, outcome },
        { log, metrics, budgetMaxUsers: config.budget.maxUsers },
      );
      if (outcome?.error !== undefined) throw outcome.error;
      return summary;
    } catch (error) {
      metrics.add(METRIC_NAMES.RunFailures, 1);
      const cause: unknown = deadline.expired ? deadline.signal.reason : error;
      log.error("Run failed (changes made before the failure stay; the next run picks up the rest)", {
        ...base,
        budgetMs: deadline.budgetMs,
        leavers: leavers.length,
        planned,
        ...describeError(cause),
      });
      throw cause;
    }
  }

  async function sqsBatch(
    event: SQSEvent,
    deadline: Deadline,
    context: InvocationContext,
  ): Promise<SQSBatchResponse> {
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(
      event,
      async (record: SQSRecord) => {
        await run(parseRecord(record as never, config.userPoolId), deadline, { messageId: record.messageId });
      },
      processor,
      // One record after another: the budget and the APIs' rates are shared anyway.
      { context: context as Context, processInParallel: false, throwOnFullBatchFailure: false },
    );
  }

  return async function handler(
    input: unknown,
    context: InvocationContext = {},
  ): Promise<RunSummary | SQSBatchResponse> {
    const deadline = new Deadline(runBudget(context.getRemainingTimeInMillis?.()));
    try {
      if (isSqsBatch(input)) return await sqsBatch(input as unknown as SQSEvent, deadline, context);
      return await run(parseInvocation(input, config.userPoolId), deadline, { source: "direct" });
    } finally {
      deadline.dispose();
      try {
        metrics.publish();
      } catch (error) {
        log.warn("Could not publish metrics", describeError(error));
      }
    }
  };
}
