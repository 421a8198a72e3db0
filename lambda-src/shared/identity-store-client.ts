/**
 * The Identity Store client every bridge Lambda uses, created once per container: keep-alive connections
 * are reused across invocations, each attempt is bounded by real (throwing) timeouts, retries are bounded.
 * `AWS_ENDPOINT_URL_IDENTITYSTORE` keeps working because no endpoint is set here.
 */
import { IdentitystoreClient } from "@aws-sdk/client-identitystore";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { BoundedRetryStrategy, DEFAULT_RETRY_OPTIONS } from "./retry-strategy";

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

export function createIdentityStoreClient(
  region: string,
  timeouts: HttpTimeouts = DEFAULT_TIMEOUTS,
): IdentitystoreClient {
  return new IdentitystoreClient({
    region,
    maxAttempts: DEFAULT_RETRY_OPTIONS.maxAttempts,
    retryStrategy: new BoundedRetryStrategy(),
    requestHandler: createRequestHandler(timeouts),
  });
}
