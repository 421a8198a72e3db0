/**
 * The Identity Store client every bridge Lambda uses, created once per container: keep-alive connections
 * are reused across invocations, each attempt is bounded by real (throwing) timeouts, retried while the
 * request's abort signal allows, and paced per operation.
 * `AWS_ENDPOINT_URL_IDENTITYSTORE` keeps working because no endpoint is set here.
 */
import { IdentitystoreClient } from "@aws-sdk/client-identitystore";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { IDENTITY_STORE_PACING, Pacer, pacingPlugin, type PacingOptions } from "./pacing";
import { BoundedRetryStrategy, DEFAULT_RETRY_OPTIONS, type RetryOptions } from "./retry-strategy";

/** Time to establish a TCP/TLS connection before the attempt fails (and may be retried). */
export const CONNECTION_TIMEOUT_MS = 1000;
/**
 * Time from sending a request to its response headers before the attempt fails. With
 * @smithy/node-http-handler 4.x this only logs a warning unless `throwOnRequestTimeout` is true.
 */
export const REQUEST_TIMEOUT_MS = 1500;

export interface HttpTimeouts {
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

export const DEFAULT_TIMEOUTS: HttpTimeouts = {
  connectionTimeoutMs: CONNECTION_TIMEOUT_MS,
  requestTimeoutMs: REQUEST_TIMEOUT_MS,
};

/** An HTTP handler whose timeouts throw (shared by every AWS client of the bridge Lambdas). */
export function createRequestHandler(timeouts: HttpTimeouts = DEFAULT_TIMEOUTS): NodeHttpHandler {
  return new NodeHttpHandler({
    connectionTimeout: timeouts.connectionTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    // Without this, @smithy/node-http-handler 4.x only logs a warning when requestTimeout passes.
    throwOnRequestTimeout: true,
  });
}

export interface ClientOptions {
  readonly timeouts?: HttpTimeouts;
  readonly retry?: RetryOptions;
  /** Per-operation pacing of this container's calls; `false` turns it off. */
  readonly pacing?: PacingOptions | false;
  /** Credentials (e.g. an assumed role's); default: the SDK's chain (the Lambda's role). */
  readonly credentials?: AwsCredentialIdentityProvider;
}

/** Timeouts, retries and credentials every AWS client of the bridge Lambdas is configured with. */
export function clientSettings(options: ClientOptions = {}) {
  const retry = options.retry ?? DEFAULT_RETRY_OPTIONS;
  return {
    maxAttempts: retry.maxAttempts,
    retryStrategy: new BoundedRetryStrategy(retry),
    requestHandler: createRequestHandler(options.timeouts),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  };
}

export function createIdentityStoreClient(region: string, options: ClientOptions = {}): IdentitystoreClient {
  const client = new IdentitystoreClient({ region, ...clientSettings(options) });
  const pacing = options.pacing ?? IDENTITY_STORE_PACING;
  if (pacing !== false) client.middlewareStack.use(pacingPlugin(new Pacer(pacing)));
  return client;
}
