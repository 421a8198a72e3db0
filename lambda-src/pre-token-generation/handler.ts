import type { IdentitystoreClient } from "@aws-sdk/client-identitystore";
import type { Config } from "./config";
import { IDENTITY_STORE_USER_ID_CLAIM } from "./contract";
import { budgetFor, Deadline } from "../shared/deadline";
import { InvalidEventError, LoginDeniedError, SyncFailedError } from "./errors";
import { addClaims, parseEvent, type ParsedEvent } from "./event";
import { syncGroups } from "./group-sync";
import { IdentityStore, resolveUser, type ResolveOutcome } from "./identity-store";
import { METRIC_NAMES, type MetricName } from "./metric-names";
import { personFromAttributes, type Person } from "./person";
import { describeError, type Log, type MetricsSink } from "../shared/telemetry";

export interface HandlerDependencies {
  readonly config: Config;
  readonly client: IdentitystoreClient;
  readonly log: Log;
  readonly metrics: MetricsSink<MetricName>;
}

/** The part of the Lambda context the handler uses. */
export interface InvocationContext {
  getRemainingTimeInMillis?: () => number;
}

export type PreTokenGenerationHandler = (event: unknown, context?: InvocationContext) => Promise<unknown>;

const OUTCOME_METRIC = {
  found: METRIC_NAMES.UsersFound,
  created: METRIC_NAMES.UsersCreated,
  "conflict-resolved": METRIC_NAMES.ConflictsResolved,
} as const satisfies Record<ResolveOutcome, string>;

function remainingTime(context: InvocationContext | undefined): number | undefined {
  try {
    return context?.getRemainingTimeInMillis?.();
  } catch {
    return undefined;
  }
}

/** Cognito's user name (a sub or "<provider>_<id>"), for logs about people who were not provisioned. */
function cognitoUserName(event: unknown): string | undefined {
  if (
    typeof event !== "object" ||
    event === null ||
    !Object.prototype.hasOwnProperty.call(event, "userName")
  ) {
    return undefined;
  }
  const userName = (event as { userName: unknown }).userName;
  return typeof userName === "string" ? userName.slice(0, 128) : undefined;
}

/**
 * The Pre Token Generation V2 handler: validates the event, applies the email policy, finds or
 * creates the person in the Identity Store (and syncs mapped groups) within a deadline derived
 * from the Lambda's remaining time, and adds `identity_store_user_id` to the ID and access tokens.
 */
export function createHandler(dependencies: HandlerDependencies): PreTokenGenerationHandler {
  const { config, log, metrics } = dependencies;
  const store = new IdentityStore(dependencies.client, config.identityStoreId, (_operation, milliseconds) =>
    metrics.add(METRIC_NAMES.IdentityStoreLatency, milliseconds),
  );

  async function provision(
    parsed: Extract<ParsedEvent, { kind: "user" }>,
    person: Person,
    abortSignal: AbortSignal,
  ): Promise<string> {
    const { userId, outcome } = await resolveUser(store, person, abortSignal);
    metrics.add(OUTCOME_METRIC[outcome], 1);
    if (outcome === "found") {
      log.debug("Identity Store user found", { userId });
    } else {
      const message =
        outcome === "created"
          ? "Identity Store user created"
          : "Identity Store user created by a concurrent sign-in";
      log.info(message, { userName: person.userName, userId });
    }
    if (config.groupMap.size > 0) {
      const plan = await syncGroups({
        store,
        userId,
        groupMap: config.groupMap,
        cognitoGroups: parsed.groups,
        userIsNew: outcome === "created",
        abortSignal,
        onChange: (change) =>
          metrics.add(
            change === "added" ? METRIC_NAMES.GroupMembershipsAdded : METRIC_NAMES.GroupMembershipsRemoved,
            1,
          ),
      });
      if (plan.add.length > 0 || plan.remove.length > 0) {
        log.info("Group memberships synchronised", {
          userId,
          groupsAdded: plan.add,
          groupsRemoved: plan.remove.map((membership) => membership.groupId),
        });
      }
    }
    return userId;
  }

  async function handle(input: unknown, context: InvocationContext | undefined): Promise<unknown> {
    let parsed: ParsedEvent;
    let person: Person;
    try {
      parsed = parseEvent(input);
      if (parsed.kind === "machine") {
        log.info("Client credentials grant: no person to provision");
        return parsed.event;
      }
      person = personFromAttributes(parsed.attributes, config);
    } catch (error) {
      metrics.add(METRIC_NAMES.LoginsDenied, 1);
      if (error instanceof LoginDeniedError) {
        log.warn("Sign-in denied", { reason: error.reason, cognitoUserName: cognitoUserName(input) });
      } else if (error instanceof InvalidEventError) {
        log.error("Invalid event", { errorMessage: error.message, cognitoUserName: cognitoUserName(input) });
      } else {
        log.error("Unexpected error while reading the event", describeError(error));
      }
      throw error;
    }

    const deadline = new Deadline(budgetFor(remainingTime(context)));
    try {
      const userId = await deadline.run(provision(parsed, person, deadline.signal));
      addClaims(parsed.event, { [IDENTITY_STORE_USER_ID_CLAIM]: userId });
      log.info("Tokens enriched", { triggerSource: parsed.triggerSource, userId });
      return parsed.event;
    } catch (error) {
      const cause: unknown = deadline.expired ? deadline.signal.reason : error;
      metrics.add(METRIC_NAMES.SyncFailures, 1);
      log.error("Identity Store sync failed", {
        userName: person.userName,
        triggerSource: parsed.triggerSource,
        onSyncFailure: config.onSyncFailure,
        budgetMs: deadline.budgetMs,
        ...describeError(cause),
      });
      if (config.onSyncFailure === "allow") return parsed.event;
      metrics.add(METRIC_NAMES.LoginsDenied, 1);
      throw new SyncFailedError({ cause });
    } finally {
      deadline.dispose();
    }
  }

  return async function handler(event, context) {
    try {
      return await handle(event, context);
    } finally {
      try {
        metrics.publish();
      } catch (error) {
        log.warn("Could not publish metrics", describeError(error));
      }
    }
  };
}
