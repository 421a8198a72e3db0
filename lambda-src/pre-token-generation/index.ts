/**
 * Lambda entry point (bundled to dist/lambda/pre-token-generation/index.js). Everything here runs
 * once per container: configuration is validated at cold start (a bad value fails every invocation
 * loudly, naming the variable) and the AWS clients are reused across invocations.
 */
import type { PreTokenGenerationV2TriggerEvent } from "aws-lambda";
import { loadConfig } from "./config";
import { ENV_VARS } from "./contract";
import { cognitoAttributeWriter, createCognitoClient } from "./cognito-attributes";
import { createHandler } from "./handler";
import { createStsClient, crossAccountCredentials } from "../shared/assumed-role-credentials";
import { createIdentityStoreClient } from "../shared/identity-store-client";
import { LinkKeys } from "../shared/link";
import { kmsGenerateMac } from "../shared/link-kms";
import { DEFAULT_SERVICE_NAME, METRIC_UNITS } from "./metric-names";
import { coldStart, lambdaHandler, powertoolsMetrics } from "../shared/observability";

const { config, logger, tracer, metrics, log } = coldStart({
  loadConfig,
  serviceNameVariable: ENV_VARS.serviceName,
  defaultServiceName: DEFAULT_SERVICE_NAME,
});
const roleCredentials = crossAccountCredentials(config.identityStoreRoleArn, config.serviceName, {
  sts: () => tracer.captureAWSv3Client(createStsClient()),
});
const client = tracer.captureAWSv3Client(
  createIdentityStoreClient(config.identityStoreRegion, { credentials: roleCredentials?.provider }),
);
const cognito = cognitoAttributeWriter(tracer.captureAWSv3Client(createCognitoClient()));
// The KMS client (and its module) is created on the first link to verify or sign, not at cold start.
const linkKeys = new LinkKeys(
  kmsGenerateMac(config.linkKeyArn, { wrap: (kms) => tracer.captureAWSv3Client(kms) }),
);

// Cognito's 5 s include the cold start: the first invocation's budget is that much shorter.
const initDurationMs = performance.now();
let firstInvocation = true;

const handle = createHandler({
  config,
  client,
  credentials: roleCredentials,
  linkKeys,
  cognito,
  log,
  metrics: powertoolsMetrics(metrics, METRIC_UNITS),
  coldStartMs: () => {
    const elapsed = firstInvocation ? initDurationMs : 0;
    firstInvocation = false;
    return elapsed;
  },
});

export const handler = lambdaHandler(
  logger,
  async (event: PreTokenGenerationV2TriggerEvent, context) =>
    (await handle(event, context)) as PreTokenGenerationV2TriggerEvent,
);
