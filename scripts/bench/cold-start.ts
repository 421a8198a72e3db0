/**
 * The cold start a signing-in person waits for: in a fresh Node process with a Lambda-like environment
 * (tracing on), loading the bundle plus the first invocation for a known (linked) person against the
 * Identity Store test server. Each process measures itself from just before `require` to the handler's
 * answer, so Node's own start-up (the same for every bundle) is left out.
 */
import { spawn } from "node:child_process";
import { preTokenEvent } from "../../lambda-src/pre-token-generation/test-support/events";
import { containerEnv, startCognito, TEST_POOL_ID } from "../../__tests__/lambda/bundle-harness";
import { IdentityStoreTestServer } from "../../__tests__/lambda/identity-store-server";
import { median } from "./measure";

/** A Lambda-like environment for cold starts: tracing on (AWS_EXECUTION_ENV), the function's variables. */
export const LAMBDA_ENV = {
  PATH: process.env.PATH ?? "",
  AWS_EXECUTION_ENV: "AWS_Lambda_nodejs22.x",
  AWS_LAMBDA_FUNCTION_NAME: "prod-pre-token-generation",
  AWS_REGION: "eu-west-1",
  AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  AWS_SESSION_TOKEN: "bench",
  IDENTITY_STORE_ID: "d-1234567890",
  IDENTITY_STORE_REGION: "eu-west-1",
};

/** Runs in the fresh process: require, one invocation, then prints the elapsed ms (or the failure). */
const FIRST_CALL = `
const event = JSON.parse(process.env.BENCH_EVENT);
const started = process.hrtime.bigint();
const { handler } = require(process.env.BENCH_BUNDLE);
const context = {
  awsRequestId: "cold-start", functionName: "pre-token-generation", functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:pre-token-generation",
  memoryLimitInMB: "256", getRemainingTimeInMillis: () => 5000,
};
Promise.resolve(handler(event, context)).then(
  (result) => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const linked = result?.response?.claimsAndScopeOverrideDetails?.idTokenGeneration?.claimsToAddOrOverride?.identity_store_user_id;
    process.send({ ms, linked });
  },
  (error) => process.send({ error: String(error && error.stack || error) }),
);
`;

function firstCall(
  bundle: string,
  env: Record<string, string>,
  event: unknown,
): Promise<{ ms: number; linked: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", FIRST_CALL], {
      env: { ...env, BENCH_BUNDLE: bundle, BENCH_EVENT: JSON.stringify(event) },
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("message", (message: { ms?: number; linked?: string; error?: string }) => {
      child.kill();
      if (message.error !== undefined || message.ms === undefined)
        reject(new Error(`${bundle}: ${message.error}`));
      else resolve({ ms: message.ms, linked: message.linked ?? "" });
    });
    child.once("exit", (code) =>
      reject(new Error(`${bundle} exited (${code}) before answering:\n${stderr}`)),
    );
  });
}

/**
 * Median cold start (require + first call for a known person) of each bundle over `runs` interleaved fresh
 * processes. Fails if a bundle does not answer with the person's linked Identity Store user id.
 */
export async function coldStarts(bundles: string[], runs: number): Promise<number[]> {
  const server = await IdentityStoreTestServer.start({ rateLimit: false });
  const cognito = await startCognito();
  try {
    const email = "known.person@acme.example";
    const userId = server.addUser({
      UserName: email,
      Emails: [{ Value: email, Type: "work", Primary: true }],
    });
    cognito.addUser(TEST_POOL_ID, "known_person", { email, "custom:idc_user_id": userId });
    const event = preTokenEvent({
      userAttributes: { ...cognito.attributesOf(TEST_POOL_ID, "known_person"), email },
    });
    event.userName = "known_person";
    // The Lambda-like environment (tracing on), pointed at the test servers.
    const env = { ...LAMBDA_ENV, ...containerEnv(server, {}, { cognito }) };
    const times = bundles.map(() => [] as number[]);
    for (let i = 0; i < runs; i++) {
      for (const [j, bundle] of bundles.entries()) {
        const { ms, linked } = await firstCall(bundle, env, event);
        if (linked !== userId)
          throw new Error(
            `${bundle}: the known person came back as ${JSON.stringify(linked)}, not ${userId}`,
          );
        times[j].push(ms);
      }
    }
    return times.map(median);
  } finally {
    await Promise.all([server.close(), cognito.close()]);
  }
}
