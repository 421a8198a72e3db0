/**
 * Finding (or creating) the person's IdC user, within the invocation's deadline:
 *
 * 1. Linked (`custom:idc_user_id` set): DescribeUser by that id. One call for a known person when nothing
 *    changed; a bridge-owned user whose UserName, email, names or enterprise attributes differ is updated
 *    in place (a mover keeps id, memberships and assignments). A linked user that is gone is provisioned
 *    afresh (and relinked).
 * 2. Not linked: GetUserId by `emails.value`. A user holding the email under the person's UserName is
 *    theirs; one holding it under another UserName is adopted (ADOPT_EXISTING_USERS: renamed to the email
 *    and marked) or the sign-in is denied naming it, unless another user holds the UserName itself (that
 *    one is who IdC signs in). Nobody: CreateUser. Its UserName uniqueness is the look-up by `userName`:
 *    a new person costs one GetUserId, and a ConflictException (a concurrent sign-in, a user whose email
 *    differs from its UserName, a store with unique emails) is resolved by looking up `userName`, then
 *    `emails.value`, a few times within the deadline (the store may not show a just-created user at once).
 *
 * Nothing ever edits an IdC user without a bridge mark (UserType = BRIDGE_USER_TYPE for users it created,
 * BRIDGE_ADOPTED_USER_TYPE for users it adopted), except the adoption, which adds the adopted mark, and which
 * only ever takes a user whose UserType is unset (any other UserType says someone else manages the user: an
 * adoption could hand its memberships to whoever signs in with its email). No rename ever takes a UserName or
 * email another IdC user holds. No two users are ever merged.
 */
import type { Deadline } from "../shared/deadline";
import type { Log, MetricsSink } from "../shared/telemetry";
import { BRIDGE_ADOPTED_USER_TYPE, BRIDGE_USER_TYPE, type EnterpriseAttributeField } from "./contract";
import { ConflictUnresolvedError, LoginDeniedError, UserChangedConcurrentlyError } from "./errors";
import {
  type AttributeOperation,
  type DesiredUser,
  ENTERPRISE_EXTENSION,
  type IdcUser,
  type IdentityStore,
} from "./identity-store";
import { METRIC_NAMES, type MetricName } from "./metric-names";
import type { Person } from "./person";
import { cleanName } from "./text";

/**
 * Time kept for CreateUser (and what follows) when the first look-up of an unlinked person retries: a
 * look-up answered later than this before the deadline is wasted, and under a burst of sign-ins it
 * would be another person's share of the quota.
 */
export const CREATE_RESERVE_MS = 600;

/** Rounds of look-ups (userName, then emails.value) after a ConflictException. */
export const MAX_CONFLICT_ROUNDS = 4;
/** First wait between conflict look-up rounds (doubling, jittered). */
export const CONFLICT_BASE_DELAY_MS = 100;

export type ProvisionOutcome = "found" | "created" | "conflict-resolved" | "adopted";

export interface Provisioned {
  readonly userId: string;
  /** The IdC UserName after provisioning: always the person's normalized email. */
  readonly userName: string;
  readonly outcome: ProvisionOutcome;
  /** Created by this invocation: it has no memberships yet. */
  readonly isNew: boolean;
}

export interface ProvisioningContext {
  readonly store: IdentityStore;
  readonly deadline: Deadline;
  readonly log: Log;
  readonly metrics: MetricsSink<MetricName>;
  readonly adoptExistingUsers: boolean;
  /** Whether ENTERPRISE_ATTRIBUTES is configured (DescribeUser then asks for the extension). */
  readonly syncEnterprise: boolean;
  readonly random?: () => number;
}

/** The user the bridge wants for `person`, with the enterprise values read from Cognito attributes. */
export function desiredUser(
  person: Person,
  enterprise: ReadonlyMap<EnterpriseAttributeField, string | undefined>,
): DesiredUser {
  return {
    userName: person.userName,
    email: person.userName,
    displayName: person.names.displayName,
    givenName: person.names.givenName,
    familyName: person.names.familyName,
    enterprise: new Map([...enterprise].map(([field, value]) => [field, cleanName(value)])),
  };
}

/** The UpdateUser operations that make `current` what `desired` says (empty when nothing differs). */
export function attributeOperations(current: IdcUser, desired: DesiredUser): AttributeOperation[] {
  const operations: AttributeOperation[] = [];
  if (current.userName !== desired.userName) operations.push({ path: "userName", value: desired.userName });
  if (current.email !== desired.email) {
    // Multi-valued attributes can only be replaced as a whole.
    operations.push({ path: "emails", value: [{ Value: desired.email, Type: "work", Primary: true }] });
  }
  if (current.givenName !== desired.givenName)
    operations.push({ path: "name.givenName", value: desired.givenName });
  if (current.familyName !== desired.familyName) {
    operations.push({ path: "name.familyName", value: desired.familyName });
  }
  if (current.displayName !== desired.displayName)
    operations.push({ path: "displayName", value: desired.displayName });
  for (const [field, value] of desired.enterprise) {
    if (current.enterprise[field] !== value)
      operations.push({ path: `${ENTERPRISE_EXTENSION}.${field}`, value });
  }
  return operations;
}

/** Carries a bridge mark: created (BRIDGE_USER_TYPE) or adopted (BRIDGE_ADOPTED_USER_TYPE) by the bridge. */
export function isBridgeManaged(user: IdcUser): boolean {
  return user.userType === BRIDGE_USER_TYPE || user.userType === BRIDGE_ADOPTED_USER_TYPE;
}

/** Adoptable: no UserType at all. Any other UserType is someone else's mark (or role), never taken over. */
export function isAdoptable(user: IdcUser): boolean {
  return user.userType === undefined || user.userType === "";
}

/** Finds, adopts, updates or creates the person's IdC user. Throws LoginDeniedError on an identity conflict. */
export async function provisionUser(
  context: ProvisioningContext,
  desired: DesiredUser,
  linkedUserId: string | undefined,
): Promise<Provisioned> {
  const { store, deadline, log, metrics } = context;
  const signal = deadline.signal;
  const describe = (userId: string) =>
    store.describeUser(userId, signal, { enterprise: context.syncEnterprise });

  const settle = async (user: IdcUser, outcome: ProvisionOutcome): Promise<Provisioned> => {
    const operations = attributeOperations(user, desired);
    const renames = user.userName !== desired.userName;
    if (!isBridgeManaged(user)) {
      // Not the bridge's: used as it is when IdC can match it, never edited (except by adoption).
      if (!renames) return { userId: user.userId, userName: user.userName, outcome, isNew: false };
      return adopt(user, operations);
    }
    if (renames) await refuseTakenTarget(user);
    if (operations.length > 0) {
      const result = await store.updateUser(user.userId, operations, signal);
      if (result === "conflict") return refuseCollision(user);
      if (result === "not-found") throw new UserChangedConcurrentlyError(user.userId);
      metrics.add(renames ? METRIC_NAMES.UsersRenamed : METRIC_NAMES.UserAttributesUpdated, 1);
      log.info(renames ? "Identity Store user renamed" : "Identity Store user updated", {
        userId: user.userId,
        ...(renames ? { previousUserName: user.userName, userName: desired.userName } : {}),
        attributes: operations.map((operation) => operation.path),
      });
    }
    return { userId: user.userId, userName: desired.userName, outcome, isNew: false };
  };

  const adopt = async (user: IdcUser, operations: AttributeOperation[]): Promise<Provisioned> => {
    if (!context.adoptExistingUsers) {
      log.warn(
        "The person's IdC user was not created by the bridge and has another UserName: adoption required",
        {
          conflictingUserId: user.userId,
          existingUserName: user.userName,
          userName: desired.userName,
          fix: "rename that user's UserName to the email, or set provisioning.adoptExistingUsers",
        },
      );
      throw new LoginDeniedError(
        "adoption-required",
        `Sign-in denied: your email address is not the user name of your AWS IAM Identity Center user (user id ${user.userId}), which the bridge did not create. An administrator must change that user's user name to ${desired.userName}, or let the bridge adopt existing users (provisioning.adoptExistingUsers).`,
      );
    }
    if (!isAdoptable(user)) {
      log.error("Refusing to adopt an IdC user that carries another UserType (someone else manages it)", {
        conflictingUserId: user.userId,
        userType: user.userType,
        userName: desired.userName,
        fix: "an administrator must decide who this user belongs to; the bridge never adopts a user with a UserType",
      });
      throw new LoginDeniedError(
        "adoption-refused",
        `Sign-in denied: your email address belongs to an AWS IAM Identity Center user (user id ${user.userId}) that is managed outside the bridge. An administrator must resolve this.`,
      );
    }
    await refuseTakenTarget(user);
    const result = await store.updateUser(
      user.userId,
      [...operations, { path: "userType", value: BRIDGE_ADOPTED_USER_TYPE }],
      signal,
    );
    if (result === "conflict") return refuseCollision(user);
    if (result === "not-found") throw new UserChangedConcurrentlyError(user.userId);
    metrics.add(METRIC_NAMES.UsersAdopted, 1);
    log.warn("Identity Store user adopted", {
      userId: user.userId,
      previousUserName: user.userName,
      userName: desired.userName,
      userType: BRIDGE_ADOPTED_USER_TYPE,
    });
    return { userId: user.userId, userName: desired.userName, outcome: "adopted", isNew: false };
  };

  /**
   * Before a rename (a mover, or an adoption): the new UserName and email must be nobody else's, whether
   * another IdC user holds it as UserName or among its emails (IdC does not make emails unique, so UpdateUser
   * alone would let a mover take someone else's address). Refused with a denial and nothing changed.
   */
  const refuseTakenTarget = async (user: IdcUser): Promise<void> => {
    for (const attribute of ["userName", "emails.value"] as const) {
      const holder = await store.findUserId(attribute, desired.userName, signal);
      if (holder === undefined || holder === user.userId) continue;
      log.error(
        "Cannot rename the IdC user: another IdC user holds the new UserName or email; nothing changed",
        {
          userId: user.userId,
          conflictingUserId: holder,
          heldAs: attribute,
          userName: desired.userName,
        },
      );
      throw new LoginDeniedError(
        attribute === "userName" ? "user-name-taken" : "email-taken",
        `Sign-in denied: another AWS IAM Identity Center user already has your email address ${desired.userName}. An administrator must resolve the conflict between IdC users ${user.userId} and ${holder}.`,
      );
    }
  };

  const refuseCollision = async (user: IdcUser): Promise<never> => {
    const holder = await store.findUserId("userName", desired.userName, signal);
    log.error("Cannot rename the IdC user: another IdC user holds the new UserName or email; not merging", {
      userId: user.userId,
      conflictingUserId: holder,
      userName: desired.userName,
    });
    throw new LoginDeniedError(
      "user-name-taken",
      holder === undefined
        ? `Sign-in denied: another AWS IAM Identity Center user already has your email address. An administrator must resolve the conflict with IdC user ${user.userId}.`
        : `Sign-in denied: another AWS IAM Identity Center user already has the user name ${desired.userName}. An administrator must resolve the conflict between IdC users ${user.userId} and ${holder}.`,
    );
  };

  /** A user found by a look-up: the one holding the UserName wins over one holding only the email. */
  const settleFound = async (user: IdcUser, outcome: ProvisionOutcome): Promise<Provisioned> => {
    if (user.userName === desired.userName) return settle(user, outcome);
    const holderId = await store.findUserId("userName", desired.userName, signal);
    if (holderId !== undefined && holderId !== user.userId) {
      const holder = await describe(holderId);
      if (holder !== undefined) {
        log.warn("Two IdC users share the person's email; using the one with the person's UserName", {
          userId: holder.userId,
          otherUserId: user.userId,
        });
        return settle(holder, outcome);
      }
    }
    return settle(user, outcome);
  };

  const resolveConflict = async (): Promise<Provisioned> => {
    const random = context.random ?? Math.random;
    let lookups = 0;
    for (let round = 0; ; round += 1) {
      for (const attribute of ["userName", "emails.value"] as const) {
        const userId = await store.findUserId(attribute, desired.userName, signal);
        lookups += 1;
        const user = userId === undefined ? undefined : await describe(userId);
        if (user !== undefined) return settleFound(user, "conflict-resolved");
      }
      const wait = Math.round(CONFLICT_BASE_DELAY_MS * 2 ** round * (0.5 + random() / 2));
      if (round + 1 >= MAX_CONFLICT_ROUNDS || deadline.remainingMs() < wait + 300) {
        throw new ConflictUnresolvedError(lookups);
      }
      await deadline.sleep(wait);
    }
  };

  if (linkedUserId !== undefined) {
    const linked = await describe(linkedUserId);
    if (linked !== undefined) return settle(linked, "found");
    metrics.add(METRIC_NAMES.LinkedUsersMissing, 1);
    log.warn("The linked IdC user no longer exists; provisioning the person afresh", { linkedUserId });
  }

  const lookupSignal = deadline.signalBefore(CREATE_RESERVE_MS);
  const byEmail = await store.findUserId("emails.value", desired.email, lookupSignal);
  const found =
    byEmail === undefined
      ? undefined
      : await store.describeUser(byEmail, lookupSignal, { enterprise: context.syncEnterprise });
  if (found !== undefined) return settleFound(found, "found");

  const created = await store.createUser(desired, BRIDGE_USER_TYPE, signal);
  if (created.kind === "created") {
    return { userId: created.userId, userName: desired.userName, outcome: "created", isNew: true };
  }
  return resolveConflict();
}
