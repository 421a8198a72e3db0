import { Deadline } from "../shared/deadline";
import { describeError, type Log, type MetricsSink } from "../shared/telemetry";
import type { CognitoDirectory } from "./cognito";
import type { Config } from "./config";
import { METRIC_NAMES, type DeprovisionMode, type MetricName } from "./contract";
import { parseInvocation, type Invocation } from "./event";
import type { DeprovisioningIdentityStore, Membership } from "./identity-store";
import { assessUser, CognitoIndex, isBridgeOwned, type Leaver } from "./leavers";

export interface HandlerDependencies {
  readonly config: Config;
  readonly identityStore: DeprovisioningIdentityStore;
  readonly cognito: CognitoDirectory;
  readonly log: Log;
  readonly metrics: MetricsSink<MetricName>;
  /** Today's date (UTC, YYYY-MM-DD); injectable for tests. */
  readonly today?: () => string;
}

export interface InvocationContext {
  getRemainingTimeInMillis?: () => number;
}

/** What a run found and did (also the Lambda's return value, for whoever invoked it by hand). */
export interface RunSummary {
  readonly invocation: Invocation["kind"];
  readonly mode: DeprovisionMode;
  readonly leavers: readonly Leaver[];
  /** Users the run would change in its mode (after the breaker: those it did change). */
  readonly planned: number;
  readonly circuitBreakerTripped: boolean;
  readonly membershipsRemoved: number;
  readonly usersDeleted: number;
}

/** Time kept back from the Lambda's remaining time to log, publish metrics and return. */
export const SAFETY_MARGIN_MS = 10_000;
/** User ids named in one log line at most (a circuit-breaker message, for example). */
const MAX_IDS_LOGGED = 50;

export function runBudget(remainingMs: number | undefined): number {
  if (remainingMs === undefined || !Number.isFinite(remainingMs)) return 60_000;
  return Math.max(1000, Math.floor(remainingMs - SAFETY_MARGIN_MS));
}

interface PlannedChange {
  readonly leaver: Leaver;
  /** remove-memberships: the managed memberships to delete. */
  readonly memberships: readonly Membership[];
}

/**
 * The deprovisioning handler: for a CloudTrail event about one person (AdminDisableUser, AdminDeleteUser)
 * it checks the IdC user(s) that person maps to; for the schedule it reconciles every IdC user. Leavers are
 * then reported, or have their managed memberships removed, or are deleted, per the mode, unless the run
 * would change more than MAX_DEPROVISION_PER_RUN users (the circuit breaker: then nothing changes).
 */
export function createHandler(dependencies: HandlerDependencies) {
  const { config, identityStore: store, cognito, log, metrics } = dependencies;
  const today = dependencies.today ?? (() => new Date().toISOString().slice(0, 10));

  async function cognitoIndex(signal: AbortSignal): Promise<CognitoIndex> {
    // Every page or nothing: a partial listing would make the people on the missing pages look gone.
    const index = new CognitoIndex();
    for await (const person of cognito.listUsers(signal)) index.add(person);
    return index;
  }

  async function reconcile(signal: AbortSignal): Promise<Leaver[]> {
    const index = await cognitoIndex(signal);
    const day = today();
    const leavers: Leaver[] = [];
    let scanned = 0;
    let owned = 0;
    for await (const user of store.listUsers(signal)) {
      scanned += 1;
      if (isBridgeOwned(user)) owned += 1;
      const leaver = assessUser(user, index, day, config.inactiveDays);
      if (leaver !== undefined) leavers.push(leaver);
    }
    log.info("Reconciliation: directories read", {
      cognitoUsers: index.size,
      identityStoreUsers: scanned,
      bridgeOwnedUsers: owned,
      leavers: leavers.length,
    });
    return leavers;
  }

  /** The leavers among the IdC users one Cognito user maps to; undefined when they cannot be identified. */
  async function checkPerson(username: string, signal: AbortSignal): Promise<Leaver[] | undefined> {
    const subject = await cognito.getUser(username, signal);
    const candidates = new Set<string>();
    if (subject?.idcUserId !== undefined) candidates.add(subject.idcUserId);
    const email = subject?.email ?? (username.includes("@") ? username.toLowerCase() : undefined);
    if (email !== undefined) {
      const userId = await store.findUserId(email, signal);
      if (userId !== undefined) candidates.add(userId);
    }
    if (candidates.size === 0) {
      // A deleted user named by their sub cannot be traced to an IdC user any more: check everyone.
      return subject === undefined ? undefined : [];
    }
    const users = [];
    for (const userId of candidates) {
      const user = await store.describeUser(userId, signal);
      if (user !== undefined) users.push(user);
    }
    if (!users.some(isBridgeOwned)) return [];
    // Whether ANY enabled Cognito user still stands for them (a second, federated, user with the same email…).
    const index = await cognitoIndex(signal);
    const day = today();
    return users.flatMap((user) => assessUser(user, index, day, config.inactiveDays) ?? []);
  }

  async function plan(leavers: readonly Leaver[], signal: AbortSignal): Promise<PlannedChange[]> {
    if (config.mode === "delete-user") return leavers.map((leaver) => ({ leaver, memberships: [] }));
    if (config.mode === "report") return [];
    if (config.managedGroupIds.size === 0) {
      if (leavers.length > 0) log.warn("remove-memberships mode without managed groups (GROUP_MAP is empty)");
      return [];
    }
    const changes: PlannedChange[] = [];
    for (const leaver of leavers) {
      const memberships = (await store.listMemberships(leaver.userId, signal)).filter((m) =>
        config.managedGroupIds.has(m.groupId),
      );
      // A leaver without managed memberships is done: reruns change nothing and count for nothing.
      if (memberships.length > 0) changes.push({ leaver, memberships });
    }
    return changes;
  }

  async function apply(
    changes: readonly PlannedChange[],
    signal: AbortSignal,
  ): Promise<{ membershipsRemoved: number; usersDeleted: number }> {
    let membershipsRemoved = 0;
    let usersDeleted = 0;
    for (const { leaver, memberships } of changes) {
      // Re-read the mark right before changing anything: never act on a listing's word alone.
      const current = await store.describeUser(leaver.userId, signal);
      if (current === undefined) continue;
      if (!isBridgeOwned(current)) {
        metrics.add(METRIC_NAMES.OwnershipChecksFailed, 1);
        log.error("Not changed: the user no longer carries the bridge's ownership mark", {
          userId: leaver.userId,
          userType: current.userType,
        });
        continue;
      }
      if (config.mode === "remove-memberships") {
        for (const membership of memberships) {
          if ((await store.deleteMembership(membership.membershipId, signal)) === "removed") {
            membershipsRemoved += 1;
            metrics.add(METRIC_NAMES.MembershipsRemoved, 1);
          }
        }
        log.info("Leaver's managed group memberships removed", {
          userId: leaver.userId,
          groupIds: memberships.map((m) => m.groupId),
        });
      } else if (config.mode === "delete-user") {
        if ((await store.deleteUser(leaver.userId, signal)) === "deleted") {
          usersDeleted += 1;
          metrics.add(METRIC_NAMES.UsersDeleted, 1);
        }
        log.info("Leaver's IdC user deleted", { userId: leaver.userId, userName: leaver.userName });
      }
    }
    return { membershipsRemoved, usersDeleted };
  }

  async function run(invocation: Invocation, signal: AbortSignal): Promise<RunSummary> {
    const empty = {
      mode: config.mode,
      planned: 0,
      circuitBreakerTripped: false,
      membershipsRemoved: 0,
      usersDeleted: 0,
    };
    let kind = invocation.kind;
    let leavers: Leaver[] = [];
    if (invocation.kind === "person") {
      const checked = await checkPerson(invocation.username, signal);
      if (checked === undefined) {
        log.info("The person cannot be traced to an IdC user any more: reconciling everyone", {
          eventName: invocation.eventName,
        });
        kind = "reconcile";
        leavers = await reconcile(signal);
      } else leavers = checked;
    } else if (invocation.kind === "reconcile") {
      leavers = await reconcile(signal);
    }

    metrics.add(METRIC_NAMES.LeaversFound, leavers.length);
    for (const leaver of leavers) log.info("Leaver found", { ...leaver, mode: config.mode });
    if (config.mode === "report") {
      if (leavers.length > 0) metrics.add(METRIC_NAMES.LeaversReported, leavers.length);
      if (leavers.length > config.maxPerRun) {
        log.warn("In another mode this run would trip the circuit breaker", {
          leavers: leavers.length,
          maxPerRun: config.maxPerRun,
        });
      }
      return { ...empty, invocation: kind, leavers };
    }

    const changes = await plan(leavers, signal);
    if (changes.length > config.maxPerRun) {
      metrics.add(METRIC_NAMES.CircuitBreakerTripped, 1);
      log.error("Circuit breaker: the run would change more users than allowed, so it changed none", {
        wouldChange: changes.length,
        maxPerRun: config.maxPerRun,
        mode: config.mode,
        userIds: changes.slice(0, MAX_IDS_LOGGED).map((c) => c.leaver.userId),
      });
      return { ...empty, invocation: kind, leavers, planned: changes.length, circuitBreakerTripped: true };
    }
    const done = await apply(changes, signal);
    return { ...empty, invocation: kind, leavers, planned: changes.length, ...done };
  }

  return async function handler(input: unknown, context?: InvocationContext): Promise<RunSummary> {
    const invocation = parseInvocation(input, config.userPoolId);
    const deadline = new Deadline(runBudget(context?.getRemainingTimeInMillis?.()));
    try {
      if (invocation.kind === "ignore") {
        log.warn("Invocation ignored", { why: invocation.why });
        return {
          invocation: "ignore",
          mode: config.mode,
          leavers: [],
          planned: 0,
          circuitBreakerTripped: false,
          membershipsRemoved: 0,
          usersDeleted: 0,
        };
      }
      log.info("Run started", {
        invocation: invocation.kind,
        ...(invocation.kind === "person" ? { eventName: invocation.eventName } : { why: invocation.why }),
        mode: config.mode,
      });
      const summary = await deadline.run(run(invocation, deadline.signal));
      log.info("Run finished", {
        invocation: summary.invocation,
        mode: summary.mode,
        leavers: summary.leavers.length,
        planned: summary.planned,
        circuitBreakerTripped: summary.circuitBreakerTripped,
        membershipsRemoved: summary.membershipsRemoved,
        usersDeleted: summary.usersDeleted,
      });
      return summary;
    } catch (error) {
      metrics.add(METRIC_NAMES.RunFailures, 1);
      const cause: unknown = deadline.expired ? deadline.signal.reason : error;
      log.error("Run failed (changes made before the failure stay; the next run picks up the rest)", {
        budgetMs: deadline.budgetMs,
        ...describeError(cause),
      });
      throw cause;
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
