/**
 * Runs the BUILT Lambda bundle (dist/lambda/pre-token-generation/index.js) in a child Node process,
 * like one Lambda container: the bundle is required once with the given environment (cold start),
 * then invoked over IPC with a context whose getRemainingTimeInMillis() counts down.
 * Everything the bundle writes to stdout (Powertools JSON logs, EMF metrics) is captured.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { CognitoTestServer } from "./cognito-server";
import type { IdentityStoreTestServer } from "./identity-store-server";
import { KmsTestServer } from "./kms-server";
import { LinkKey, linkKeyMessage } from "../../lambda-src/shared/link";
import type { StsTestServer } from "./sts-server";

/** The user pool and Cognito user of preTokenEvent()'s default event. */
export const TEST_POOL_ID = "us-east-1_AbCdEfGhI";
export const TEST_COGNITO_USER = "google_1234567890";

/** A KMS test server with a link key (HMAC_256), for containerEnv's `kms`. */
export async function startKms(): Promise<{ server: KmsTestServer; linkKeyArn: string }> {
  const server = await KmsTestServer.start({ region: "us-east-1" });
  return { server, linkKeyArn: server.addKey() };
}

/** The link attributes the Lambda writes for (pool, sub) → idcUserId under that KMS test key. */
export function signedLinkFor(
  kms: { server: KmsTestServer; linkKeyArn: string },
  userPoolId: string,
  sub: string,
  idcUserId: string,
): Record<string, string> {
  const key = new LinkKey(userPoolId, kms.server.macOf(kms.linkKeyArn, linkKeyMessage(userPoolId)));
  return { "custom:idc_user_id": idcUserId, "custom:idc_link_sig": key.sign(sub, idcUserId) };
}

/** A Cognito test server with the bridge's custom attributes and the default event's user. */
export async function startCognito(): Promise<CognitoTestServer> {
  const cognito = await CognitoTestServer.start({ region: "us-east-1" });
  cognito.addPool(TEST_POOL_ID, [
    { name: "idc_user_id", maxLength: 47 },
    { name: "idc_last_sign_in", maxLength: 10 },
    { name: "idc_link_sig", maxLength: 128 },
    { name: "groups" },
    { name: "department" },
  ]);
  cognito.addUser(TEST_POOL_ID, TEST_COGNITO_USER, { email: "john.doe@example.com" });
  return cognito;
}

export const BUNDLE_PATH = path.resolve(__dirname, "../../dist/lambda/pre-token-generation/index.js");

/** Throws a clear error when the bundle has not been built. */
export function assertBundleBuilt(): void {
  if (!existsSync(BUNDLE_PATH)) {
    throw new Error(
      `Lambda bundle not found at ${BUNDLE_PATH}. Run \`npm run build:lambda\` first (\`npm test\` does it).`,
    );
  }
}

const RUNNER = `
"use strict";
const { performance } = require("node:perf_hooks");
function main() {
  let handler;
  try {
    ({ handler } = require(process.env.TEST_BUNDLE_PATH));
  } catch (error) {
    process.send({ type: "load-error", error: { name: error && error.name, message: String(error && error.message) } });
    return;
  }
  process.on("message", async (message) => {
    if (message.type !== "invoke") return;
    const started = performance.now();
    const context = {
      awsRequestId: message.id,
      functionName: "pre-token-generation",
      functionVersion: "$LATEST",
      invokedFunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:pre-token-generation",
      memoryLimitInMB: "256",
      getRemainingTimeInMillis: () => Math.max(0, Math.round(message.remainingMs - (performance.now() - started))),
    };
    let reply;
    try {
      const result = await handler(message.event, context);
      reply = { type: "result", id: message.id, ok: true, result, elapsedMs: performance.now() - started };
    } catch (error) {
      const elapsedMs = performance.now() - started;
      reply = { type: "result", id: message.id, ok: false, error: { name: error.name, message: error.message }, elapsedMs };
    }
    // A sentinel after everything the invocation wrote (Powertools logs errors to stderr, the rest
    // to stdout), so the parent can wait for the output too.
    const sentinel = JSON.stringify({ invocationDone: message.id }) + "\\n";
    process.stdout.write(sentinel, () => process.stderr.write(sentinel, () => process.send(reply)));
  });
  process.send({ type: "ready" });
}
main();
`;

export type InvokeResult =
  | { readonly ok: true; readonly result: Record<string, unknown>; readonly elapsedMs: number }
  | { readonly ok: false; readonly error: { name: string; message: string }; readonly elapsedMs: number };

interface ResultMessage {
  type: "result";
  id: string;
  ok: boolean;
  result?: Record<string, unknown>;
  error?: { name: string; message: string };
  elapsedMs: number;
}

/**
 * Environment of a container pointed at the test servers (fake credentials: no credential lookup happens).
 * Without a Cognito test server, Cognito calls go to a closed local port (and fail, tolerated). Without a
 * KMS test server, LambdaContainer.start gives the container one of its own with a link key.
 */
export function containerEnv(
  server: IdentityStoreTestServer,
  overrides: Record<string, string> = {},
  others: {
    readonly cognito?: CognitoTestServer;
    readonly sts?: StsTestServer;
    /** With the link key's ARN (KmsTestServer.addKey()). */
    readonly kms?: { readonly server: KmsTestServer; readonly linkKeyArn: string };
  } = {},
): Record<string, string> {
  return {
    IDENTITY_STORE_ID: server.identityStoreId,
    IDENTITY_STORE_REGION: server.region,
    AWS_ENDPOINT_URL_IDENTITYSTORE: server.endpoint,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: others.cognito?.endpoint ?? "http://127.0.0.1:9",
    AWS_ENDPOINT_URL_STS: others.sts?.endpoint ?? "http://127.0.0.1:9",
    ...(others.kms === undefined
      ? {}
      : { AWS_ENDPOINT_URL_KMS: others.kms.server.endpoint, LINK_KEY_ARN: others.kms.linkKeyArn }),
    // Cognito's region: deliberately not the Identity Store's region.
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    AWS_SESSION_TOKEN: "test-session-token",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    ...overrides,
  };
}

export class LambdaContainer {
  /** Every stdout / stderr line of the container. */
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  private readonly pending = new Map<string, (message: ResultMessage) => void>();
  private readonly results = new Map<string, ResultMessage>();
  /** Invocation id → number of output streams (stdout, stderr) whose sentinel has arrived. */
  private readonly outputDone = new Map<string, number>();
  private sequence = 0;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    /** The KMS test server start() created for this container (none when the env names a link key). */
    private readonly ownKms?: KmsTestServer,
  ) {
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    const onLine = (into: string[]) => (line: string) => {
      const done = /^\{"invocationDone":"([^"]+)"\}$/.exec(line);
      if (done === null) into.push(line);
      else {
        this.outputDone.set(done[1], (this.outputDone.get(done[1]) ?? 0) + 1);
        this.complete(done[1]);
      }
    };
    collectLines(child.stdout, onLine(this.stdout));
    collectLines(child.stderr, onLine(this.stderr));
    child.on("message", (message: ResultMessage) => {
      if (message.type !== "result") return;
      this.results.set(message.id, message);
      this.complete(message.id);
    });
  }

  /** Resolves an invocation once both its result and the end of its output have arrived. */
  private complete(id: string): void {
    const result = this.results.get(id);
    if (result === undefined || this.outputDone.get(id) !== 2) return;
    this.results.delete(id);
    this.outputDone.delete(id);
    this.pending.get(id)?.(result);
    this.pending.delete(id);
  }

  /** Starts a container; rejects with the bundle's error if it fails at cold start. */
  static async start(env: Record<string, string>): Promise<LambdaContainer> {
    assertBundleBuilt();
    // Every container needs a link key (LINK_KEY_ARN is required): one of its own unless the test gives one.
    let ownKms: KmsTestServer | undefined;
    if (env.LINK_KEY_ARN === undefined) {
      ownKms = await KmsTestServer.start({ region: env.AWS_REGION ?? "us-east-1" });
      env = { ...env, AWS_ENDPOINT_URL_KMS: ownKms.endpoint, LINK_KEY_ARN: ownKms.addKey() };
    }
    const child = spawn(process.execPath, ["-e", RUNNER], {
      env: { ...env, TEST_BUNDLE_PATH: BUNDLE_PATH },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    const container = new LambdaContainer(child, ownKms);
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: { type: string; error?: { name: string; message: string } }): void => {
        if (message.type === "ready") {
          child.off("message", onMessage);
          resolve();
        } else if (message.type === "load-error") {
          child.off("message", onMessage);
          const error = new Error(message.error?.message);
          error.name = message.error?.name ?? "Error";
          reject(error);
          void container.stop();
        }
      };
      child.on("message", onMessage);
      child.once("exit", (code) =>
        reject(
          new Error(`container exited (code ${code}) before it was ready:\n${container.stderr.join("\n")}`),
        ),
      );
    });
    return container;
  }

  /** Invokes the handler; `remainingMs` is what context.getRemainingTimeInMillis() starts from. */
  invoke(event: unknown, options: { remainingMs?: number } = {}): Promise<InvokeResult> {
    const id = `invocation-${(this.sequence += 1)}`;
    return new Promise((resolve) => {
      this.pending.set(id, (message) =>
        resolve(
          message.ok
            ? { ok: true, result: message.result ?? {}, elapsedMs: message.elapsedMs }
            : { ok: false, error: message.error ?? { name: "", message: "" }, elapsedMs: message.elapsedMs },
        ),
      );
      this.child.send({ type: "invoke", id, event, remainingMs: options.remainingMs ?? 5000 });
    });
  }

  /** Parsed JSON lines of stdout and stderr (Powertools logs and EMF blobs). */
  jsonLines(): Array<Record<string, unknown>> {
    return [...this.stdout, ...this.stderr].flatMap((line) => {
      try {
        const parsed: unknown = JSON.parse(line);
        return typeof parsed === "object" && parsed !== null ? [parsed as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });
  }

  /** Sum of every EMF value of each metric published so far. */
  metrics(): Record<string, number> {
    const totals: Record<string, number> = {};
    for (const blob of this.jsonLines()) {
      const aws = blob._aws as
        { CloudWatchMetrics?: Array<{ Metrics: Array<{ Name: string }> }> } | undefined;
      for (const directive of aws?.CloudWatchMetrics ?? []) {
        for (const { Name } of directive.Metrics) {
          const value = blob[Name];
          const values = Array.isArray(value) ? (value as number[]) : [value as number];
          totals[Name] = (totals[Name] ?? 0) + values.reduce((sum, item) => sum + item, 0);
        }
      }
    }
    return totals;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    await this.exited;
    await this.ownKms?.close();
  }
}

function collectLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (stream === null) return;
  let buffer = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) if (line !== "") onLine(line);
  });
}
