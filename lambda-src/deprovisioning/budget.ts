/**
 * The deletion budget: at most `maxUsers` users changed destructively per rolling window of `windowHours`,
 * across every invocation, concurrent or back to back. It lives in a DynamoDB table (BUDGET_TABLE) as
 * `maxUsers` slot items; a change first takes a free slot with a conditional write, so no two invocations
 * can take the same slot and no user is changed without one.
 *
 * Items (pk / sk, all times epoch milliseconds except the TTL attribute, epoch seconds):
 * - slot      pk "slot", sk "0".."maxUsers-1": userId, runId, mode, reservedAt, reservedUntil, expiresAt.
 *             Free when absent or `reservedUntil` <= now.
 * - user      pk "user#<IdC user id>", sk "reservation": slot, runId, reservedAt, reservedUntil, expiresAt.
 *             Written only after its slot is held: a rerun for the same user within the window reuses it
 *             (a retry is not counted twice).
 * - audit     pk "audit", sk "<ISO time>#<runId>#<userId>": userId, runId, mode, slot, expiresAt (kept
 *             AUDIT_RETENTION_DAYS after the window).
 */
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { clientSettings } from "../shared/identity-store-client";
import { errorName } from "../shared/identity-store";
import { BUDGET_TABLE } from "./contract";
import { BACKGROUND_RETRIES, BACKGROUND_TIMEOUTS } from "./identity-store";

export const SLOT_PARTITION = "slot";
export const USER_PARTITION_PREFIX = "user#";
export const USER_RESERVATION_SORT_KEY = "reservation";
export const AUDIT_PARTITION = "audit";
/** Audit entries outlive the window by this long (then the table's TTL removes them). */
export const AUDIT_RETENTION_DAYS = 30;
/** Rounds of "read the slots, try the free ones" before the budget counts as spent (others raced us). */
const MAX_ROUNDS = 3;

export interface BudgetSettings {
  readonly tableName: string;
  readonly maxUsers: number;
  readonly windowHours: number;
}

export type Reservation =
  { readonly kind: "reserved"; readonly slot: string; readonly reused: boolean } | { readonly kind: "spent" };

/** The background timeouts and bounded retries of the other clients; no endpoint (AWS_ENDPOINT_URL_DYNAMODB works). */
export function createBudgetClient(region: string): DynamoDBClient {
  return new DynamoDBClient({
    region,
    ...clientSettings({ timeouts: BACKGROUND_TIMEOUTS, retry: BACKGROUND_RETRIES }),
  });
}

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });
const number = (item: Record<string, AttributeValue> | undefined, name: string): number =>
  Number(item?.[name]?.N ?? 0);

function isConditionFailed(error: unknown): boolean {
  return errorName(error) === "ConditionalCheckFailedException";
}

export class DeletionBudget {
  private readonly key = BUDGET_TABLE;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly settings: BudgetSettings,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  get maxUsers(): number {
    return this.settings.maxUsers;
  }

  /**
   * A slot for changing this user, or `spent`. Call it right before the change; a run that fails after
   * reserving keeps the slot spent (the safe direction), and its retry reuses it.
   */
  async reserve(userId: string, runId: string, mode: string, signal: AbortSignal): Promise<Reservation> {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      // A reservation this user already holds (a retry, or a concurrent run about the same person) is reused.
      const existing = await this.liveReservation(userId, signal);
      if (existing !== undefined) return { kind: "reserved", slot: existing, reused: true };
      const { free, heldForUser } = await this.slots(userId, signal);
      // A concurrent run about the same person holds a slot for them right now: this change is covered by it.
      if (heldForUser !== undefined) return { kind: "reserved", slot: heldForUser, reused: true };
      if (free.length === 0) break;
      for (const slot of free) {
        const reservedAt = this.now();
        if (!(await this.takeSlot(slot, userId, runId, mode, reservedAt, signal))) continue;
        const holder = await this.recordUser(userId, slot, runId, reservedAt, signal);
        if (holder !== slot) {
          // Another run reserved this user at the same moment: give our slot back and share theirs.
          await this.releaseSlot(slot, userId, runId, signal);
          return { kind: "reserved", slot: holder, reused: true };
        }
        await this.audit(userId, runId, mode, slot, reservedAt, signal);
        return { kind: "reserved", slot, reused: false };
      }
    }
    // The slots may all be held because a concurrent run for this same user briefly held two.
    const existing = await this.liveReservation(userId, signal);
    return existing === undefined ? { kind: "spent" } : { kind: "reserved", slot: existing, reused: true };
  }

  private windowMs(): number {
    return this.settings.windowHours * 3_600_000;
  }

  private async liveReservation(userId: string, signal: AbortSignal): Promise<string | undefined> {
    const output = await this.client.send(
      new GetItemCommand({
        TableName: this.settings.tableName,
        Key: {
          [this.key.partitionKey]: S(`${USER_PARTITION_PREFIX}${userId}`),
          [this.key.sortKey]: S(USER_RESERVATION_SORT_KEY),
        },
        ConsistentRead: true,
      }),
      { abortSignal: signal },
    );
    if (output.Item === undefined || number(output.Item, "reservedUntil") <= this.now()) return undefined;
    return output.Item.slot?.S;
  }

  /**
   * Slots 0..maxUsers-1 that are absent or expired, in an order that spreads concurrent runs, and the live slot
   * already held for this user, if any.
   */
  private async slots(
    userId: string,
    signal: AbortSignal,
  ): Promise<{ free: string[]; heldForUser: string | undefined }> {
    const held = new Set<string>();
    let heldForUser: string | undefined;
    const now = this.now();
    let start: Record<string, AttributeValue> | undefined;
    do {
      const output = await this.client.send(
        new QueryCommand({
          TableName: this.settings.tableName,
          KeyConditionExpression: "#pk = :slot",
          ExpressionAttributeNames: { "#pk": this.key.partitionKey },
          ExpressionAttributeValues: { ":slot": S(SLOT_PARTITION) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
        { abortSignal: signal },
      );
      for (const item of output.Items ?? []) {
        const sk = item[this.key.sortKey]?.S;
        if (sk === undefined || number(item, "reservedUntil") <= now) continue;
        held.add(sk);
        if (item.userId?.S === userId && Number(sk) < this.settings.maxUsers) heldForUser = sk;
      }
      start = output.LastEvaluatedKey;
    } while (start !== undefined);
    const free = Array.from({ length: this.settings.maxUsers }, (_, i) => String(i)).filter(
      (s) => !held.has(s),
    );
    const offset = Math.floor(this.random() * free.length);
    return { free: [...free.slice(offset), ...free.slice(0, offset)], heldForUser };
  }

  private async takeSlot(
    slot: string,
    userId: string,
    runId: string,
    mode: string,
    reservedAt: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    const reservedUntil = reservedAt + this.windowMs();
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.settings.tableName,
          Key: { [this.key.partitionKey]: S(SLOT_PARTITION), [this.key.sortKey]: S(slot) },
          UpdateExpression:
            "SET userId = :user, runId = :run, #mode = :mode, reservedAt = :at, reservedUntil = :until, #ttl = :ttl",
          ConditionExpression: "attribute_not_exists(#pk) OR reservedUntil <= :at",
          ExpressionAttributeNames: {
            "#pk": this.key.partitionKey,
            "#ttl": this.key.ttlAttribute,
            "#mode": "mode",
          },
          ExpressionAttributeValues: {
            ":user": S(userId),
            ":run": S(runId),
            ":mode": S(mode),
            ":at": N(reservedAt),
            ":until": N(reservedUntil),
            ":ttl": N(Math.ceil(reservedUntil / 1000)),
          },
        }),
        { abortSignal: signal },
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  /** Records the user's reservation; returns the slot that holds it (another run's when it was first). */
  private async recordUser(
    userId: string,
    slot: string,
    runId: string,
    reservedAt: number,
    signal: AbortSignal,
  ): Promise<string> {
    const reservedUntil = reservedAt + this.windowMs();
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.settings.tableName,
          Item: {
            [this.key.partitionKey]: S(`${USER_PARTITION_PREFIX}${userId}`),
            [this.key.sortKey]: S(USER_RESERVATION_SORT_KEY),
            slot: S(slot),
            runId: S(runId),
            reservedAt: N(reservedAt),
            reservedUntil: N(reservedUntil),
            [this.key.ttlAttribute]: N(Math.ceil(reservedUntil / 1000)),
          },
          ConditionExpression: "attribute_not_exists(#pk) OR reservedUntil <= :at",
          ExpressionAttributeNames: { "#pk": this.key.partitionKey },
          ExpressionAttributeValues: { ":at": N(reservedAt) },
        }),
        { abortSignal: signal },
      );
      return slot;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      return (await this.liveReservation(userId, signal)) ?? slot;
    }
  }

  private async releaseSlot(slot: string, userId: string, runId: string, signal: AbortSignal): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.settings.tableName,
          Key: { [this.key.partitionKey]: S(SLOT_PARTITION), [this.key.sortKey]: S(slot) },
          UpdateExpression: "SET reservedUntil = :zero",
          ConditionExpression: "userId = :user AND runId = :run",
          ExpressionAttributeValues: { ":zero": N(0), ":user": S(userId), ":run": S(runId) },
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      // Not ours any more: nothing to give back.
      if (!isConditionFailed(error)) throw error;
    }
  }

  private async audit(
    userId: string,
    runId: string,
    mode: string,
    slot: string,
    reservedAt: number,
    signal: AbortSignal,
  ): Promise<void> {
    const keepUntil = reservedAt + this.windowMs() + AUDIT_RETENTION_DAYS * 86_400_000;
    await this.client.send(
      new PutItemCommand({
        TableName: this.settings.tableName,
        Item: {
          [this.key.partitionKey]: S(AUDIT_PARTITION),
          [this.key.sortKey]: S(`${new Date(reservedAt).toISOString()}#${runId}#${userId}`),
          userId: S(userId),
          runId: S(runId),
          mode: S(mode),
          slot: S(slot),
          reservedAt: N(reservedAt),
          [this.key.ttlAttribute]: N(Math.ceil(keepUntil / 1000)),
        },
      }),
      { abortSignal: signal },
    );
  }
}
