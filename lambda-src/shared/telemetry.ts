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

/**
 * Log-safe description of an error: name, message and the SDK's request metadata. Never the
 * request or response bodies.
 */
export function describeError(error: unknown): LogAttributes {
  if (!(error instanceof Error))
    return { errorName: typeof error, errorMessage: String(error).slice(0, 200) };
  const attributes: LogAttributes = { errorName: error.name, errorMessage: error.message.slice(0, 500) };
  const metadata = (
    error as { $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number } }
  ).$metadata;
  if (metadata !== undefined) {
    attributes.httpStatusCode = metadata.httpStatusCode;
    attributes.requestId = metadata.requestId;
    attributes.attempts = metadata.attempts;
  }
  if (error.cause instanceof Error)
    attributes.cause = `${error.cause.name}: ${error.cause.message.slice(0, 200)}`;
  return attributes;
}
