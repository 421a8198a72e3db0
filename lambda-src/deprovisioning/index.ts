/**
 * Lambda entry point (bundled to dist/lambda/deprovisioning/index.js). Configuration is validated at cold
 * start (a bad value fails every invocation loudly, naming the variable); clients are reused.
 */
import { createStsClient, crossAccountCredentials } from "../shared/assumed-role-credentials";
import { coldStart, lambdaHandler, powertoolsMetrics } from "../shared/observability";
import { createBudgetClient, DeletionBudget } from "./budget";
import { CognitoDirectory, createCognitoClient } from "./cognito";
import { loadConfig } from "./config";
import { DEFAULT_SERVICE_NAME, ENV_VARS, METRIC_UNITS } from "./contract";
import { createHandler } from "./handler";
import {
  BACKGROUND_ASSUME_ROLE_TIMEOUT_MS,
  BACKGROUND_RETRIES,
  BACKGROUND_TIMEOUTS,
  createIdentityStoreClient,
  DeprovisioningIdentityStore,
} from "./identity-store";

const { config, logger, tracer, metrics, log } = coldStart({
  loadConfig,
  serviceNameVariable: ENV_VARS.serviceName,
  defaultServiceName: DEFAULT_SERVICE_NAME,
});
// A background run: AssumeRole may take longer than a sign-in could wait.
const roleCredentials = crossAccountCredentials(config.identityStoreRoleArn, config.serviceName, {
  sts: () =>
    tracer.captureAWSv3Client(createStsClient({ timeouts: BACKGROUND_TIMEOUTS, retry: BACKGROUND_RETRIES })),
  timeoutMs: BACKGROUND_ASSUME_ROLE_TIMEOUT_MS,
});
const identityStoreClient = tracer.captureAWSv3Client(
  createIdentityStoreClient(config.identityStoreRegion, { credentials: roleCredentials?.provider }),
);
const cognitoClient = tracer.captureAWSv3Client(createCognitoClient(config.userPoolRegion));
// The budget table lives in the cognito stack, in the pool's region.
const budgetTable = config.budget.tableName;
const budget =
  budgetTable === undefined
    ? undefined
    : new DeletionBudget(tracer.captureAWSv3Client(createBudgetClient(config.userPoolRegion)), {
        tableName: budgetTable,
        maxUsers: config.budget.maxUsers,
        windowHours: config.budget.windowHours,
      });

const handle = createHandler({
  config,
  identityStore: new DeprovisioningIdentityStore(identityStoreClient, config.identityStoreId),
  cognito: new CognitoDirectory(cognitoClient, config.userPoolId),
  budget,
  log,
  metrics: powertoolsMetrics(metrics, METRIC_UNITS),
});

export const handler = lambdaHandler(logger, (event: unknown, context) => handle(event, context));
