/**
 * The fake deployment of the doctor tests: the stacks' outputs, AWS answered by aws-sdk-client-mock, and the
 * Cloudflare API as a local HTTP server answering the two endpoints the doctor uses, in the API's envelope
 * (https://developers.cloudflare.com/api/): GET /accounts/{account_id}/access/apps (query name, exact, page,
 * per_page; `result_info` paging) and GET /accounts/{account_id}/access/identity_providers/{id}.
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
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseConfig } from "../../config";
import { exampleInput } from "../helpers/stacks";
import { BRIDGE_USER_TYPE, IDC_USER_ID_ATTRIBUTE } from "../../lambda-src/pre-token-generation/contract";

export const config = parseConfig(exampleInput());
export const TOKEN = "cf-test-token";
export const LOGIN_METHOD = "6f0b8c2e-1b7a-4f0e-9e3c-0a1b2c3d4e5f";
export const OTP = "aaaaaaaa-1b7a-4f0e-9e3c-0a1b2c3d4e5f";
export const AUTH_URL = "https://acme-idc-bridge.auth.eu-west-1.amazoncognito.com/oauth2/authorize";
export const POOL_ID = "eu-west-1_AbC123";
export const JIT = "prod-idc-oidc-bridge-pre-token-generation";

export const identityStore = mockClient(IdentitystoreClient);
export const cognito = mockClient(CognitoIdentityProviderClient);
export const cloudwatch = mockClient(CloudWatchClient);
export const cloudtrail = mockClient(CloudTrailClient);

/** The deployment the fake APIs describe; each test plants a fault in a fresh copy. */
export interface World {
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

export function healthy(): World {
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

export function install(w: World): void {
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

export interface FakeCloudflare {
  readonly url: string;
  /** `METHOD path?query` of each request. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Starts the Cloudflare API fake, answering from the world `current()` returns. */
export async function startFakeCloudflare(current: () => World): Promise<FakeCloudflare> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    requests.push(`${request.method} ${url.pathname}${url.search}`);
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
      const all = current().apps.filter(
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
    if (idp && current().idps[idp[1]!])
      return send(200, { success: true, errors: [], messages: [], result: current().idps[idp[1]!] });
    return send(404, {
      success: false,
      errors: [{ code: 7003, message: "Could not route to " + url.pathname }],
      messages: [],
      result: null,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
