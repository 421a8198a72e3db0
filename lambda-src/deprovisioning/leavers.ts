/**
 * Who is a leaver: the pure decision, shared by the scheduled reconciliation and the event-driven check.
 *
 * Safe by construction: an IdC user without the bridge's ownership mark is never a leaver, and an IdC user
 * is a leaver only when NO enabled Cognito user stands for it, by either link: `custom:idc_user_id` equal to
 * its id, or an email with the same identity key as its UserName (the one identity rule of
 * `lambda-src/shared/identity-rule.ts`, which the JIT Lambda also applies). More matches can only keep a
 * user, never remove one.
 */
import { BRIDGE_ADOPTED_USER_TYPE, BRIDGE_USER_TYPE } from "../pre-token-generation/contract";
import { identityKeyOf } from "../shared/identity-rule";
import type { CognitoPerson } from "./cognito";
import type { IdcUser } from "./identity-store";

export type LeaverReason = "cognito-user-missing" | "cognito-user-disabled" | "inactive";

export interface Leaver {
  readonly userId: string;
  readonly userName: string;
  readonly reason: LeaverReason;
  /** Adopted by the bridge (not created by it): never deleted, only its managed memberships removed. */
  readonly adopted: boolean;
  /** For `inactive`: the most recent recorded sign-in of the person's enabled Cognito users. */
  readonly lastSignIn?: string;
}

/** The Cognito users by both links. */
export class CognitoIndex {
  private readonly byIdcUserId = new Map<string, CognitoPerson[]>();
  private readonly byEmail = new Map<string, CognitoPerson[]>();
  size = 0;

  private readonly usernames = new Set<string>();

  /** `person.email` is already an identity key (see CognitoPerson). */
  add(person: CognitoPerson): void {
    this.size += 1;
    this.usernames.add(person.username);
    const push = (map: Map<string, CognitoPerson[]>, key: string | undefined) => {
      if (key === undefined) return;
      const list = map.get(key) ?? [];
      list.push(person);
      map.set(key, list);
    };
    push(this.byIdcUserId, person.idcUserId);
    push(this.byEmail, person.email);
  }

  has(person: CognitoPerson): boolean {
    return this.usernames.has(person.username);
  }

  /** Every Cognito user that stands for this IdC user (each once). */
  peopleFor(user: IdcUser): CognitoPerson[] {
    const found = new Map<string, CognitoPerson>();
    for (const p of this.byIdcUserId.get(user.userId) ?? []) found.set(p.username, p);
    const key = identityKeyOf(user.userName);
    if (key !== undefined) for (const p of this.byEmail.get(key) ?? []) found.set(p.username, p);
    return [...found.values()];
  }
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days from `day` (YYYY-MM-DD) to `today` (YYYY-MM-DD); undefined for anything that is not a real date. */
export function daysSince(day: string, today: string): number | undefined {
  const parse = (value: string): number | undefined => {
    const m = DAY_PATTERN.exec(value);
    if (!m) return undefined;
    const time = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    return new Date(time).toISOString().slice(0, 10) === value ? time : undefined;
  };
  const from = parse(day);
  const to = parse(today);
  if (from === undefined || to === undefined) return undefined;
  return Math.round((to - from) / 86_400_000);
}

/** Carries one of the bridge's marks: created by it, or adopted by it. Nothing else is ever changed. */
export function isBridgeOwned(user: IdcUser): boolean {
  return isBridgeCreated(user) || user.userType === BRIDGE_ADOPTED_USER_TYPE;
}

/** Created by the bridge: the only users it ever deletes (an adopted user loses only managed memberships). */
export function isBridgeCreated(user: IdcUser): boolean {
  return user.userType === BRIDGE_USER_TYPE;
}

/**
 * Whether this IdC user is a leaver. With `inactiveDays`, a person is inactive when every enabled Cognito
 * user that stands for them has a recorded last sign-in more than `inactiveDays` days before `today`.
 * A person with no recorded sign-in (never signed in since recording began, or recording is off) counts as
 * ACTIVE: the absence of a record is not evidence of absence, and deprovisioning on it would remove
 * everyone the day the feature is turned on. Unreadable values count as active for the same reason.
 */
export function assessUser(
  user: IdcUser,
  index: CognitoIndex,
  today: string,
  inactiveDays: number | undefined,
): Leaver | undefined {
  if (!isBridgeOwned(user)) return undefined;
  const people = index.peopleFor(user);
  const base = { userId: user.userId, userName: user.userName, adopted: !isBridgeCreated(user) };
  if (people.length === 0) return { ...base, reason: "cognito-user-missing" };
  const enabled = people.filter((p) => p.enabled);
  if (enabled.length === 0) return { ...base, reason: "cognito-user-disabled" };
  if (inactiveDays === undefined) return undefined;
  let latest: string | undefined;
  for (const person of enabled) {
    const age = person.lastSignIn === undefined ? undefined : daysSince(person.lastSignIn, today);
    if (age === undefined || age <= inactiveDays) return undefined;
    if (latest === undefined || person.lastSignIn! > latest) latest = person.lastSignIn;
  }
  return { ...base, reason: "inactive", lastSignIn: latest };
}
