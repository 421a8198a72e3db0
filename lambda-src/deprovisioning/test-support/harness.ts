/**
 * Test harness of the deprovisioning handler: dynalite (a third-party DynamoDB implementation, in-process)
 * for the deletion budget, the strict Identity Store and Cognito test servers, and one handler instance
 * per call of `setup` (its own clients, as separate Lambda containers have).
 */
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CognitoTestServer } from "../../../__tests__/lambda/cognito-server";
import {
  IdentityStoreTestServer,
  type IdentityStoreServerOptions,
} from "../../../__tests__/lambda/identity-store-server";
import { BRIDGE_USER_TYPE, IDC_USER_ID_ATTRIBUTE } from "../../pre-token-generation/contract";
import type { PacingOptions } from "../../shared/pacing";
import type { LogAttributes } from "../../shared/telemetry";
import { DeletionBudget } from "../budget";
import { CognitoDirectory, createCognitoClient } from "../cognito";
import { loadConfig } from "../config";
import { BUDGET_TABLE, ENV_VARS, type DeprovisionMode, type MetricName } from "../contract";
import { createHandler, type RunSummary } from "../handler";
import { createIdentityStoreClient, DeprovisioningIdentityStore } from "../identity-store";

export const credentials = async () => ({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "secret" });

export interface Dynalite {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  close(): Promise<void>;
}

/** dynalite listening on a free port (`createTableMs: 0`: tables are ACTIVE at once). */
export async function startDynalite(): Promise<Dynalite> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dynalite = require("dynalite") as (options: { createTableMs: number }) => Server;
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ region: "eu-west-1", endpoint, credentials });
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A fresh budget table with the contract's key schema (what the cognito stack creates). */
export async function createBudgetTable(dynamo: Dynalite): Promise<string> {
  const tableName = `budget-${randomUUID()}`;
  await dynamo.client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: BUDGET_TABLE.partitionKey, AttributeType: "S" },
        { AttributeName: BUDGET_TABLE.sortKey, AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: BUDGET_TABLE.partitionKey, KeyType: "HASH" },
        { AttributeName: BUDGET_TABLE.sortKey, KeyType: "RANGE" },
      ],
    }),
  );
  return tableName;
}

export interface Recorded {
  readonly logs: Array<{ level: string; message: string; attributes?: LogAttributes }>;
  readonly metrics: Map<MetricName, number>;
}

export interface SetupOptions {
  readonly store: IdentityStoreTestServer;
  readonly pool: CognitoTestServer;
  readonly dynamo?: Dynalite;
  readonly tableName?: string;
  readonly mode?: DeprovisionMode;
  readonly budgetMaxUsers?: number;
  readonly inactiveDays?: number;
  readonly groupMap?: Record<string, string>;
  readonly pacing?: PacingOptions | false;
  readonly today?: string;
  readonly now?: () => number;
}

/** One handler instance (one "container") with its own clients, logs and metrics. */
export function setupHandler(options: SetupOptions) {
  const { store, pool } = options;
  const mode = options.mode ?? "report";
  const config = loadConfig({
    [ENV_VARS.identityStoreId]: store.identityStoreId,
    [ENV_VARS.identityStoreRegion]: store.region,
    [ENV_VARS.userPoolId]: pool.userPoolId,
    [ENV_VARS.mode]: mode,
    [ENV_VARS.budgetTable]: options.tableName,
    [ENV_VARS.budgetMaxUsers]:
      options.budgetMaxUsers === undefined ? undefined : String(options.budgetMaxUsers),
    [ENV_VARS.inactiveDays]: options.inactiveDays === undefined ? undefined : String(options.inactiveDays),
    [ENV_VARS.groupMap]: JSON.stringify(options.groupMap ?? {}),
  });
  const recorded: Recorded = { logs: [], metrics: new Map() };
  const log =
    (level: string) =>
    (message: string, attributes?: LogAttributes): void => {
      recorded.logs.push({ level, message, attributes });
    };
  const pacing = options.pacing ?? false;
  const budget =
    config.budget.tableName === undefined || options.dynamo === undefined
      ? undefined
      : new DeletionBudget(
          new DynamoDBClient({ region: "eu-west-1", endpoint: options.dynamo.endpoint, credentials }),
          {
            tableName: config.budget.tableName,
            maxUsers: config.budget.maxUsers,
            windowHours: config.budget.windowHours,
          },
          options.now,
        );
  const handler = createHandler({
    config,
    identityStore: new DeprovisioningIdentityStore(
      createIdentityStoreClient(store.region, { credentials, pacing }),
      store.identityStoreId,
    ),
    cognito: new CognitoDirectory(createCognitoClient(pool.region, pacing), pool.userPoolId),
    budget,
    log: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
    metrics: {
      add: (name, value) => recorded.metrics.set(name, (recorded.metrics.get(name) ?? 0) + value),
      publish: () => undefined,
    },
    today: () => options.today ?? "2030-06-30",
  });
  /** A direct invocation (the schedule, or a single event), answering the run summary. */
  const run = async (input: unknown): Promise<RunSummary> => (await handler(input)) as RunSummary;
  return { handler, run, recorded, config };
}

/** The EventBridge event of a CloudTrail-recorded Cognito call on `pool`. */
export function cloudTrailEvent(
  pool: CognitoTestServer,
  eventName: string,
  username: string,
  extra: Record<string, unknown> = {},
) {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "AWS API Call via CloudTrail",
    source: "aws.cognito-idp",
    account: "111111111111",
    time: "2030-06-30T10:00:00Z",
    region: pool.region,
    resources: [],
    detail: {
      eventVersion: "1.08",
      eventSource: "cognito-idp.amazonaws.com",
      eventName,
      awsRegion: pool.region,
      requestParameters: { userPoolId: pool.userPoolId, username },
      responseElements: null,
      ...extra,
    },
  };
}

/** An SQS batch as the event source mapping delivers it, one record per body. */
export function sqsBatch(bodies: readonly unknown[]) {
  return {
    Records: bodies.map((body) => ({
      messageId: randomUUID(),
      receiptHandle: "handle",
      body: typeof body === "string" ? body : JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: "1900000000000",
        SenderId: "AIDAEXAMPLE",
        ApproximateFirstReceiveTimestamp: "1900000000000",
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:eu-west-1:111111111111:leavers",
      awsRegion: "eu-west-1",
    })),
  };
}

export interface World {
  readonly store: IdentityStoreTestServer;
  readonly pool: CognitoTestServer;
  readonly tableName: string;
  /** A managed group (GROUP_MAP value). */
  readonly managed: string;
  /** One handler instance over this world (own clients), with the managed group mapped. */
  setup(options?: Partial<SetupOptions>): ReturnType<typeof setupHandler>;
  /** A bridge-created IdC user in the managed group and its Cognito user (linked unless `linked: false`). */
  person(
    email: string,
    options?: { enabled?: boolean; linked?: boolean; cognitoEmail?: string; userType?: string },
  ): { userId: string; username: string; membershipId: string };
  close(): Promise<void>;
}

/**
 * Servers for one test: a strict Identity Store (no quota unless given), a strict Cognito pool, a fresh budget
 * table in `dynamo`, and the SDK's endpoint variables pointing at them (restored by `close`).
 */
export async function startWorld(
  dynamo: Dynalite,
  options: { identityStore?: IdentityStoreServerOptions } = {},
): Promise<World> {
  const store = await IdentityStoreTestServer.start({ rateLimit: false, ...options.identityStore });
  const pool = await CognitoTestServer.start({ userPoolId: "eu-west-1_TestPool1" });
  const tableName = await createBudgetTable(dynamo);
  const managed = store.addGroup();
  const saved = { ...process.env };
  process.env.AWS_ENDPOINT_URL_IDENTITYSTORE = store.endpoint;
  process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER = pool.endpoint;
  process.env.AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
  process.env.AWS_SECRET_ACCESS_KEY = "secret";
  return {
    store,
    pool,
    tableName,
    managed,
    setup: (extra = {}) =>
      setupHandler({ store, pool, dynamo, tableName, groupMap: { admins: managed }, ...extra }),
    person: (email, extra = {}) => {
      const userId = store.addUser({
        UserName: email,
        UserType: extra.userType ?? BRIDGE_USER_TYPE,
        DisplayName: email,
        Emails: [{ Value: email, Type: "work", Primary: true }],
      });
      const membershipId = store.addMembership(managed, userId);
      const attributes: Record<string, string> =
        extra.linked === false ? {} : { [IDC_USER_ID_ATTRIBUTE]: userId };
      const user = pool.createUser({
        email: extra.cognitoEmail ?? email,
        enabled: extra.enabled,
        attributes,
      });
      return { userId, username: user.username, membershipId };
    },
    close: async () => {
      process.env = saved;
      await store.close();
      await pool.close();
    },
  };
}

/**
 * One dynalite per test file and a fresh world (servers, people) per test, registered with Jest's hooks: the
 * returned object always stands for the current test's world.
 */
export function worldPerTest(): World {
  let dynamo: Dynalite;
  let current: World | undefined;
  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await dynamo.close();
  });
  beforeEach(async () => {
    current = await startWorld(dynamo);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return new Proxy({} as World, {
    get(_target, property) {
      if (current === undefined) throw new Error("the world exists only inside a test");
      const value: unknown = Reflect.get(current, property);
      return typeof value === "function" ? value.bind(current) : value;
    },
  });
}
