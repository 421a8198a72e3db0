/**
 * The BUILT deprovisioning bundle (dist/lambda/deprovisioning/index.js, `npm run build:lambda`), configured
 * only by its environment as the stack configures it: an SQS batch of CloudTrail events, the deletion budget
 * in dynalite (AWS_ENDPOINT_URL_DYNAMODB), the strict Identity Store and Cognito test servers.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { BRIDGE_USER_TYPE, IDC_USER_ID_ATTRIBUTE } from "../../lambda-src/pre-token-generation/contract";
import {
  cloudTrailEvent,
  createBudgetTable,
  type Dynalite,
  sqsBatch,
  startDynalite,
} from "../../lambda-src/deprovisioning/test-support/harness";
import { CognitoTestServer } from "./cognito-server";
import { IdentityStoreTestServer } from "./identity-store-server";

const BUNDLE = path.resolve(__dirname, "../../dist/lambda/deprovisioning/index.js");

/**
 * Invokes the bundle's handler once in a child Node process (a Lambda container: the SDK's dynamic imports
 * do not run inside Jest's VM), with this environment; resolves with the handler's answer.
 */
function invokeBundle(env: NodeJS.ProcessEnv, event: unknown): Promise<unknown> {
  const script = `
    const { handler } = require(${JSON.stringify(BUNDLE)});
    const context = {
      functionName: "leavers", functionVersion: "$LATEST", memoryLimitInMB: "256",
      invokedFunctionArn: "arn:aws:lambda:eu-west-1:111111111111:function:leavers",
      awsRequestId: "6f87d04b-9f74-4f04-a780-7acf4b0a9b38", getRemainingTimeInMillis: () => 60000,
    };
    handler(JSON.parse(process.env.TEST_EVENT), context).then(
      (answer) => process.stdout.write("\\nANSWER " + JSON.stringify(answer) + "\\n"),
      (error) => process.stdout.write("\\nANSWER " + JSON.stringify({ thrown: String(error) }) + "\\n"),
    );`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["-e", script],
      { env: { ...env, TEST_EVENT: JSON.stringify(event) }, timeout: 30_000 },
      (error, stdout) => {
        const line = stdout.split("\n").find((l) => l.startsWith("ANSWER "));
        if (line === undefined)
          reject(error ?? new Error(`no answer from the bundle: ${stdout.slice(-500)}`));
        else resolve(JSON.parse(line.slice("ANSWER ".length)));
      },
    );
  });
}

let dynamo: Dynalite;
let store: IdentityStoreTestServer;
let pool: CognitoTestServer;

beforeAll(async () => {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build:lambda first`);
  dynamo = await startDynalite();
  store = await IdentityStoreTestServer.start({ rateLimit: false });
  pool = await CognitoTestServer.start({ userPoolId: "eu-west-1_TestPool1" });
});

afterAll(async () => {
  await Promise.all([dynamo.close(), store.close(), pool.close()]);
});

it("deletes within the budget, holds back the rest, and answers { batchItemFailures }", async () => {
  const tableName = await createBudgetTable(dynamo);
  const people = ["ada", "bob"].map((name) => {
    const email = `${name}@acme.example`;
    const userId = store.addUser({ UserName: email, UserType: BRIDGE_USER_TYPE, DisplayName: name });
    const user = pool.createUser({ email, enabled: false, attributes: { [IDC_USER_ID_ATTRIBUTE]: userId } });
    return { userId, username: user.username };
  });
  const env = {
    ...process.env,
    IDENTITY_STORE_ID: store.identityStoreId,
    IDENTITY_STORE_REGION: store.region,
    USER_POOL_ID: pool.userPoolId,
    DEPROVISION_MODE: "delete-user",
    BUDGET_TABLE_NAME: tableName,
    BUDGET_MAX_USERS: "1",
    AWS_ENDPOINT_URL_IDENTITYSTORE: store.endpoint,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: pool.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "secret",
    AWS_REGION: "eu-west-1",
    POWERTOOLS_LOG_LEVEL: "SILENT",
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_TRACE_ENABLED: "false",
  };
  const batch = sqsBatch(people.map((p) => cloudTrailEvent(pool, "AdminDisableUser", p.username)));

  const response = await invokeBundle(env, batch);

  expect(response).toEqual({ batchItemFailures: [] });
  expect(people.filter((p) => store.users.has(p.userId))).toHaveLength(1);
  expect(store.callsOf("DeleteUser")).toHaveLength(1);
});
