/**
 * Cross-account mode through the BUILT bundle (issue 13): with IDENTITY_STORE_ROLE_ARN the Lambda assumes
 * the IdC account's role (STS AssumeRole, local STS test endpoint) once per container and calls the
 * Identity Store only with those credentials (the Identity Store test server accepts nothing else).
 */
import { addedClaims, preTokenEvent } from "../../lambda-src/pre-token-generation/test-support/events";
import { containerEnv, LambdaContainer, startCognito, type InvokeResult } from "./bundle-harness";
import type { CognitoTestServer } from "./cognito-server";
import { IdentityStoreTestServer } from "./identity-store-server";
import { StsTestServer } from "./sts-server";

const ROLE = "arn:aws:iam::222222222222:role/identity-store-access";
/** The Lambda role's access key in containerEnv(). */
const LAMBDA_KEY = "AKIAIOSFODNN7EXAMPLE";
const COGNITO_TIMEOUT_MS = 5000;

let server: IdentityStoreTestServer;
let cognito: CognitoTestServer;
let sts: StsTestServer;
const containers: LambdaContainer[] = [];

beforeEach(async () => {
  server = await IdentityStoreTestServer.start({ identityStoreId: "d-9a8b7c6d5e", region: "eu-west-1" });
  cognito = await startCognito();
  sts = await StsTestServer.start({ region: "us-east-1" });
  sts.addRole(ROLE, { trustedAccessKeyIds: [LAMBDA_KEY] });
  // The Identity Store is in the other account: only the assumed role's credentials get in.
  server.authorize = sts.authorizeIssued();
});

afterEach(async () => {
  await Promise.all(containers.splice(0).map((running) => running.stop()));
  await Promise.all([server.close(), cognito.close(), sts.close()]);
});

async function container(overrides: Record<string, string> = {}): Promise<LambdaContainer> {
  const started = await LambdaContainer.start(
    containerEnv(server, { IDENTITY_STORE_ROLE_ARN: ROLE, ...overrides }, { cognito, sts }),
  );
  containers.push(started);
  return started;
}

function userIdOf(result: InvokeResult): unknown {
  if (!result.ok) throw new Error(`invocation failed: ${result.error.name}: ${result.error.message}`);
  return addedClaims(result.result).id?.identity_store_user_id;
}

it("assumes the role once per container and reuses the credentials across invocations", async () => {
  const lambda = await container();

  for (let invocation = 0; invocation < 4; invocation += 1) {
    const result = await lambda.invoke(preTokenEvent());
    expect(userIdOf(result)).toBe(server.userByName("john.doe@example.com")?.UserId);
  }

  expect(sts.callsOf("AssumeRole")).toHaveLength(1);
  expect(sts.calls[0]).toMatchObject({
    accessKeyId: LAMBDA_KEY,
    params: { RoleArn: ROLE, RoleSessionName: "idc-oidc-bridge-pre-token-generation" },
  });
  const keys = new Set(server.calls.map((call) => call.accessKeyId));
  expect([...keys]).toEqual([[...sts.issued.keys()][0]]);
  // The Cognito pool is in the Lambda's own account: written with the Lambda's credentials.
  expect(cognito.calls.every((call) => call.accessKeyId === LAMBDA_KEY)).toBe(true);
});

it("assumes the role again shortly before the credentials expire", async () => {
  // Issued credentials last 5 min + 1 s: the cache refreshes 5 min before expiry.
  sts.credentialLifetimeMs = 5 * 60_000 + 1000;
  const lambda = await container();

  userIdOf(await lambda.invoke(preTokenEvent()));
  userIdOf(await lambda.invoke(preTokenEvent()));
  expect(sts.callsOf("AssumeRole")).toHaveLength(1);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  userIdOf(await lambda.invoke(preTokenEvent()));

  expect(sts.callsOf("AssumeRole")).toHaveLength(2);
  const [first, second] = [...sts.issued.keys()];
  expect(server.calls.at(-1)?.accessKeyId).toBe(second);
  expect(server.calls[0].accessKeyId).toBe(first);
});

it("fails a denied AssumeRole as permanent, with a clear log, and never calls the Identity Store", async () => {
  sts.addRole(ROLE, { trustedAccessKeyIds: ["AKIASOMEONEELSE00001"] });
  const lambda = await container();

  const result = await lambda.invoke(preTokenEvent());

  expect(result).toMatchObject({
    ok: false,
    error: {
      name: "SyncFailedError",
      message: expect.stringContaining("Please contact your administrator."),
    },
  });
  expect(server.calls).toEqual([]);
  expect(lambda.jsonLines()).toContainEqual(
    expect.objectContaining({
      level: "ERROR",
      message: "Identity Store sync failed",
      errorName: "AssumeRoleFailedError",
      errorKind: "permanent",
      errorMessage: `Could not assume ${ROLE} (AccessDenied): check that the role exists and that its trust policy allows this Lambda's role`,
    }),
  );
});

it("counts a slow AssumeRole against the deadline and still signs the person in", async () => {
  sts.delay(1000);
  const lambda = await container();

  const result = await lambda.invoke(preTokenEvent());

  expect(userIdOf(result)).toBe(server.userByName("john.doe@example.com")?.UserId);
  expect(result.elapsedMs).toBeGreaterThanOrEqual(1000);
  expect(result.elapsedMs).toBeLessThan(COGNITO_TIMEOUT_MS);
});

it("settles before Cognito's 5 s when STS hangs (transient: try again), and recovers", async () => {
  sts.hang();
  const lambda = await container();

  const result = await lambda.invoke(preTokenEvent());

  expect(result.elapsedMs).toBeLessThan(COGNITO_TIMEOUT_MS);
  expect(result).toMatchObject({
    ok: false,
    error: { name: "SyncFailedError", message: expect.stringContaining("Please try again in a moment.") },
  });
  expect(server.calls).toEqual([]);

  sts.hang(false);
  await new Promise((resolve) => setTimeout(resolve, 3100));
  expect(userIdOf(await lambda.invoke(preTokenEvent()))).toBe(
    server.userByName("john.doe@example.com")?.UserId,
  );
}, 20_000);
