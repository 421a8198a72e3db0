import { errorKind } from "./error-kind";

export type LogAttributes = Record<string, unknown>;

/** The structured logger the handlers need (Powertools Logger in production). */
export interface Log {
  debug(message: string, attributes?: LogAttributes): void;
  info(message: string, attributes?: LogAttributes): void;
  warn(message: string, attributes?: LogAttributes): void;
  error(message: string, attributes?: LogAttributes): void;
}

/** The metrics a handler records (Powertools Metrics / EMF in production), by metric name. */
export interface MetricsSink<Name extends string = string> {
  add(name: Name, value: number): void;
  /** Flushes what was recorded during the invocation. */
  publish(): void;
}

/** Enum-valued fields of AWS service errors that say what failed without echoing any input. */
const SAFE_ERROR_FIELDS = ["ResourceType", "Reason"] as const;

interface ServiceErrorShape {
  readonly $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
  readonly code?: unknown;
}

/**
 * Log-safe description of an error: its name, its kind (transient or permanent) and, for AWS service
 * errors, the request metadata and enum fields (ResourceType, Reason) but never the service's message,
 * which may quote request or response content. Messages of other errors (ours, Node's) are kept.
 */
export function describeError(error: unknown): LogAttributes {
  if (!(error instanceof Error)) return { errorName: typeof error, errorKind: errorKind(error) };
  const attributes: LogAttributes = { errorName: error.name, errorKind: errorKind(error) };
  const { $metadata: metadata, code } = error as Error & ServiceErrorShape;
  if (metadata === undefined) attributes.errorMessage = error.message.slice(0, 300);
  else {
    attributes.httpStatusCode = metadata.httpStatusCode;
    attributes.requestId = metadata.requestId;
    attributes.attempts = metadata.attempts;
    for (const field of SAFE_ERROR_FIELDS) {
      const value = (error as unknown as Record<string, unknown>)[field];
      if (typeof value === "string" && /^[A-Z_]{1,40}$/.test(value)) attributes[field] = value;
    }
  }
  if (typeof code === "string" && /^[A-Z0-9_]{1,40}$/.test(code)) attributes.errorCode = code;
  if (error.cause instanceof Error) {
    const cause = error.cause as Error & ServiceErrorShape;
    attributes.cause =
      cause.$metadata === undefined ? `${cause.name}: ${cause.message.slice(0, 200)}` : cause.name;
  }
  return attributes;
}
