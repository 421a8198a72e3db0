/**
 * A storm of first sign-ins through the BUILT bundle (issue 9): 200 people sign in for the first time
 * within 2 s, spread over 8 containers, against an Identity Store that allows 20 requests/s per operation.
 * Cognito retries a failed trigger, up to three tries per sign-in, each with a 5 s budget (the Lambda's
 * context starts at 5000 ms remaining). Expected: no duplicate user, at least 50 people in on their first
 * try, everyone in by their third.
 */
import { addedClaims, preTokenEvent } from "../../lambda-src/pre-token-generation/test-support/events";
import { containerEnv, LambdaContainer, startCognito, TEST_POOL_ID } from "./bundle-harness";
import type { CognitoTestServer } from "./cognito-server";
import { IdentityStoreTestServer } from "./identity-store-server";

const PEOPLE = 200;
const ARRIVAL_WINDOW_MS = 2000;
const CONTAINERS = 8;
const COGNITO_TRIES = 3;
const COGNITO_TIMEOUT_MS = 5000;

let server: IdentityStoreTestServer;
let cognito: CognitoTestServer;
const containers: LambdaContainer[] = [];

beforeAll(async () => {
  server = await IdentityStoreTestServer.start({ identityStoreId: "d-9a8b7c6d5e", region: "eu-west-1" });
  cognito = await startCognito();
  for (let index = 0; index < PEOPLE; index += 1) cognito.addUser(TEST_POOL_ID, `okta_person${index}`);
  containers.push(
    ...(await Promise.all(
      Array.from({ length: CONTAINERS }, () => LambdaContainer.start(containerEnv(server, {}, { cognito }))),
    )),
  );
});

afterAll(async () => {
  await Promise.all(containers.splice(0).map((running) => running.stop()));
  await Promise.all([server.close(), cognito.close()]);
});

interface Outcome {
  readonly email: string;
  /** 1-based try that succeeded, or undefined when every try failed. */
  readonly succeededOnTry: number | undefined;
  readonly userId: unknown;
  readonly tryDurations: number[];
  readonly errors: string[];
}

async function signIn(index: number): Promise<Outcome> {
  const email = `person${index}@example.com`;
  const event = preTokenEvent({
    userAttributes: { email, given_name: `Person${index}`, family_name: "Storm" },
  });
  const tryDurations: number[] = [];
  const errors: string[] = [];
  for (let attempt = 1; attempt <= COGNITO_TRIES; attempt += 1) {
    // Cognito's retry may land on another container.
    const lambda = containers[(index + attempt) % containers.length];
    const result = await lambda.invoke(structuredClone(event), { remainingMs: COGNITO_TIMEOUT_MS });
    tryDurations.push(result.elapsedMs);
    if (result.ok) {
      return {
        email,
        succeededOnTry: attempt,
        userId: addedClaims(result.result).id?.identity_store_user_id,
        tryDurations,
        errors,
      };
    }
    errors.push(result.error.message);
  }
  return { email, succeededOnTry: undefined, userId: undefined, tryDurations, errors };
}

it("200 first sign-ins within 2 s at 20 requests/s per operation: no duplicates, >= 50 on the first try, all by the third", async () => {
  const outcomes = await Promise.all(
    Array.from(
      { length: PEOPLE },
      (_, index) =>
        new Promise<Outcome>((resolve, reject) => {
          setTimeout(() => signIn(index).then(resolve, reject), (index * ARRIVAL_WINDOW_MS) / PEOPLE);
        }),
    ),
  );

  const byTry = [1, 2, 3].map(
    (attempt) => outcomes.filter((outcome) => outcome.succeededOnTry === attempt).length,
  );
  const failed = outcomes.filter((outcome) => outcome.succeededOnTry === undefined);
  const summary = `first try: ${byTry[0]}, second: ${byTry[1]}, third: ${byTry[2]}, never: ${failed.length}; ${
    server.calls.filter((call) => call.outcome === "ThrottlingException").length
  } throttled of ${server.calls.length} calls`;
  const errors = [...new Set(outcomes.flatMap((outcome) => outcome.errors))];
  const byOperation: Record<string, number> = {};
  for (const call of server.calls)
    byOperation[`${call.operation}:${call.outcome}`] =
      (byOperation[`${call.operation}:${call.outcome}`] ?? 0) + 1;
  process.stdout.write(
    `storm: ${summary}; errors: ${JSON.stringify(errors)}; calls: ${JSON.stringify(byOperation)}; tries of #199: ${JSON.stringify(outcomes[199].tryDurations.map(Math.round))}\n`,
  );

  // No duplicates: exactly one IdC user per person, and every token names that user.
  expect(server.users.size).toBe(PEOPLE);
  expect(new Set([...server.users.values()].map((user) => user.UserName.toLowerCase())).size).toBe(PEOPLE);
  for (const outcome of outcomes) {
    if (outcome.succeededOnTry !== undefined)
      expect(outcome.userId).toBe(server.userByName(outcome.email)?.UserId);
  }
  // Every try settled inside Cognito's 5 s, failed tries asked the person to try again (transient).
  for (const outcome of outcomes) {
    for (const duration of outcome.tryDurations) expect(duration).toBeLessThan(COGNITO_TIMEOUT_MS);
    for (const error of outcome.errors) expect(error).toContain("Please try again in a moment.");
  }
  expect(byTry[0]).toBeGreaterThanOrEqual(50);
  expect(failed.map((outcome) => outcome.email)).toEqual([]);
}, 120_000);
