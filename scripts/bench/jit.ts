/**
 * Bench scenarios "jit" and "hung": the JIT handler (the built bundle in a container process) against the local
 * Identity Store (real AWS JSON protocol over loopback): warm p50/p99 of a known person, a first sign-in and
 * a known person with group sync; and a store that never answers.
 */
import { preTokenEvent } from "../../lambda-src/pre-token-generation/test-support/events";
import {
  containerEnv,
  LambdaContainer,
  startCognito,
  TEST_POOL_ID,
} from "../../__tests__/lambda/bundle-harness";
import type { CognitoTestServer } from "../../__tests__/lambda/cognito-server";
import { IdentityStoreTestServer } from "../../__tests__/lambda/identity-store-server";
import { COGNITO_TIMEOUT_MS, figure, median, percentile } from "./measure";

/**
 * The event Cognito sends when `username` signs in: their current attributes in the pool, so a person the
 * Lambda has linked (custom:idc_user_id, written with AdminUpdateUserAttributes) comes back linked.
 */
export function signInEvent(
  cognito: CognitoTestServer,
  username: string,
  email: string,
  groups: string[] = [],
) {
  if (cognito.attributesOf(TEST_POOL_ID, username) === undefined)
    cognito.addUser(TEST_POOL_ID, username, { email });
  const event = preTokenEvent({
    userAttributes: { ...cognito.attributesOf(TEST_POOL_ID, username), email },
    groups,
  });
  event.userName = username;
  return event;
}

export async function jitWarm(): Promise<void> {
  // No quota here: these are latencies, and 200 sign-ins in a row would exceed 20 requests/s.
  const server = await IdentityStoreTestServer.start({ rateLimit: false });
  const cognito = await startCognito();
  const groups = [server.addGroup(), server.addGroup()];
  const plain = await LambdaContainer.start(containerEnv(server, {}, { cognito }));
  const synced = await LambdaContainer.start(
    containerEnv(
      server,
      { GROUP_MAP: JSON.stringify({ admins: groups[0], readers: groups[1] }) },
      { cognito },
    ),
  );
  try {
    const runs = 200;
    // One sign-in every 60 ms: the Lambda paces each container to 20 requests/s per operation, so sign-ins
    // back to back would measure the pacing (50 ms a call), not the latency of one sign-in.
    const times = async (
      container: LambdaContainer,
      person: (i: number) => string,
      groupNames: string[] = [],
    ) => {
      const elapsed: number[] = [];
      for (let i = 0; i < runs; i++) {
        await new Promise((resolve) => setTimeout(resolve, 60));
        const name = person(i);
        const result = await container.invoke(signInEvent(cognito, name, `${name}@acme.example`, groupNames));
        if (!result.ok) throw new Error(`${result.error.name}: ${result.error.message}`);
        elapsed.push(result.elapsedMs);
      }
      return elapsed;
    };
    // Warm the containers (the first invocations open connections), then measure.
    await times(plain, (i) => `warm.up${i}`);
    await times(synced, (i) => `warm.up${i}`, ["admins"]);
    const first = await times(plain, (i) => `new.person${i}`);
    const calls = server.calls.length;
    const known = await times(plain, (i) => `new.person${i}`);
    const knownCalls = (server.calls.length - calls) / runs;
    // Alternate between the two mapped groups, so every sign-in adds one membership and removes one.
    const sync: number[] = [];
    for (const groupNames of [["admins"], ["readers"]]) {
      sync.push(...(await times(synced, (i) => `new.person${i}`, groupNames)));
    }
    const limit = { label: "Cognito's trigger limit", value: COGNITO_TIMEOUT_MS, unit: "ms" as const };
    for (const [label, values] of [
      [`known person (linked: ${knownCalls} Identity Store call${knownCalls === 1 ? "" : "s"})`, known],
      ["first sign-in (look-up, create, link)", first],
      ["known person + group sync (one added, one removed)", sync],
    ] as const) {
      figure(
        "JIT (warm, loopback store)",
        { label: `${label}: p50`, value: median(values), unit: "ms" },
        limit,
        undefined,
        { ratio: false },
      );
      figure(
        "JIT (warm, loopback store)",
        { label: `${label}: p99`, value: percentile(values, 99), unit: "ms" },
        limit,
        undefined,
        { ratio: false },
      );
    }
  } finally {
    await Promise.all([plain.stop(), synced.stop()]);
    await Promise.all([server.close(), cognito.close()]);
  }
}

export async function hungStore(): Promise<void> {
  const server = await IdentityStoreTestServer.start({ rateLimit: false });
  const cognito = await startCognito();
  server.hang();
  const deny = await LambdaContainer.start(containerEnv(server, { ON_SYNC_FAILURE: "deny" }, { cognito }));
  const allow = await LambdaContainer.start(containerEnv(server, { ON_SYNC_FAILURE: "allow" }, { cognito }));
  try {
    const [denied, allowed] = await Promise.all([
      deny.invoke(preTokenEvent(), { remainingMs: COGNITO_TIMEOUT_MS }),
      allow.invoke(preTokenEvent(), { remainingMs: COGNITO_TIMEOUT_MS }),
    ]);
    const limit = { label: "Cognito's trigger limit", value: COGNITO_TIMEOUT_MS, unit: "ms" as const };
    figure(
      "JIT (hung store)",
      {
        label: `store never answers: settles (onSyncFailure deny, ${denied.ok ? "signed in" : "denied"})`,
        value: denied.elapsedMs,
        unit: "ms",
      },
      limit,
      { text: "< 5000 ms", met: denied.elapsedMs < COGNITO_TIMEOUT_MS },
    );
    figure(
      "JIT (hung store)",
      {
        label: `store never answers: settles (onSyncFailure allow, ${allowed.ok ? "signed in" : "denied"})`,
        value: allowed.elapsedMs,
        unit: "ms",
      },
      limit,
      { text: "< 5000 ms", met: allowed.elapsedMs < COGNITO_TIMEOUT_MS },
    );
  } finally {
    await Promise.all([deny.stop(), allow.stop()]);
    await Promise.all([server.close(), cognito.close()]);
  }
}
