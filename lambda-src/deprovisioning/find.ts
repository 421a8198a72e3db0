/**
 * Step 1 of a run: who the leavers are. The schedule reads both directories (paced, every page or nothing);
 * an event reads only the one person it is about and whoever shares that person's identity key.
 */
import { identityKeyOf } from "../shared/identity-rule";
import type { Log } from "../shared/telemetry";
import type { CognitoDirectory, CognitoPerson } from "./cognito";
import type { Config } from "./config";
import type { DeprovisioningIdentityStore, IdcUser } from "./identity-store";
import { assessUser, CognitoIndex, isBridgeOwned, type Leaver } from "./leavers";

export interface FindDependencies {
  readonly config: Config;
  readonly store: DeprovisioningIdentityStore;
  readonly cognito: CognitoDirectory;
  readonly log: Log;
  /** Today (UTC, YYYY-MM-DD). */
  readonly today: string;
  /** Fields of the run (run id, mode, SQS message id) for this step's log lines. */
  readonly context: Record<string, unknown>;
}

/**
 * The leavers a run is about: everyone's for the schedule, one person's for an event. An event that cannot
 * be traced to anyone changes nobody (`untraceable`, logged), never falls back to everyone.
 */
export async function findLeavers(
  invocation:
    | { readonly kind: "reconcile" }
    | { readonly kind: "person"; readonly username: string; readonly eventName: string },
  deps: FindDependencies,
  signal: AbortSignal,
): Promise<{ kind: "reconcile" | "person" | "untraceable"; leavers: Leaver[] }> {
  if (invocation.kind === "reconcile")
    return { kind: "reconcile", leavers: await reconcileEveryone(deps, signal) };
  const leavers = await checkPerson(invocation.username, deps, signal);
  if (leavers !== undefined) return { kind: "person", leavers };
  deps.log.warn("Event about a person it cannot trace: nobody was changed", {
    ...deps.context,
    eventName: invocation.eventName,
  });
  return { kind: "untraceable", leavers: [] };
}

/** Every bridge-owned IdC user against every Cognito user of the pool (the schedule only). */
export async function reconcileEveryone(deps: FindDependencies, signal: AbortSignal): Promise<Leaver[]> {
  // Every page or nothing: a partial listing would make the people on the missing pages look gone.
  const index = new CognitoIndex();
  for await (const person of deps.cognito.listUsers(signal)) index.add(person);
  const leavers: Leaver[] = [];
  let scanned = 0;
  let owned = 0;
  for await (const user of deps.store.listUsers(signal)) {
    scanned += 1;
    if (isBridgeOwned(user)) owned += 1;
    const leaver = assessUser(user, index, deps.today, deps.config.inactiveDays);
    if (leaver !== undefined) leavers.push(leaver);
  }
  deps.log.info("Reconciliation: directories read", {
    cognitoUsers: index.size,
    identityStoreUsers: scanned,
    bridgeOwnedUsers: owned,
    leavers: leavers.length,
  });
  return leavers;
}

/**
 * The leavers among the IdC users one Cognito user stands for; undefined when the event cannot be traced to
 * anyone (a deleted user named by their sub). Cognito calls: AdminGetUser, then one filtered ListUsers per
 * distinct identity key (the person's email, and a linked IdC user's UserName if that differs): at most 3.
 */
export async function checkPerson(
  username: string,
  deps: FindDependencies,
  signal: AbortSignal,
): Promise<Leaver[] | undefined> {
  const { cognito, store } = deps;
  const subject = await cognito.getUser(username, signal);
  // AdminDeleteUser by email alias: the user is gone, its alias still names the person.
  const emailKey =
    subject === undefined ? identityKeyOf(username.includes("@") ? username : undefined) : subject.email;
  const candidates = new Set<string>();
  if (subject?.idcUserId !== undefined) candidates.add(subject.idcUserId);
  if (emailKey !== undefined) {
    const userId = await store.findUserId(emailKey, signal);
    if (userId !== undefined) candidates.add(userId);
  }
  if (candidates.size === 0) return subject === undefined ? undefined : [];

  const users: IdcUser[] = [];
  for (const userId of candidates) {
    const user = await store.describeUser(userId, signal);
    if (user !== undefined && isBridgeOwned(user)) users.push(user);
  }
  const byKey = new Map<string, CognitoPerson[]>();
  const leavers: Leaver[] = [];
  for (const user of users) {
    // Whether ANY enabled Cognito user still stands for them: filtered by identity key, never a scan.
    const index = new CognitoIndex();
    const key = identityKeyOf(user.userName);
    if (key !== undefined) {
      if (!byKey.has(key)) byKey.set(key, await cognito.peopleWithEmail(key, signal));
      for (const person of byKey.get(key)!) index.add(person);
    }
    if (subject !== undefined && !index.has(subject)) index.add(subject);
    const leaver = assessUser(user, index, deps.today, deps.config.inactiveDays);
    if (leaver !== undefined) leavers.push(leaver);
  }
  return leavers;
}
