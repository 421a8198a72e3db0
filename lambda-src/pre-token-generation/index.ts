/**
 * Lambda entry point (bundled to dist/lambda/pre-token-generation/index.js). Everything here runs
 * once per container: configuration is validated at cold start (a bad value fails every invocation
 * loudly, naming the variable) and the Identity Store client is reused across invocations.
 */
import type { Context, PreTokenGenerationV2TriggerEvent } from "aws-lambda";
import { loadConfig, type Config } from "./config";
import { ENV_VARS } from "./contract";
import { createHandler } from "./handler";
import { createIdentityStoreClient } from "../shared/identity-store-client";
import { DEFAULT_SERVICE_NAME, METRIC_UNITS } from "./metric-names";
import {
  createLogger,
  createMetrics,
  createTracer,
  powertoolsLog,
  powertoolsMetrics,
} from "../shared/observability";

const logger = createLogger(process.env[ENV_VARS.serviceName] || DEFAULT_SERVICE_NAME);

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  logger.critical("Invalid configuration", error as Error);
  throw error;
}

const metrics = createMetrics(config.metricsNamespace, config.serviceName);
const tracer = createTracer(config.serviceName);
const client = tracer.captureAWSv3Client(createIdentityStoreClient(config.identityStoreRegion));

const handle = createHandler({
  config,
  client,
  log: powertoolsLog(logger),
  metrics: powertoolsMetrics(metrics, METRIC_UNITS),
});

export const handler = async (
  event: PreTokenGenerationV2TriggerEvent,
  context: Context,
): Promise<PreTokenGenerationV2TriggerEvent> => {
  if (context !== undefined && context !== null) logger.addContext(context);
  return (await handle(event, context)) as PreTokenGenerationV2TriggerEvent;
};
