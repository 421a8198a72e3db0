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
import { createStsClient } from "../shared/assumed-role-credentials";
import { CognitoDirectory, createCognitoClient } from "./cognito";
import { loadConfig, type Config } from "./config";
import { DEFAULT_SERVICE_NAME, ENV_VARS, METRIC_UNITS } from "./contract";
import { createHandler, type RunSummary } from "./handler";
import {
  assumedRoleCredentials,
  BACKGROUND_RETRIES,
  BACKGROUND_TIMEOUTS,
  createIdentityStoreClient,
  DeprovisioningIdentityStore,
} from "./identity-store";

const logger = createLogger(process.env[ENV_VARS.serviceName] || DEFAULT_SERVICE_NAME);

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  logger.critical("Invalid configuration", error as Error);
  throw error;
}

const tracer = createTracer(config.serviceName);
// Cross-account mode: every Identity Store call uses the IdC account's role, assumed once per container.
const roleCredentials =
  config.identityStoreRoleArn === undefined
    ? undefined
    : assumedRoleCredentials(
        tracer.captureAWSv3Client(
          createStsClient({ timeouts: BACKGROUND_TIMEOUTS, retry: BACKGROUND_RETRIES }),
        ),
        config.identityStoreRoleArn,
        config.serviceName,
      );
const identityStoreClient = tracer.captureAWSv3Client(
  createIdentityStoreClient(config.identityStoreRegion, { credentials: roleCredentials?.provider }),
);
const cognitoClient = tracer.captureAWSv3Client(createCognitoClient(config.userPoolRegion));

const handle = createHandler({
  config,
  identityStore: new DeprovisioningIdentityStore(identityStoreClient, config.identityStoreId),
  cognito: new CognitoDirectory(cognitoClient, config.userPoolId),
  log: powertoolsLog(logger),
  metrics: powertoolsMetrics(createMetrics(config.metricsNamespace, config.serviceName), METRIC_UNITS),
});

export const handler = async (event: unknown, context: Context): Promise<RunSummary> => {
  if (context !== undefined && context !== null) logger.addContext(context);
  return handle(event, context);
};
