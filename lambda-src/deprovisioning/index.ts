/**
 * Lambda entry point (bundled to dist/lambda/deprovisioning/index.js). Configuration is validated at cold
 * start (a bad value fails every invocation loudly, naming the variable); clients are reused.
 */
import type { Context } from "aws-lambda";
import {
  createLogger,
  createMetrics,
  createTracer,
  powertoolsLog,
  powertoolsMetrics,
} from "../shared/observability";
import { assumeRoleCredentials } from "./assume-role";
import { CognitoDirectory, createCognitoClient } from "./cognito";
import { loadConfig, type Config } from "./config";
import { DEFAULT_SERVICE_NAME, ENV_VARS, METRIC_UNITS } from "./contract";
import { createHandler, type RunSummary } from "./handler";
import { createIdentityStoreClient, DeprovisioningIdentityStore } from "./identity-store";
import { Pacer } from "./pacer";

/** ~16 calls a second per operation: under Identity Store's ~20 per API, with room for the JIT Lambda. */
const CALL_INTERVAL_MS = 60;

const logger = createLogger(process.env[ENV_VARS.serviceName] || DEFAULT_SERVICE_NAME);

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  logger.critical("Invalid configuration", error as Error);
  throw error;
}

const tracer = createTracer(config.serviceName);
const pacer = new Pacer(CALL_INTERVAL_MS);
const credentials =
  config.identityStoreRoleArn === undefined
    ? undefined
    : assumeRoleCredentials(config.identityStoreRoleArn, config.identityStoreRegion, config.serviceName);
const identityStoreClient = tracer.captureAWSv3Client(
  createIdentityStoreClient(config.identityStoreRegion, credentials),
);
const cognitoClient = tracer.captureAWSv3Client(createCognitoClient(config.userPoolRegion));

const handle = createHandler({
  config,
  identityStore: new DeprovisioningIdentityStore(identityStoreClient, config.identityStoreId, pacer),
  cognito: new CognitoDirectory(cognitoClient, config.userPoolId, pacer),
  log: powertoolsLog(logger),
  metrics: powertoolsMetrics(createMetrics(config.metricsNamespace, config.serviceName), METRIC_UNITS),
});

export const handler = async (event: unknown, context: Context): Promise<RunSummary> => {
  if (context !== undefined && context !== null) logger.addContext(context);
  return handle(event, context);
};
