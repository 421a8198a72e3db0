/**
 * `npm run doctor`: a healthy deployment passes every check; each planted fault is reported with ✘, a hint
 * and exit code 1. AWS calls go to aws-sdk-client-mock; the Cloudflare API is a local HTTP server answering
 * the two endpoints the doctor uses, in the API's envelope (https://developers.cloudflare.com/api/):
 * GET /accounts/{account_id}/access/apps (query name, exact, page, per_page; `result_info` paging) and
 * GET /accounts/{account_id}/access/identity_providers/{id}.
 */
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from "@aws-sdk/client-cloudtrail";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  ListUsersCommand as ListCognitoUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { IdentitystoreClient, ListUsersCommand, type User } from "@aws-sdk/client-identitystore";
import { mockClient } from "aws-sdk-client-mock";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { main, type DoctorDependencies } from "../../cli/doctor";
import { parseConfig } from "../../config";
import { captureConsole } from "../helpers/cli";
import { exampleInput } from "../helpers/stacks";
import { BRIDGE_USER_TYPE, IDC_USER_ID_ATTRIBUTE } from "../../lambda-src/pre-token-generation/contract";

const config = parseConfig(exampleInput());
const TOKEN = "cf-test-token";
const LOGIN_METHOD = "6f0b8c2e-1b7a-4f0e-9e3c-0a1b2c3d4e5f";
const OTP = "aaaaaaaa-1b7a-4f0e-9e3c-0a1b2c3d4e5f";
const AUTH_URL = "https://acme-idc-bridge.auth.eu-west-1.amazoncognito.com/oauth2/authorize";
const POOL_ID = "eu-west-1_AbC123";
const JIT = "prod-idc-oidc-bridge-pre-token-generation";

const identityStore = mockClient(IdentitystoreClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const cloudwatch = mockClient(CloudWatchClient);
const cloudtrail = mockClient(CloudTrailClient);

/** The deployment the fake APIs describe; each test plants a fault in a fresh copy. */
interface World {
  outputs: Record<string, Record<string, unknown> | Error>;
  trigger: { LambdaArn: string; LambdaVersion: "V1_0" | "V2_0" | "V3_0" } | undefined;
  metrics: { errors: number[]; throttles: number[]; p99: number[] };
  trailLogging: boolean;
  idcUsers: User[];
  cognitoUsers: Array<{
    Username: string;
    Enabled: boolean;
    Attributes: Array<{ Name: string; Value: string }>;
  }>;
  apps: Array<Record<string, unknown>>;
  idps: Record<string, Record<string, unknown>>;
}

function healthy(): World {
  const owned = (id: string, email: string): User => ({
    IdentityStoreId: "d-1234567890",
    UserId: id,
    UserName: email,
    UserType: BRIDGE_USER_TYPE,
    Emails: [{ Value: email, Primary: true, Type: "work" }],
  });
  const idcUsers = Array.from({ length: 150 }, (_, i) => owned(`u-${i}`, `user${i}@acme.example`));
  idcUsers.push({
    IdentityStoreId: "d-1234567890",
    UserId: "hand",
    UserName: "admin@acme.example",
    Emails: [{ Value: "Admin@acme.example", Primary: true }],
  });
  return {
    outputs: {
      "prod-identity-center": {
        identity_store_id: "d-1234567890",
        saml_issuer_url: config.identityCenter.issuerUrl,
      },
      "prod-cognito": {
        user_pool_id: POOL_ID,
        pre_token_generation_function: JIT,
        deprovisioning_function: "prod-idc-oidc-bridge-deprovisioning",
        authorization_url: AUTH_URL,
      },
      "prod-cloudflare-access": { cognito_login_method_id: LOGIN_METHOD },
    },
    trigger: { LambdaArn: `arn:aws:lambda:eu-west-1:111111111111:function:${JIT}`, LambdaVersion: "V2_0" },
    metrics: { errors: [0], throttles: [], p99: [850] },
    trailLogging: true,
    idcUsers,
    cognitoUsers: Array.from({ length: 150 }, (_, i) => ({
      Username: `sub-${i}`,
      Enabled: true,
      Attributes: [
        { Name: "email", Value: `User${i}@acme.example` },
        { Name: IDC_USER_ID_ATTRIBUTE, Value: `u-${i}` },
      ],
    })),
    apps: [
      { id: "other", name: "Grafana", type: "self_hosted", allowed_idps: [OTP] },
      {
        id: "app-1",
        name: config.cloudflare.appName,
        type: "saas",
        allowed_idps: [LOGIN_METHOD],
        auto_redirect_to_identity: true,
        saas_app: {
          auth_type: "saml",
          sp_entity_id: config.identityCenter.issuerUrl,
          consumer_service_url: config.identityCenter.acsUrl,
          name_id_format: "email",
          name_id_transform_jsonata: "$lowercase(email)",
        },
      },
    ],
    idps: {
      [LOGIN_METHOD]: { id: LOGIN_METHOD, name: "Cognito", type: "oidc", config: { auth_url: AUTH_URL } },
      [OTP]: { id: OTP, name: "PIN", type: "onetimepin", config: {} },
    },
  };
}

let world: World;
let cloudflare: Server;
let cloudflareUrl: string;
const cloudflareRequests: string[] = [];

function install(w: World): void {
  identityStore.reset();
  cognito.reset();
  cloudwatch.reset();
  cloudtrail.reset();
  const trailArn = "arn:aws:cloudtrail:us-east-1:111111111111:trail/management";
  cloudtrail.on(DescribeTrailsCommand).resolves({
    trailList: [
      { Name: "management", TrailARN: trailArn, HomeRegion: "us-east-1", IsMultiRegionTrail: true },
    ],
  });
  cloudtrail.on(GetTrailStatusCommand, { Name: trailArn }).resolves({ IsLogging: w.trailLogging });
  cloudtrail
    .on(GetEventSelectorsCommand)
    .resolves({ EventSelectors: [{ ReadWriteType: "All", IncludeManagementEvents: true }] });
  // Pages of 100, like the real ListUsers.
  identityStore.on(ListUsersCommand).callsFake((input) => {
    const offset = input.NextToken ? Number(input.NextToken) : 0;
    const next = offset + 100 < w.idcUsers.length ? String(offset + 100) : undefined;
    return { Users: w.idcUsers.slice(offset, offset + 100), NextToken: next };
  });
  cognito.on(DescribeUserPoolCommand, { UserPoolId: POOL_ID }).resolves({
    UserPool: { Id: POOL_ID, LambdaConfig: w.trigger ? { PreTokenGenerationConfig: w.trigger } : {} },
  });
  cognito.on(ListCognitoUsersCommand).callsFake((input) => {
    const offset = input.PaginationToken ? Number(input.PaginationToken) : 0;
    const next = offset + 60 < w.cognitoUsers.length ? String(offset + 60) : undefined;
    return { Users: w.cognitoUsers.slice(offset, offset + 60), PaginationToken: next };
  });
  cloudwatch.on(GetMetricDataCommand).resolves({
    MetricDataResults: [
      { Id: "errors", Values: w.metrics.errors },
      { Id: "throttles", Values: w.metrics.throttles },
      { Id: "p99", Values: w.metrics.p99 },
    ],
  });
}

beforeAll(async () => {
  cloudflare = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    cloudflareRequests.push(`${request.method} ${url.pathname}${url.search}`);
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { "Content-Type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      return send(403, {
        success: false,
        errors: [{ code: 10000, message: "Authentication error" }],
        messages: [],
        result: null,
      });
    }
    const base = `/client/v4/accounts/${config.cloudflare.accountId}/access`;
    if (url.pathname === `${base}/apps`) {
      const name = url.searchParams.get("name");
      const exact = url.searchParams.get("exact") === "true";
      const perPage = Number(url.searchParams.get("per_page") ?? 25);
      const page = Number(url.searchParams.get("page") ?? 1);
      const all = world.apps.filter(
        (a) => name === null || (exact ? a.name === name : String(a.name).includes(name)),
      );
      const result = all.slice((page - 1) * perPage, page * perPage);
      return send(200, {
        success: true,
        errors: [],
        messages: [],
        result,
        result_info: {
          page,
          per_page: perPage,
          count: result.length,
          total_count: all.length,
          total_pages: Math.ceil(all.length / perPage),
        },
      });
    }
    const idp = new RegExp(`^${base}/identity_providers/([^/]+)$`).exec(url.pathname);
    if (idp && world.idps[idp[1]!])
      return send(200, { success: true, errors: [], messages: [], result: world.idps[idp[1]!] });
    return send(404, {
      success: false,
      errors: [{ code: 7003, message: "Could not route to " + url.pathname }],
      messages: [],
      result: null,
    });
  });
  await new Promise<void>((resolve) => cloudflare.listen(0, "127.0.0.1", resolve));
  cloudflareUrl = `http://127.0.0.1:${(cloudflare.address() as AddressInfo).port}/client/v4`;
});

afterAll(async () => {
  cloudflare.closeAllConnections();
  await new Promise<void>((resolve) => cloudflare.close(() => resolve()));
});

beforeEach(() => {
  world = healthy();
  cloudflareRequests.length = 0;
});

async function doctor(w: World, env: Record<string, string> = { CLOUDFLARE_API_TOKEN: TOKEN }) {
  install(w);
  const io = captureConsole();
  try {
    const overrides: Partial<DoctorDependencies> = {
      config,
      readOutputs: (stack) => {
        const value = w.outputs[stack];
        if (value === undefined || value instanceof Error) throw value ?? new Error(`no state for ${stack}`);
        return value;
      },
      identityStore: new IdentitystoreClient({ region: "eu-west-1" }),
      cognito: new CognitoIdentityProviderClient({ region: "eu-west-1" }),
      cloudwatch: new CloudWatchClient({ region: "eu-west-1" }),
      cloudtrail: new CloudTrailClient({ region: "eu-west-1" }),
    };
    const code = await main(["--env", "prod"], { ...env, CLOUDFLARE_API_BASE_URL: cloudflareUrl }, overrides);
    return { code, output: io.log.join("\n"), errors: io.error.join("\n") };
  } finally {
    io.restore();
  }
}

/** The ✘ line that starts with `title`, and the hint under it. */
function failure(output: string, title: string): string {
  const lines = output.split("\n");
  const i = lines.findIndex((l) => l.startsWith(`✘ ${title}`));
  if (i < 0) throw new Error(`no ✘ line "${title}" in:\n${output}`);
  expect(lines[i + 1]).toMatch(/^ {4}hint: \S/);
  return `${lines[i]}\n${lines[i + 1]}`;
}

describe("npm run doctor", () => {
  it("passes a healthy deployment: every line ✔, exit 0, read-only calls only", async () => {
    const { code, output } = await doctor(world);
    expect(output).not.toContain("✘");
    expect(output.match(/^✔/gm)).toHaveLength(13);
    expect(output).toContain("All 13 checks passed.");
    expect(output).toContain(
      "✔ CloudTrail: a trail records the user pool's management events in eu-west-1 — trail management (multi-region)",
    );
    expect(code).toBe(0);
    const commands = [
      ...identityStore.calls(),
      ...cognito.calls(),
      ...cloudwatch.calls(),
      ...cloudtrail.calls(),
    ].map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name);
    expect(new Set(commands)).toEqual(
      new Set([
        "ListUsersCommand",
        "DescribeUserPoolCommand",
        "GetMetricDataCommand",
        "DescribeTrailsCommand",
        "GetTrailStatusCommand",
        "GetEventSelectorsCommand",
      ]),
    );
    expect(identityStore.commandCalls(ListUsersCommand)).toHaveLength(2); // 151 users, 100 a page
    expect(cognito.commandCalls(ListCognitoUsersCommand)).toHaveLength(3); // 150 users, 60 a page
    expect(cloudflareRequests.every((r) => r.startsWith("GET "))).toBe(true);
  });

  const faults: Array<[string, (w: World) => void, string, RegExp]> = [
    [
      "a stack whose outputs cannot be read",
      (w) => (w.outputs["prod-cloudflare-access"] = new Error("terraform output -json failed")),
      "stack prod-cloudflare-access: outputs readable",
      /terraform output/,
    ],
    [
      "no trigger",
      (w) => (w.trigger = undefined),
      "user pool: pre token generation trigger",
      /has no pre token generation trigger/,
    ],
    [
      "a trigger on V1_0",
      (w) => (w.trigger!.LambdaVersion = "V1_0"),
      "user pool: pre token generation trigger",
      /V1_0, not V2_0/,
    ],
    [
      "a trigger on another function",
      (w) => (w.trigger!.LambdaArn = "arn:aws:lambda:eu-west-1:111111111111:function:other"),
      "user pool: pre token generation trigger",
      /invokes .*function:other/,
    ],
    ["Lambda errors", (w) => (w.metrics.errors = [3]), `JIT Lambda ${JIT}: no errors`, /3 errors/],
    [
      "no logging CloudTrail trail for the leavers Lambda",
      (w) => (w.trailLogging = false),
      "CloudTrail: a trail records the user pool's management events in eu-west-1",
      /no trail does: management \(multi-region\): logging is off/,
    ],
    [
      "Lambda throttles",
      (w) => (w.metrics.throttles = [1]),
      `JIT Lambda ${JIT}: no throttles`,
      /1 throttles/,
    ],
    [
      "a slow p99",
      (w) => (w.metrics.p99 = [4200]),
      `JIT Lambda ${JIT}: p99 duration within 3000 ms`,
      /4200 ms/,
    ],
    [
      "a UserName that is not the lowercased primary email",
      (w) => (w.idcUsers[3]!.UserName = "User3@acme.example"),
      "Identity Store: every UserName is the lowercased primary email",
      /User3@acme\.example \(email user3@acme\.example\)/,
    ],
    [
      "one email under two UserNames",
      (w) =>
        w.idcUsers.push({
          IdentityStoreId: "d-1234567890",
          UserId: "dup",
          UserName: "jdoe@acme.example",
          Emails: [
            { Value: "jdoe@acme.example", Primary: true },
            { Value: "USER7@acme.example", Primary: false },
          ],
        }),
      "Identity Store: no email under two UserNames",
      /user7@acme\.example: user7@acme\.example \/ jdoe@acme\.example/,
    ],
    [
      "a bridge-owned user without a Cognito user",
      (w) => w.cognitoUsers.splice(42, 1),
      "Identity Store: every bridge-owned user has a Cognito user",
      /1 without one: user42@acme\.example/,
    ],
    [
      "a second login method on the app",
      (w) => (w.apps[1]!.allowed_idps = [LOGIN_METHOD, OTP]),
      `Cloudflare Access app "${config.cloudflare.appName}": allows exactly the Cognito login method`,
      /expected exactly \[6f0b8c2e/,
    ],
    [
      "an allowed login method that is not Cognito",
      (w) => (w.idps[LOGIN_METHOD]!.config = { auth_url: "https://evil.example/authorize" }),
      `Cloudflare Access app "${config.cloudflare.appName}": allows exactly the Cognito login method`,
      /authorizes at https:\/\/evil\.example/,
    ],
    [
      "SAML settings that do not match the config",
      (w) =>
        ((w.apps[1]!.saas_app as Record<string, unknown>).consumer_service_url =
          "https://eu-west-1.signin.aws.amazon.com/platform/saml/acs/00000000-0000-0000-0000-000000000000"),
      `Cloudflare Access app "${config.cloudflare.appName}": SAML settings match`,
      /ACS URL is .*00000000-0000/,
    ],
    [
      "no Access app of that name",
      (w) => w.apps.splice(1, 1),
      `Cloudflare Access app "${config.cloudflare.appName}"`,
      /0 Access applications have this name/,
    ],
  ];

  it.each(faults)("reports %s with ✘, a hint and exit 1", async (_name, plant, title, detail) => {
    plant(world);
    const { code, output } = await doctor(world);
    expect(failure(output, title)).toMatch(detail);
    // Only that check fails, except the checks that need what is missing, which say so.
    const others = output.split("\n").filter((l) => l.startsWith("✘") && !l.startsWith(`✘ ${title}`));
    for (const line of others)
      expect(line).toMatch(/not checked: stack prod-cloudflare-access has no output/);
    expect(others).toHaveLength(title.startsWith("stack ") ? 1 : 0);
    expect(code).toBe(1);
  });

  it("compares emails and UserNames by the one identity rule: spaces, case and Unicode form name the same person", async () => {
    // NFD "é" in the IdC email, spaces around the Cognito email: the Lambdas see the same people.
    world.idcUsers.push({
      IdentityStoreId: "d-1234567890",
      UserId: "u-rene",
      UserName: "rené@acme.example",
      UserType: BRIDGE_USER_TYPE,
      Emails: [{ Value: " Rene\u0301@acme.example ", Primary: true }],
    });
    world.cognitoUsers.push({
      Username: "sub-rene",
      Enabled: true,
      Attributes: [{ Name: "email", Value: "  RENÉ@acme.example\t" }],
    });
    world.cognitoUsers[7]!.Attributes[0]!.Value = " user7@ACME.example ";
    world.cognitoUsers[7]!.Attributes.splice(1, 1); // found by email only
    const { code, output } = await doctor(world);
    expect(output).not.toContain("✘");
    expect(code).toBe(0);
  });

  it("reports a missing CLOUDFLARE_API_TOKEN, and a token Cloudflare refuses", async () => {
    let result = await doctor(world, {});
    expect(failure(result.output, `Cloudflare Access app`)).toMatch(/CLOUDFLARE_API_TOKEN is not set/);
    expect(result.code).toBe(1);
    result = await doctor(world, { CLOUDFLARE_API_TOKEN: "wrong" });
    expect(failure(result.output, `Cloudflare Access app`)).toMatch(
      /HTTP 403 \(10000 Authentication error\)/,
    );
  });

  it("refuses an --env that is not the config's environment (exit 1), and a missing --env (exit 2)", async () => {
    install(world);
    const io = captureConsole();
    try {
      expect(await main(["--env", "qa"], {}, { config })).toBe(1);
      expect(io.error[0]).toMatch(
        /^Invalid config .*example\.json \(1 problem\):\n {2}- environment: expected the environment given with --env \(qa\); got "prod"$/,
      );
      expect(await main([], {}, { config })).toBe(2);
      expect(io.error[1]).toBe("doctor: --env is required");
    } finally {
      io.restore();
    }
  });
});
