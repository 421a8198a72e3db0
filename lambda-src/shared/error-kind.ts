/**
 * Permanent or transient: whether trying again later can help. Throttling, server errors (5xx), timeouts,
 * dropped connections and a deadline that ran out are transient; everything else (access denied, a
 * missing identity store, validation errors, a denied AssumeRole…) is permanent: only an administrator
 * can fix it, so nobody should be told to "try again".
 */
import { DeadlineExceededError } from "./deadline";

export type ErrorKind = "transient" | "permanent";

const THROTTLING_NAMES = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "LimitExceededException",
]);
const TRANSIENT_NAMES = new Set([
  "InternalServerException",
  "InternalErrorException",
  "InternalFailure",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "AbortError",
  "IDPCommunicationError",
]);
const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

interface ErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: { readonly throttling?: boolean };
}

function asErrorLike(error: unknown): ErrorLike | undefined {
  return typeof error === "object" && error !== null ? (error as ErrorLike) : undefined;
}

/**
 * A ConflictException whose Reason is CONCURRENT_MODIFICATION (Identity Store API reference,
 * ConflictException: "CONCURRENT_MODIFICATION" | "UNIQUENESS_CONSTRAINT_VIOLATION"): another request changed
 * the resource at the same moment. Retryable, and never a uniqueness conflict.
 */
export function isConcurrentModification(error: unknown): boolean {
  const candidate = asErrorLike(error);
  return (
    candidate?.name === "ConflictException" &&
    (error as { Reason?: unknown }).Reason === "CONCURRENT_MODIFICATION"
  );
}

export function isThrottling(error: unknown): boolean {
  const candidate = asErrorLike(error);
  if (candidate === undefined) return false;
  return (
    THROTTLING_NAMES.has(String(candidate.name)) ||
    candidate.$metadata?.httpStatusCode === 429 ||
    candidate.$retryable?.throttling === true
  );
}

export function errorKind(error: unknown, depth = 0): ErrorKind {
  if (error instanceof DeadlineExceededError || isThrottling(error)) return "transient";
  const candidate = asErrorLike(error);
  if (candidate === undefined) return "permanent";
  const status = candidate.$metadata?.httpStatusCode ?? 0;
  if (
    TRANSIENT_NAMES.has(String(candidate.name)) ||
    TRANSIENT_CODES.has(String(candidate.code)) ||
    (status >= 500 && status <= 599) ||
    isConcurrentModification(error) ||
    (error as { transient?: unknown }).transient === true
  ) {
    return "transient";
  }
  if (candidate.cause !== undefined && depth < 5) return errorKind(candidate.cause, depth + 1);
  return "permanent";
}
