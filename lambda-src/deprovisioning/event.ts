/**
 * The inputs: the schedule's `{"action":"reconcile"}` (invoked directly), and an SQS batch whose records each
 * carry an EventBridge event for a CloudTrail-recorded Cognito API call (`detail-type: AWS API Call via
 * CloudTrail`, `source: aws.cognito-idp`), one invocation per record.
 */
import { RECONCILE_EVENT, TRIGGER_EVENT_NAMES } from "./contract";

/** Cognito replaces some private request fields in CloudTrail with this value. */
export const HIDDEN_FIELD = "HIDDEN_FOR_SECURITY_REASONS";

export type Invocation =
  | { readonly kind: "reconcile"; readonly why: string }
  | {
      readonly kind: "person";
      readonly eventName: (typeof TRIGGER_EVENT_NAMES)[number];
      /** The Username of the request: a user name (sub) or an alias such as the email. */
      readonly username: string;
    }
  /** About one person the event does not name usably: changes nobody (never a fallback to everyone). */
  | { readonly kind: "untraceable"; readonly eventName: string; readonly why: string }
  | { readonly kind: "ignore"; readonly why: string };

/** An SQS record as the event source mapping delivers it (the fields the handler reads). */
export interface SqsRecord {
  readonly messageId: string;
  readonly body: string;
  readonly eventSource: "aws:sqs";
}

/** Whether the input is an SQS batch (`Records` of `eventSource: aws:sqs`), not a direct invocation. */
export function isSqsBatch(input: unknown): input is { Records: SqsRecord[] } {
  return (
    isObject(input) &&
    Array.isArray(input.Records) &&
    input.Records.length > 0 &&
    input.Records.every((r) => isObject(r) && r.eventSource === "aws:sqs" && typeof r.body === "string")
  );
}

/** The invocation an SQS record's body asks for (a body that is not JSON is ignored, like any foreign input). */
export function parseRecord(record: SqsRecord, userPoolId: string): Invocation {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    return { kind: "ignore", why: "the SQS message body is not JSON" };
  }
  return parseInvocation(body, userPoolId);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What to do for this input. Anything unrecognised is ignored (and logged), never guessed at. */
export function parseInvocation(input: unknown, userPoolId: string): Invocation {
  if (isObject(input) && input.action === RECONCILE_EVENT.action) {
    return { kind: "reconcile", why: "scheduled reconciliation" };
  }
  if (
    !isObject(input) ||
    input.source !== "aws.cognito-idp" ||
    input["detail-type"] !== "AWS API Call via CloudTrail" ||
    !isObject(input.detail)
  ) {
    return { kind: "ignore", why: "neither the schedule's input nor a Cognito CloudTrail event" };
  }
  const detail = input.detail;
  const eventName = detail.eventName;
  if (!(TRIGGER_EVENT_NAMES as readonly unknown[]).includes(eventName)) {
    return { kind: "ignore", why: `CloudTrail event ${String(eventName).slice(0, 64)} is not a trigger` };
  }
  if (detail.errorCode !== undefined && detail.errorCode !== null && detail.errorCode !== "") {
    return {
      kind: "ignore",
      why: `the ${String(eventName)} call failed (${String(detail.errorCode).slice(0, 64)})`,
    };
  }
  const parameters = isObject(detail.requestParameters) ? detail.requestParameters : {};
  if (parameters.userPoolId !== userPoolId) {
    return { kind: "ignore", why: "the event is about another user pool" };
  }
  const username = parameters.username;
  if (typeof username !== "string" || username === "" || username === HIDDEN_FIELD || username.length > 128) {
    // No usable name: the schedule's reconciliation will find the leaver; an event never scans the pool.
    return {
      kind: "untraceable",
      eventName: String(eventName),
      why: `${String(eventName)} event without a usable username`,
    };
  }
  return { kind: "person", eventName: eventName as (typeof TRIGGER_EVENT_NAMES)[number], username };
}
