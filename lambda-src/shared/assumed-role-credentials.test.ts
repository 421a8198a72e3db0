/**
 * The assumed-role credentials cache against the local STS test endpoint (STS Query protocol, real SDK
 * client): reused across calls, refreshed before expiry, a denied AssumeRole permanent, and the caller's
 * deadline kept when STS is slow or hangs.
 */
import { StsTestServer } from "../../__tests__/lambda/sts-server";
import {
  ASSUME_ROLE_TIMEOUT_MS,
  AssumedRoleCredentials,
  AssumeRoleFailedError,
  createStsClient,
  sessionNameFor,
} from "./assumed-role-credentials";
import { Deadline, DeadlineExceededError } from "./deadline";
import { errorKind } from "./error-kind";

const ROLE = "arn:aws:iam::222222222222:role/bridge/identity-store-access";
const ENV_KEYS = [
  "AWS_ENDPOINT_URL_STS",
  "AWS_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
] as const;
const savedEnv: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};

let sts: StsTestServer;

beforeAll(() => {
  for (const key of ENV_KEYS) savedEnv[key] = process.env[key];
});

afterAll(() => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
});

beforeEach(async () => {
  sts = await StsTestServer.start({ region: "us-east-1" });
  sts.addRole(ROLE, { trustedAccessKeyIds: ["AKIALAMBDAROLE000001"] });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_STS: sts.endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIALAMBDAROLE000001",
    AWS_SECRET_ACCESS_KEY: "secret",
    AWS_SESSION_TOKEN: "lambda-token",
  });
});

afterEach(async () => {
  await sts.close();
});

function cache(roleArn = ROLE) {
  const client = createStsClient();
  return {
    client,
    credentials: new AssumedRoleCredentials({ sts: client, roleArn, sessionName: sessionNameFor("jit") }),
  };
}

describe("AssumedRoleCredentials", () => {
  it("assumes the role once and reuses the credentials (concurrent callers share one AssumeRole)", async () => {
    const { client, credentials } = cache();
    const results = await Promise.all(Array.from({ length: 10 }, () => credentials.get()));
    const again = await credentials.provider();
    client.destroy();

    expect(sts.callsOf("AssumeRole")).toHaveLength(1);
    expect(new Set([...results, again].map((result) => result.accessKeyId)).size).toBe(1);
    expect(sts.issued.has(again.accessKeyId)).toBe(true);
    expect(sts.calls[0]).toMatchObject({
      accessKeyId: "AKIALAMBDAROLE000001",
      signedRegion: "us-east-1",
      params: { RoleArn: ROLE, RoleSessionName: "idc-oidc-bridge-jit", DurationSeconds: "3600" },
    });
    expect(again.expiration).toBeInstanceOf(Date);
  });

  it("refreshes the credentials shortly (5 min) before they expire", async () => {
    // Credentials valid for 5 min + 300 ms: fresh for 300 ms only.
    sts.credentialLifetimeMs = 5 * 60_000 + 300;
    const { client, credentials } = cache();
    const first = await credentials.get();
    expect((await credentials.get()).accessKeyId).toBe(first.accessKeyId);
    await new Promise((resolve) => setTimeout(resolve, 350));
    const second = await credentials.get();
    client.destroy();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(sts.callsOf("AssumeRole")).toHaveLength(2);
  });

  it("treats a denied AssumeRole as permanent, naming the role", async () => {
    const { client, credentials } = cache("arn:aws:iam::222222222222:role/not-trusting-us");
    const error = await credentials.get().catch((caught: unknown) => caught);
    client.destroy();
    expect(error).toBeInstanceOf(AssumeRoleFailedError);
    expect(errorKind(error)).toBe("permanent");
    expect((error as Error).message).toBe(
      "Could not assume arn:aws:iam::222222222222:role/not-trusting-us (AccessDenied): check that the role exists and that its trust policy allows this Lambda's role",
    );
    expect(sts.calls.map((call) => call.outcome)).toEqual(["AccessDenied"]);
  });

  it("retries throttling, and a throttled STS is a transient failure", async () => {
    sts.throttleNext(2);
    const { client, credentials } = cache();
    await expect(credentials.get()).resolves.toMatchObject({ accessKeyId: expect.stringMatching(/^ASIA/) });
    expect(sts.calls.map((call) => call.outcome)).toEqual(["Throttling", "Throttling", "ok"]);
    client.destroy();
  });

  it("waits for a slow STS within the caller's deadline", async () => {
    const { client, credentials } = cache();
    sts.delay(300);
    const deadline = new Deadline(1000);
    await expect(credentials.get(deadline.signal)).resolves.toMatchObject({
      accessKeyId: expect.any(String),
    });
    deadline.dispose();
    client.destroy();
  });

  it("keeps the caller's deadline when STS hangs, and assumes the role again once the call is abandoned", async () => {
    const { client, credentials } = cache();
    sts.hang();
    const hung = new Deadline(300);
    const started = performance.now();
    const error = await credentials.get(hung.signal).catch((caught: unknown) => caught);
    hung.dispose();
    expect(performance.now() - started).toBeLessThan(500);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(errorKind(error)).toBe("transient");

    sts.hang(false);
    await new Promise((resolve) => setTimeout(resolve, ASSUME_ROLE_TIMEOUT_MS + 100));
    const later = new Deadline(1000);
    await expect(credentials.get(later.signal)).resolves.toMatchObject({ accessKeyId: expect.any(String) });
    later.dispose();
    expect(sts.calls.at(-1)?.outcome).toBe("ok");
    client.destroy();
  }, 15_000);

  it("builds a valid session name from the service name", () => {
    expect(sessionNameFor("pre-token-generation")).toBe("idc-oidc-bridge-pre-token-generation");
    expect(sessionNameFor("prod jit/λ")).toBe("idc-oidc-bridge-prod-jit--");
    expect(sessionNameFor("x".repeat(100))).toHaveLength(64);
  });
});
