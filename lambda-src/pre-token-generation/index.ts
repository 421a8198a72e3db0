/**
 * Lambda entry point (bundled to dist/lambda/pre-token-generation/index.js). Everything here runs
 * once per container: configuration is validated at cold start (a bad value fails every invocation
 * loudly, naming the variable) and the AWS clients are reused across invocations.
 */
import type { Context, PreTokenGenerationV2TriggerEvent } from "aws-lambda";
import { loadConfig, type Config } from "./config";
import { ENV_VARS } from "./contract";
import { cognitoAttributeWriter, createCognitoClient } from "./cognito-attributes";
import { createHandler } from "./handler";
import { AssumedRoleCredentials, createStsClient, sessionNameFor } from "../shared/assumed-role-credentials";
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
// Cross-account mode: every Identity Store call uses the IdC account's role, assumed once per container.
const roleCredentials =
  config.identityStoreRoleArn === undefined
    ? undefined
    : new AssumedRoleCredentials({
        sts: tracer.captureAWSv3Client(createStsClient()),
        roleArn: config.identityStoreRoleArn,
        sessionName: sessionNameFor(config.serviceName),
      });
const client = tracer.captureAWSv3Client(
  createIdentityStoreClient(config.identityStoreRegion, { credentials: roleCredentials?.provider }),
);
const cognito = cognitoAttributeWriter(tracer.captureAWSv3Client(createCognitoClient()));

// Cognito's 5 s include the cold start: the first invocation's budget is that much shorter.
const initDurationMs = performance.now();
let firstInvocation = true;

const handle = createHandler({
  config,
  client,
  credentials: roleCredentials,
  cognito,
  log: powertoolsLog(logger),
  metrics: powertoolsMetrics(metrics, METRIC_UNITS),
  coldStartMs: () => {
    const elapsed = firstInvocation ? initDurationMs : 0;
    firstInvocation = false;
    return elapsed;
  },
});

export const handler = async (
  event: PreTokenGenerationV2TriggerEvent,
  context: Context,
): Promise<PreTokenGenerationV2TriggerEvent> => {
  if (context !== undefined && context !== null) logger.addContext(context);
  return (await handle(event, context)) as PreTokenGenerationV2TriggerEvent;
};
