import type { IdentitystoreClient } from "@aws-sdk/client-identitystore";
import { budgetFor, Deadline } from "../shared/deadline";
import { errorKind } from "../shared/error-kind";
import type { LinkKeys } from "../shared/link";
import { describeError, type Log, type MetricsSink } from "../shared/telemetry";
import type { Config } from "./config";
import { CognitoLink } from "./cognito-link";
import { attributesToWrite, type CognitoAttributeWriter, utcDay } from "./cognito-attributes";
import {
  AWS_SESSION_TAGS_CLAIM,
  IDC_USER_ID_ATTRIBUTE,
  IDC_USER_NAME_CLAIM,
  IDENTITY_STORE_USER_ID_CLAIM,
  LAST_SIGN_IN_ATTRIBUTE,
  LINK_SIGNATURE_ATTRIBUTE,
} from "./contract";
import { InvalidEventError, LoginDeniedError, SyncFailedError } from "./errors";
import { addClaims, parseEvent, type ParsedEvent, type UserEvent } from "./event";
import { effectiveGroups, parseGroupsAttribute } from "./groups";
import { syncGroups } from "./group-sync";
import { IdentityStore } from "./identity-store";
import { METRIC_NAMES, type MetricName } from "./metric-names";
import { personFromAttributes, type Person } from "./person";
import { desiredUser, type Provisioned, type ProvisionOutcome, provisionUser } from "./provisioning";
import { sessionTags } from "./session-tags";

export interface HandlerDependencies {
  readonly config: Config;
  readonly client: IdentitystoreClient;
  /** Cross-account mode: the assumed role's credentials, fetched (or refreshed) within each deadline. */
  readonly credentials?: { get(signal: AbortSignal): Promise<unknown> };
  /**
   * The container's link keys (one kms:GenerateMac per pool, on first need): a link is trusted only when its
   * signature verifies, and every link written is signed.
   */
  readonly linkKeys: LinkKeys;
  /** Writes the link and the last sign-in day to the person's Cognito user (none: nothing is written). */
  readonly cognito?: CognitoAttributeWriter;
  readonly log: Log;
  readonly metrics: MetricsSink<MetricName>;
  /** How long the container's cold start took before this invocation (0 when warm). */
  readonly coldStartMs?: () => number;
  /** The clock (for the last sign-in day). */
  readonly now?: () => Date;
}

/** Time kept after the Cognito write, which is tolerated: it must never make the invocation late. */
export const COGNITO_WRITE_RESERVE_MS = 150;
/** The Cognito write (retries included) gets at most this long: it is best effort. */
export const COGNITO_WRITE_MAX_MS = 1000;

/** The part of the Lambda context the handler uses. */
export interface InvocationContext {
  getRemainingTimeInMillis?: () => number;
}

export type PreTokenGenerationHandler = (event: unknown, context?: InvocationContext) => Promise<unknown>;

const OUTCOME_METRIC = {
  found: METRIC_NAMES.UsersFound,
  created: METRIC_NAMES.UsersCreated,
  "conflict-resolved": METRIC_NAMES.ConflictsResolved,
  adopted: METRIC_NAMES.UsersFound,
} as const satisfies Record<ProvisionOutcome, MetricName>;

/** Identity Store user ids (ResourceId): an optional 10-hex prefix, then a UUID. */
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
 * The Pre Token Generation V2 handler: validates the event, applies the email policy, finds, links,
 * updates or creates the person in the Identity Store (and syncs mapped groups) within a deadline
 * derived from the Lambda's remaining time, and adds `identity_store_user_id` and `idc_user_name` to the
 * ID and access tokens.
 */
export function createHandler(dependencies: HandlerDependencies): PreTokenGenerationHandler {
  const { config, log, metrics } = dependencies;
  const store = new IdentityStore(dependencies.client, config.identityStoreId, (_operation, milliseconds) =>
    metrics.add(METRIC_NAMES.IdentityStoreLatency, milliseconds),
  );
  const attributeNames = [
    "sub",
    IDC_USER_ID_ATTRIBUTE,
    LINK_SIGNATURE_ATTRIBUTE,
    LAST_SIGN_IN_ATTRIBUTE,
    ...(config.groupsAttribute === undefined ? [] : [config.groupsAttribute]),
    ...config.enterpriseAttributes.values(),
  ];
  const cognitoLink = new CognitoLink(dependencies.linkKeys, log, metrics);

  /** `cognito:groups` ∪ the GROUPS_ATTRIBUTE values. */
  function groupsOf(parsed: UserEvent): string[] {
    const attribute =
      config.groupsAttribute === undefined ? undefined : parsed.extraAttributes[config.groupsAttribute];
    return effectiveGroups(parsed.groups, parseGroupsAttribute(attribute));
  }

  /** The session-tags claim for the IAM federation client's ID token. */
  function addSessionTags(parsed: UserEvent, userName: string): void {
    const tags = sessionTags(groupsOf(parsed), userName);
    if (tags.omittedGroups.length > 0) {
      log.warn(
        "Groups left out of the IAM session tags (characters a tag value cannot hold, or over 256 characters)",
        {
          omittedGroups: tags.omittedGroups,
        },
      );
    }
    if (tags.emailOmitted)
      log.warn("Email left out of the IAM session tags: it holds characters a tag value cannot");
    addClaims(parsed.event, { [AWS_SESSION_TAGS_CLAIM]: tags.claim }, ["idTokenGeneration"]);
  }

  /** Links the Cognito user to `userId` (signed) and records the sign-in day, as needed. Failures are tolerated. */
  async function writeCognito(
    parsed: UserEvent,
    userId: string,
    verifiedUserId: string | undefined,
    deadline: Deadline,
  ) {
    const cognito = dependencies.cognito;
    const needsLink = verifiedUserId !== userId;
    const day = {
      recordLastSignIn: config.recordLastSignIn,
      lastSignIn: parsed.extraAttributes[LAST_SIGN_IN_ATTRIBUTE],
      today: utcDay(dependencies.now?.() ?? new Date()),
    };
    const dayOnly = Object.keys(attributesToWrite({ link: undefined, ...day }));
    if (!needsLink && dayOnly.length === 0) return;
    if (cognito === undefined || parsed.userPoolId === undefined || parsed.cognitoUserName === undefined) {
      log.warn("Cannot write to Cognito: no client, or the event has no userPoolId or userName", {
        attributes: needsLink ? [IDC_USER_ID_ATTRIBUTE, LINK_SIGNATURE_ATTRIBUTE, ...dayOnly] : dayOnly,
      });
      return;
    }
    // The write, signing included, is best effort: bounded so that it never makes the sign-in late.
    const signal = AbortSignal.any([
      deadline.signalBefore(COGNITO_WRITE_RESERVE_MS),
      AbortSignal.timeout(COGNITO_WRITE_MAX_MS),
    ]);
    const link = needsLink ? await cognitoLink.toWrite(parsed, userId, signal) : undefined;
    const attributes = attributesToWrite({ link, ...day });
    const names = Object.keys(attributes);
    if (names.length === 0) return;
    try {
      await cognito.update(parsed.userPoolId, parsed.cognitoUserName, attributes, signal);
      if (attributes[IDC_USER_ID_ATTRIBUTE] !== undefined) {
        log.info("Cognito user linked to the IdC user", { userId, previousUserId: verifiedUserId });
      }
    } catch (error) {
      metrics.add(METRIC_NAMES.CognitoWriteFailures, 1);
      log.warn("Could not write to the Cognito user (tolerated: the sign-in goes on)", {
        attributes: names,
        ...describeError(error),
      });
    }
  }

  async function provision(parsed: UserEvent, person: Person, deadline: Deadline): Promise<Provisioned> {
    const enterprise = new Map(
      [...config.enterpriseAttributes].map(([field, attribute]) => [
        field,
        parsed.extraAttributes[attribute],
      ]),
    );
    const linked = await cognitoLink.verified(parsed, deadline);
    const provisioned = await provisionUser(
      {
        store,
        deadline,
        log,
        metrics,
        adoptExistingUsers: config.adoptExistingUsers,
        syncEnterprise: config.enterpriseAttributes.size > 0,
      },
      desiredUser(person, enterprise),
      linked,
    );
    metrics.add(OUTCOME_METRIC[provisioned.outcome], 1);
    if (provisioned.outcome === "found")
      log.debug("Identity Store user found", { userId: provisioned.userId });
    else if (provisioned.outcome !== "adopted") {
      log.info(
        provisioned.outcome === "created"
          ? "Identity Store user created"
          : "Identity Store user created by a concurrent sign-in",
        { userName: provisioned.userName, userId: provisioned.userId },
      );
    }
    const cognitoWrite = writeCognito(parsed, provisioned.userId, linked, deadline);
    if (config.groupMap.size > 0) {
      const plan = await syncGroups({
        store,
        userId: provisioned.userId,
        groupMap: config.groupMap,
        cognitoGroups: groupsOf(parsed),
        userIsNew: provisioned.isNew,
        abortSignal: deadline.signal,
        onChange: (change, groupId) => {
          if (change === "group-missing") {
            metrics.add(METRIC_NAMES.MappedGroupsMissing, 1);
            log.warn("A mapped IdC group no longer exists: skipped (fix GROUP_MAP)", { groupId });
          } else {
            metrics.add(
              change === "added" ? METRIC_NAMES.GroupMembershipsAdded : METRIC_NAMES.GroupMembershipsRemoved,
              1,
            );
          }
        },
      });
      if (plan.add.length > 0 || plan.remove.length > 0) {
        log.info("Group memberships synchronised", {
          userId: provisioned.userId,
          groupsAdded: plan.add,
          groupsRemoved: plan.remove.map((membership) => membership.groupId),
        });
      }
    }
    await cognitoWrite;
    return provisioned;
  }

  async function handle(input: unknown, context: InvocationContext | undefined): Promise<unknown> {
    let parsed: ParsedEvent;
    let person: Person;
    try {
      parsed = parseEvent(input, { attributeNames });
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

    const deadline = new Deadline(budgetFor(remainingTime(context), dependencies.coldStartMs?.() ?? 0));
    try {
      const provisioned = await deadline.run(
        (async () => {
          // AssumeRole (when the cached credentials need it) counts against the sign-in's deadline.
          await dependencies.credentials?.get(deadline.signal);
          return provision(parsed, person, deadline);
        })(),
      );
      addClaims(parsed.event, {
        [IDENTITY_STORE_USER_ID_CLAIM]: provisioned.userId,
        [IDC_USER_NAME_CLAIM]: provisioned.userName,
      });
      if (config.iamFederationClientId !== undefined && parsed.clientId === config.iamFederationClientId) {
        addSessionTags(parsed, provisioned.userName);
      }
      log.info("Tokens enriched", { triggerSource: parsed.triggerSource, userId: provisioned.userId });
      return parsed.event;
    } catch (error) {
      if (error instanceof LoginDeniedError) {
        // An identity conflict: retrying cannot help and ON_SYNC_FAILURE does not apply.
        metrics.add(METRIC_NAMES.LoginsDenied, 1);
        log.warn("Sign-in denied", { reason: error.reason, userName: person.userName });
        throw error;
      }
      const cause: unknown = deadline.expired ? deadline.signal.reason : error;
      const kind = errorKind(cause);
      metrics.add(METRIC_NAMES.SyncFailures, 1);
      log.error("Identity Store sync failed", {
        userName: person.userName,
        triggerSource: parsed.triggerSource,
        onSyncFailure: config.onSyncFailure,
        budgetMs: deadline.budgetMs,
        ...describeError(cause),
        errorKind: kind,
      });
      if (config.onSyncFailure === "allow") return parsed.event;
      metrics.add(METRIC_NAMES.LoginsDenied, 1);
      throw new SyncFailedError(kind, { cause });
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
