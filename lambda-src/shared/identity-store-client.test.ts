/**
 * The shared Identity Store client against the strict test server (real AWS JSON protocol): the endpoint
 * override, timeouts that throw, retries until the deadline (not a fixed number of attempts), and pacing.
 */
import { GetUserIdCommand, type IdentitystoreClient } from "@aws-sdk/client-identitystore";
import { IdentityStoreTestServer } from "../../__tests__/lambda/identity-store-server";
import { Deadline, DeadlineExceededError } from "./deadline";
import { createIdentityStoreClient, type ClientOptions } from "./identity-store-client";

const ENV_KEYS = [
  "AWS_ENDPOINT_URL_IDENTITYSTORE",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
] as const;
const savedEnv: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};

let server: IdentityStoreTestServer;
let client: IdentitystoreClient;

beforeAll(() => {
  for (const key of ENV_KEYS) savedEnv[key] = process.env[key];
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "secret",
    AWS_SESSION_TOKEN: "token",
  });
});

afterAll(() => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
});

beforeEach(async () => {
  server = await IdentityStoreTestServer.start();
});

afterEach(async () => {
  client?.destroy();
  await server.close();
});

/** A client configured like the Lambdas': endpoint and (fake) credentials from the environment. */
function makeClient(options?: ClientOptions): IdentitystoreClient {
  process.env.AWS_ENDPOINT_URL_IDENTITYSTORE = server.endpoint;
  client = createIdentityStoreClient(server.region, options);
  return client;
}

const getUserId = (userName: string) =>
  new GetUserIdCommand({
    IdentityStoreId: server.identityStoreId,
    AlternateIdentifier: { UniqueAttribute: { AttributePath: "userName", AttributeValue: userName } },
  });

function outcomes(): string[] {
  return server.calls.map((call) => `${call.operation}:${call.outcome}`);
}

describe("createIdentityStoreClient", () => {
  it("talks to the endpoint from AWS_ENDPOINT_URL_IDENTITYSTORE, signing for the Identity Store region", async () => {
    const id = server.addUser({ UserName: "ada@example.com" });
    await expect(makeClient().send(getUserId("ada@example.com"))).resolves.toMatchObject({ UserId: id });
    expect(server.calls).toEqual([
      expect.objectContaining({ operation: "GetUserId", signedRegion: "eu-west-1", outcome: "ok" }),
    ]);
  });

  it("retries throttling and 5xx with backoff, then succeeds", async () => {
    server.throttleNext(2);
    server.failNext(2, { status: 503, type: "ServiceUnavailableException" });
    const output = await makeClient()
      .send(getUserId("nobody@example.com"))
      .catch((error: unknown) => error);
    expect(output).toMatchObject({ name: "ResourceNotFoundException", $metadata: { attempts: 5 } });
    expect(outcomes()).toEqual([
      "GetUserId:ThrottlingException",
      "GetUserId:ThrottlingException",
      "GetUserId:ServiceUnavailableException",
      "GetUserId:ServiceUnavailableException",
      "GetUserId:ResourceNotFoundException",
    ]);
  });

  it("keeps retrying through 1 s of throttling until it passes (not a fixed 3 attempts)", async () => {
    server.throttleFor(1000);
    const deadline = new Deadline(4000);
    const started = performance.now();
    await expect(
      makeClient().send(getUserId("nobody@example.com"), { abortSignal: deadline.signal }),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    deadline.dispose();
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(performance.now() - started).toBeLessThan(2500);
    expect(server.calls.filter((call) => call.outcome === "ThrottlingException").length).toBeGreaterThan(3);
  });

  it("stops retrying when the deadline's signal fires, without starting another attempt", async () => {
    server.throttleNext(10_000);
    const deadline = new Deadline(700);
    const started = performance.now();
    const error = await makeClient()
      .send(getUserId("nobody@example.com"), { abortSignal: deadline.signal })
      .catch((caught: unknown) => caught);
    const attemptsAtAbort = server.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(error).toMatchObject({ name: "AbortError" });
    expect(deadline.signal.reason).toBeInstanceOf(DeadlineExceededError);
    expect(performance.now() - started).toBeLessThan(1100);
    expect(server.calls.length).toBe(attemptsAtAbort);
    expect(attemptsAtAbort).toBeGreaterThanOrEqual(3);
    deadline.dispose();
  });

  it("makes a request timeout throw (throwOnRequestTimeout) and retries it", async () => {
    server.hang("GetUserId");
    const deadline = new Deadline(1000);
    const error = await makeClient({ timeouts: { connectionTimeoutMs: 1000, requestTimeoutMs: 150 } })
      .send(getUserId("ada@example.com"), { abortSignal: deadline.signal })
      .catch((caught: unknown) => caught);
    deadline.dispose();
    expect(error).toMatchObject({ name: expect.stringMatching(/AbortError|TimeoutError/) });
    // 150 ms timeouts, retried within the 1 s budget: several attempts, each one hung.
    expect(server.callsOf("GetUserId").length).toBeGreaterThanOrEqual(3);
    expect(server.calls.every((call) => call.outcome === "hung")).toBe(true);
  });

  it("paces a container's calls per operation so that it alone never trips the 20 requests/s quota", async () => {
    makeClient();
    const results = await Promise.allSettled(
      Array.from({ length: 45 }, () => client.send(getUserId("nobody@example.com"))),
    );
    expect(
      results.every(
        (result) => result.status === "rejected" && result.reason.name === "ResourceNotFoundException",
      ),
    ).toBe(true);
    expect(server.calls.filter((call) => call.outcome === "ThrottlingException")).toHaveLength(0);
    // 10 at once, then 20/s: 45 calls take at least (45 - 10) / 20 s.
    const span = server.calls.at(-1)!.at - server.calls[0].at;
    expect(span).toBeGreaterThanOrEqual(1600);
    for (const call of server.calls) {
      const inWindow = server.calls.filter((other) => other.at >= call.at && other.at < call.at + 1000);
      expect(inWindow.length).toBeLessThanOrEqual(30);
    }
  });
});
