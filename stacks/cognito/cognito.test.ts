import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { CognitoUserPoolDomain } from "@cdktf/provider-aws/lib/cognito-user-pool-domain";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { DataArchiveFile } from "@cdktf/provider-archive/lib/data-archive-file";
import type { BridgeConfigInput } from "../../config";
import {
  configWith,
  FIXTURE_BUNDLE_DIR,
  json,
  resources,
  synthBridge,
  type SynthesizedBridge,
  type TerraformJson,
} from "../../__tests__/helpers/stacks";
import { applyOffline, describeIfTerraform } from "../../__tests__/helpers/terraform-cli";
import { tempDir } from "../../__tests__/helpers/temp-dirs";

/** The real bundle when `npm run build:lambda` has run, else the stand-in. */
const REAL_BUNDLE_DIR = path.join(__dirname, "..", "..", "dist", "lambda", "pre-token-generation");
const BUNDLE_DIR = existsSync(path.join(REAL_BUNDLE_DIR, "index.js")) ? REAL_BUNDLE_DIR : FIXTURE_BUNDLE_DIR;

/** Not the example: another environment, region, team, tier, MFA, providers and provisioning settings. */
function globex(c: BridgeConfigInput): void {
  c.environment = "qa";
  c.backend = { type: "local" };
  c.cognito = {
    region: "us-east-1",
    domainPrefix: "globex-login",
    userPoolTier: "PLUS",
    mfa: "ON",
    passwordMinimumLength: 20,
    upstreamProviders: [
      {
        type: "oidc",
        name: "Google",
        clientId: "1234.apps.googleusercontent.com",
        issuerUrl: "https://accounts.google.com",
      },
      {
        type: "oidc",
        name: "Entra-ID",
        clientId: "0f1e2d3c-aaaa-bbbb-cccc-a5b4c3d2e1f0",
        issuerUrl: "https://login.microsoftonline.com/0f1e2d3c-aaaa-bbbb-cccc-a5b4c3d2e1f0/v2.0",
        scopes: ["openid", "email"],
      },
      { type: "saml", name: "Okta", metadataUrl: "https://globex.okta.com/app/abc/sso/saml/metadata" },
    ],
    groups: [{ name: "cg-admins" }, { name: "cg-devs" }],
    provisioning: {
      requireVerifiedEmail: false,
      onSyncFailure: "allow",
      groupMap: { "cg-admins": "platform-admins", "cg-devs": "developers" },
      memorySizeMb: 1024,
      logRetentionDays: 30,
    },
    monitoring: { durationAlarmMs: 2500 },
  };
  c.cloudflare.teamName = "globex";
}

const FUNCTION_NAME = "qa-idc-oidc-bridge-pre-token-generation";

/** The single resource (or data source) of a type, with its logical id. */
function only(
  synthesized: string,
  type: string,
  kind: "resource" | "data" = "resource",
): [string, TerraformJson] {
  // The leavers construct's resources (stacks/cognito/deprovisioning.ts) are tested in its own file.
  const all = Object.entries((json(synthesized)[kind]?.[type] ?? {}) as TerraformJson).filter(
    ([id]) => !id.startsWith("deprovisioning_"),
  );
  expect(all).toHaveLength(1);
  return all[0] as [string, TerraformJson];
}

/** How the cognito stack reads an identity-center value: `data.terraform_remote_state.<id>.outputs.<name>`. */
function remoteRead(bridge: SynthesizedBridge, producerValue: RegExp | string): string {
  const [remoteId] = only(bridge.cognito, "terraform_remote_state", "data");
  const outputs = json(bridge.identityCenter).output as Record<string, { value: string }>;
  const matches = Object.entries(outputs).filter(
    ([name, o]) =>
      name.startsWith("cross-stack-output-") &&
      (typeof producerValue === "string" ? o.value === producerValue : producerValue.test(o.value)),
  );
  expect(matches).toHaveLength(1);
  return `data.terraform_remote_state.${remoteId}.outputs.${matches[0][0]}`;
}

/** The remote read of an IdC group's id, by group name. */
function remoteGroupId(bridge: SynthesizedBridge, groupName: string): string {
  const groups = resources(bridge.identityCenter, "aws_identitystore_group");
  const id = Object.keys(groups).find((k) => (groups[k] as TerraformJson).display_name === groupName);
  return remoteRead(bridge, `\${aws_identitystore_group.${id}.group_id}`);
}

function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => allStrings(v, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "//") continue; // cdktf's metadata (construct paths)
      out.push(k);
      allStrings(v, out);
    }
  }
  return out;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe("cognito stack for a config the example does not cover", () => {
  const bridge = synthBridge(configWith(globex), BUNDLE_DIR);
  const cog = bridge.cognito;
  const [poolId] = only(cog, "aws_cognito_user_pool");
  const [functionId, fn] = only(cog, "aws_lambda_function");
  const [clientId] = only(cog, "aws_cognito_user_pool_client");

  it("has one user pool: tier, email username, case-insensitive, admin-only, protected, MFA, recovery, V2 trigger", () => {
    expect(cog).toHaveResourceWithProperties(CognitoUserPool, {
      name: "qa-idc-oidc-bridge",
      user_pool_tier: "PLUS",
      username_attributes: ["email"],
      username_configuration: { case_sensitive: false },
      admin_create_user_config: { allow_admin_create_user_only: true },
      deletion_protection: "ACTIVE",
      password_policy: expect.objectContaining({ minimum_length: 20 }),
      mfa_configuration: "ON",
      software_token_mfa_configuration: { enabled: true },
      account_recovery_setting: { recovery_mechanism: [{ name: "verified_email", priority: 1 }] },
      auto_verified_attributes: ["email"],
      lambda_config: {
        pre_token_generation_config: {
          lambda_arn: `\${aws_lambda_function.${functionId}.arn}`,
          lambda_version: "V2_0",
        },
      },
    });
  });

  it("has the hosted domain from domainPrefix", () => {
    expect(cog).toHaveResourceWithProperties(CognitoUserPoolDomain, {
      domain: "globex-login",
      user_pool_id: `\${aws_cognito_user_pool.${poolId}.id}`,
    });
  });

  it("has one confidential code-flow-only client for Cloudflare Access, with every provider", () => {
    const providers = resources(cog, "aws_cognito_identity_provider");
    const providerRef = (name: string) =>
      `\${aws_cognito_identity_provider.${Object.keys(providers).find((k) => providers[k].provider_name === name)}.provider_name}`;
    expect(cog).toHaveResourceWithProperties(CognitoUserPoolClient, {
      user_pool_id: `\${aws_cognito_user_pool.${poolId}.id}`,
      generate_secret: true,
      allowed_oauth_flows_user_pool_client: true,
      allowed_oauth_flows: ["code"],
      allowed_oauth_scopes: expect.arrayContaining(["openid", "email", "profile"]),
      callback_urls: ["https://globex.cloudflareaccess.com/cdn-cgi/access/callback"],
      supported_identity_providers: [
        "COGNITO",
        providerRef("Google"),
        providerRef("Entra-ID"),
        providerRef("Okta"),
      ],
      prevent_user_existence_errors: "ENABLED",
      explicit_auth_flows: ["ALLOW_REFRESH_TOKEN_AUTH"],
    });
    const [, client] = only(cog, "aws_cognito_user_pool_client");
    expect([...client.allowed_oauth_scopes].sort()).toEqual(["email", "openid", "profile"]);
    expect(client.allowed_oauth_flows).not.toContain("implicit");
    expect(client.token_validity_units).toEqual([
      { access_token: "minutes", id_token: "minutes", refresh_token: "hours" },
    ]);
    expect(client.access_token_validity).toBeLessThanOrEqual(60);
    expect(client.id_token_validity).toBeLessThanOrEqual(60);
  });

  it("federates OIDC providers with their client secret from a sensitive variable, never a literal", () => {
    const providers = Object.values(resources(cog, "aws_cognito_identity_provider")) as TerraformJson[];
    expect(providers).toHaveLength(3);
    const variables = json(cog).variable as Record<string, TerraformJson>;
    for (const [name, variable, clientIdValue, issuer, scopes] of [
      [
        "Google",
        "upstream_google_client_secret",
        "1234.apps.googleusercontent.com",
        "https://accounts.google.com",
        "openid email profile",
      ],
      [
        "Entra-ID",
        "upstream_entra_id_client_secret",
        "0f1e2d3c-aaaa-bbbb-cccc-a5b4c3d2e1f0",
        "https://login.microsoftonline.com/0f1e2d3c-aaaa-bbbb-cccc-a5b4c3d2e1f0/v2.0",
        "openid email",
      ],
    ]) {
      const p = providers.find((x) => x.provider_name === name)!;
      expect(p).toMatchObject({
        user_pool_id: `\${aws_cognito_user_pool.${poolId}.id}`,
        provider_type: "OIDC",
        provider_details: {
          client_id: clientIdValue,
          client_secret: `\${var.${variable}}`,
          oidc_issuer: issuer,
          authorize_scopes: scopes,
        },
      });
      expect(p.attribute_mapping).toMatchObject({ email: "email", email_verified: "email_verified" });
      expect(variables[variable]).toMatchObject({ type: "string", sensitive: true });
      expect(variables[variable].description).toContain(`TF_VAR_${variable}`);
    }
    expect(Object.keys(variables).sort()).toEqual([
      "upstream_entra_id_client_secret",
      "upstream_google_client_secret",
    ]);
  });

  it("federates a SAML provider by its metadata URL", () => {
    const okta = (Object.values(resources(cog, "aws_cognito_identity_provider")) as TerraformJson[]).find(
      (p) => p.provider_name === "Okta",
    );
    expect(okta).toMatchObject({
      provider_type: "SAML",
      provider_details: { MetadataURL: "https://globex.okta.com/app/abc/sso/saml/metadata" },
      attribute_mapping: { email: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" },
    });
  });

  it("deploys the Lambda on nodejs22.x or newer, arm64, within Cognito's 5 s, traced, sized from config", () => {
    expect(Number(/^nodejs(\d+)\.x$/.exec(fn.runtime)?.[1])).toBeGreaterThanOrEqual(22);
    expect(fn).toMatchObject({
      function_name: FUNCTION_NAME,
      architectures: ["arm64"],
      handler: "index.handler",
      memory_size: 1024,
      tracing_config: { mode: "Active" },
    });
    expect(fn.timeout).toBeGreaterThan(0);
    expect(fn.timeout).toBeLessThanOrEqual(5);
  });

  it("configures the Lambda from the identity-center stack's state and from config", () => {
    const env = fn.environment.variables as Record<string, string>;
    const ids = remoteRead(bridge, /^\$\{data\.aws_ssoadmin_instances\.[^.]+\.identity_store_ids\}$/);
    expect(env.IDENTITY_STORE_ID).toBe(`\${element(${ids}, 0)}`);
    expect(env.IDENTITY_STORE_REGION).toBe(
      `\${${remoteRead(bridge, /^\$\{data\.aws_region\.[^.]+\.region\}$/)}}`,
    );
    expect(env.GROUP_MAP).toBe(
      `\${jsonencode({"cg-admins" = ${remoteGroupId(bridge, "platform-admins")}, "cg-devs" = ${remoteGroupId(bridge, "developers")}})}`,
    );
    expect(env.REQUIRE_VERIFIED_EMAIL).toBe("false");
    expect(env.ON_SYNC_FAILURE).toBe("allow");
  });

  it("gives the Lambda its own log group with the configured retention", () => {
    const [logGroupId, logGroup] = only(cog, "aws_cloudwatch_log_group");
    expect(logGroup).toMatchObject({ name: `/aws/lambda/${FUNCTION_NAME}`, retention_in_days: 30 });
    expect(fn.logging_config.log_group).toBe(`\${aws_cloudwatch_log_group.${logGroupId}.name}`);
  });

  it("lets only this user pool invoke the Lambda", () => {
    expect(
      Object.keys(resources(cog, "aws_lambda_permission")).filter((id) => !id.startsWith("deprovisioning_")),
    ).toHaveLength(1);
    expect(cog).toHaveResourceWithProperties(LambdaPermission, {
      action: "lambda:InvokeFunction",
      function_name: `\${aws_lambda_function.${functionId}.function_name}`,
      principal: "cognito-idp.amazonaws.com",
      source_arn: `\${aws_cognito_user_pool.${poolId}.arn}`,
    });
  });

  it("packages the bundle with data archive_file from relative paths", () => {
    const [archiveId, archive] = only(cog, "archive_file", "data");
    expect(cog).toHaveDataSourceWithProperties(DataArchiveFile, { type: "zip" });
    expect(archive.source_dir).toMatch(/^assets\/[\w-]+\/[0-9A-F]{32}$/);
    expect(archive.output_path).toBe(`${archive.source_dir}.zip`);
    expect(fn.filename).toBe(`\${data.archive_file.${archiveId}.output_path}`);
    expect(fn.source_code_hash).toBe(`\${data.archive_file.${archiveId}.output_base64sha256}`);
    // The asset sits where Terraform, running in the stack's directory, will zip it from.
    const stackDir = path.join(bridge.outdir, "stacks", bridge.stacks.cognito.node.id);
    const packaged = readFileSync(path.join(stackDir, archive.source_dir, "index.js"));
    expect(packaged.equals(readFileSync(path.join(BUNDLE_DIR, "index.js")))).toBe(true);
  });

  it("keeps the client credentials in Secrets Manager as a Terraform expression, never a literal", () => {
    const [secretId] = only(cog, "aws_secretsmanager_secret");
    const [, version] = only(cog, "aws_secretsmanager_secret_version");
    expect(version.secret_id).toBe(`\${aws_secretsmanager_secret.${secretId}.id}`);
    expect(version.secret_string).toBe(
      `\${jsonencode({"client_id" = aws_cognito_user_pool_client.${clientId}.id, "client_secret" = aws_cognito_user_pool_client.${clientId}.client_secret})}`,
    );
    const secrets: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
          if (/secret/i.test(k) && typeof x === "string") secrets.push(x);
          walk(x);
        }
      }
    };
    walk(json(cog).resource);
    expect(secrets.length).toBeGreaterThan(0);
    for (const s of secrets) expect(s).toMatch(/^\$\{.+\}$/);
  });

  it("alarms on errors, throttles, slow p99, sync failures and denied logins, to an SNS topic", () => {
    const [topicId] = only(cog, "aws_sns_topic");
    expect(resources(cog, "aws_sns_topic_subscription")).toEqual({});
    const alarms = Object.entries(resources(cog, "aws_cloudwatch_metric_alarm"))
      .filter(([id]) => !id.startsWith("deprovisioning_"))
      .map(([, alarm]) => alarm) as TerraformJson[];
    expect(alarms).toHaveLength(5);
    const env = fn.environment.variables as Record<string, string>;
    const byMetric = Object.fromEntries(alarms.map((a) => [a.metric_name, a]));
    const lambdaDims = { FunctionName: FUNCTION_NAME };
    const customDims = { service: FUNCTION_NAME };
    expect(env.POWERTOOLS_SERVICE_NAME).toBe(FUNCTION_NAME);
    expect(byMetric.Errors).toMatchObject({ namespace: "AWS/Lambda", dimensions: lambdaDims, threshold: 0 });
    expect(byMetric.Throttles).toMatchObject({
      namespace: "AWS/Lambda",
      dimensions: lambdaDims,
      threshold: 0,
    });
    expect(byMetric.Duration).toMatchObject({
      namespace: "AWS/Lambda",
      dimensions: lambdaDims,
      extended_statistic: "p99",
      threshold: 2500,
    });
    const custom = { namespace: env.POWERTOOLS_METRICS_NAMESPACE, dimensions: customDims };
    expect(byMetric.SyncFailures).toMatchObject({ ...custom, threshold: 0 });
    expect(byMetric.LoginsDenied).toMatchObject(custom);
    expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe("IdcOidcBridge");
    for (const a of alarms) {
      expect(a.comparison_operator).toBe("GreaterThanThreshold");
      expect(a.alarm_actions).toEqual([`\${aws_sns_topic.${topicId}.arn}`]);
      expect(a.alarm_name).toMatch(new RegExp(`^${FUNCTION_NAME}-`));
      expect(a.alarm_description).toMatch(new RegExp(`^${FUNCTION_NAME} .{20,}`));
    }
  });

  it("encrypts the alarm topic with a rotating key that CloudWatch may use (the AWS managed SNS key would drop alarms)", () => {
    const [, topic] = only(cog, "aws_sns_topic");
    const keyId = /^\$\{aws_kms_key\.([\w-]+)\.arn\}$/.exec(topic.kms_master_key_id)![1];
    const key = json(cog).resource.aws_kms_key[keyId] as TerraformJson;
    expect(topic.kms_master_key_id).toBe(`\${aws_kms_key.${keyId}.arn}`);
    expect(key.enable_key_rotation).toBe(true);
    const policyId = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(key.policy)![1];
    const statements = json(cog).data.aws_iam_policy_document[policyId].statement as TerraformJson[];
    const cloudwatch = statements.find((st) =>
      st.principals[0].identifiers.includes("cloudwatch.amazonaws.com"),
    )!;
    expect(cloudwatch.actions.sort()).toEqual(["kms:Decrypt", "kms:GenerateDataKey*"]);
    expect(cloudwatch.condition).toEqual([
      {
        test: "StringEquals",
        variable: "aws:SourceAccount",
        values: [expect.stringContaining("account_id")],
      },
    ]);
  });

  it("has a dashboard with invocations, errors, duration percentiles, users, conflicts, group changes and failures", () => {
    const [, dashboard] = only(cog, "aws_cloudwatch_dashboard");
    const body = JSON.parse(dashboard.dashboard_body);
    const metrics: string[] = body.widgets.flatMap((w: TerraformJson) => {
      expect(w.properties.region).toBe("us-east-1");
      return w.properties.metrics.map((m: unknown[]) => {
        const [namespace, metric, dimension, value, options] = m as [
          string,
          string,
          string,
          string,
          TerraformJson,
        ];
        expect(value).toBe(FUNCTION_NAME);
        expect(dimension).toBe(namespace === "AWS/Lambda" ? "FunctionName" : "service");
        return `${namespace} ${metric} ${options.stat}`;
      });
    });
    expect(metrics).toEqual(
      expect.arrayContaining([
        "AWS/Lambda Invocations Sum",
        "AWS/Lambda Errors Sum",
        "AWS/Lambda Throttles Sum",
        "AWS/Lambda Duration p50",
        "AWS/Lambda Duration p90",
        "AWS/Lambda Duration p99",
        "IdcOidcBridge UsersCreated Sum",
        "IdcOidcBridge UsersFound Sum",
        "IdcOidcBridge ConflictsResolved Sum",
        "IdcOidcBridge GroupMembershipsAdded Sum",
        "IdcOidcBridge GroupMembershipsRemoved Sum",
        "IdcOidcBridge SyncFailures Sum",
        "IdcOidcBridge LoginsDenied Sum",
      ]),
    );
  });

  it("outputs the OIDC endpoints, client id, secret ARN and the client secret marked sensitive", () => {
    const outputs = json(cog).output as Record<string, TerraformJson>;
    const [domainId] = only(cog, "aws_cognito_user_pool_domain");
    const [secretId] = only(cog, "aws_secretsmanager_secret");
    const hosted = `https://\${aws_cognito_user_pool_domain.${domainId}.domain}.auth.us-east-1.amazoncognito.com`;
    const expected: Record<string, string> = {
      issuer_url: `https://\${aws_cognito_user_pool.${poolId}.endpoint}`,
      authorization_url: `${hosted}/oauth2/authorize`,
      token_url: `${hosted}/oauth2/token`,
      jwks_url: `https://\${aws_cognito_user_pool.${poolId}.endpoint}/.well-known/jwks.json`,
      client_id: `\${aws_cognito_user_pool_client.${clientId}.id}`,
      client_secret_arn: `\${aws_secretsmanager_secret.${secretId}.arn}`,
    };
    for (const [name, value] of Object.entries(expected)) {
      expect(outputs[name]).toMatchObject({ value });
      expect(outputs[name].description).toBeTruthy();
      expect(outputs[name].sensitive).toBeUndefined();
    }
    expect(outputs.client_secret).toMatchObject({
      value: `\${aws_cognito_user_pool_client.${clientId}.client_secret}`,
      sensitive: true,
    });
  });
});

describe("cognito stack with the example's defaults", () => {
  const bridge = synthBridge(configWith(), BUNDLE_DIR);
  const cog = bridge.cognito;
  const [, fn] = only(cog, "aws_lambda_function");

  it("uses the Essentials tier, a 14-character minimum password and optional TOTP", () => {
    expect(cog).toHaveResourceWithProperties(CognitoUserPool, {
      user_pool_tier: "ESSENTIALS",
      password_policy: expect.objectContaining({ minimum_length: 14 }),
      mfa_configuration: "OPTIONAL",
      software_token_mfa_configuration: { enabled: true },
    });
  });

  it("lists only COGNITO as identity provider and declares no variables without upstream providers", () => {
    expect(resources(cog, "aws_cognito_identity_provider")).toEqual({});
    expect(json(cog).variable).toBeUndefined();
    expect(cog).toHaveResourceWithProperties(CognitoUserPoolClient, {
      supported_identity_providers: ["COGNITO"],
      callback_urls: ["https://acme.cloudflareaccess.com/cdn-cgi/access/callback"],
    });
  });

  it("keeps logs 90 days, alarms on p99 above 3000 ms and emails the alarms", () => {
    const [, logGroup] = only(cog, "aws_cloudwatch_log_group");
    expect(logGroup.retention_in_days).toBe(90);
    const duration = (Object.values(resources(cog, "aws_cloudwatch_metric_alarm")) as TerraformJson[]).find(
      (a) => a.metric_name === "Duration",
    )!;
    expect(duration.threshold).toBe(3000);
    const [topicId] = only(cog, "aws_sns_topic");
    const [, subscription] = only(cog, "aws_sns_topic_subscription");
    expect(subscription).toMatchObject({
      protocol: "email",
      endpoint: "ops@acme.example",
      topic_arn: `\${aws_sns_topic.${topicId}.arn}`,
    });
  });

  it("maps every configured Cognito group to its IdC group id", () => {
    const env = fn.environment.variables as Record<string, string>;
    expect(env.GROUP_MAP).toBe(
      `\${jsonencode({"cognito-admins" = ${remoteGroupId(bridge, "platform-admins")}, "cognito-developers" = ${remoteGroupId(bridge, "developers")}, "cognito-readers" = ${remoteGroupId(bridge, "readers")}})}`,
    );
    expect(env.REQUIRE_VERIFIED_EMAIL).toBe("true");
    expect(env.ON_SYNC_FAILURE).toBe("deny");
  });
});

describe("cognito stack without a group map and with MFA off", () => {
  const bridge = synthBridge(
    configWith((c) => {
      c.cognito.mfa = "OFF";
      c.cognito.provisioning = {};
    }),
    BUNDLE_DIR,
  );
  const cog = bridge.cognito;

  it("turns MFA off", () => {
    const [, pool] = only(cog, "aws_cognito_user_pool");
    expect(pool.mfa_configuration).toBe("OFF");
    expect(pool).not.toHaveProperty("software_token_mfa_configuration");
  });

  it("passes an empty GROUP_MAP", () => {
    const [, fn] = only(cog, "aws_lambda_function");
    expect(fn.environment.variables.GROUP_MAP).toBe("{}");
  });
});

describe("cognito synthesis is reproducible and machine-independent", () => {
  const config = configWith(globex);
  const first = synthBridge(config, BUNDLE_DIR);
  const second = synthBridge(config, BUNDLE_DIR, { fresh: true });
  const copyDir = tempDir("bundle-copy-");
  cpSync(BUNDLE_DIR, copyDir, { recursive: true });
  const elsewhere = synthBridge(config, copyDir);
  afterAll(() => {
    for (const dir of [first.outdir, second.outdir, elsewhere.outdir, copyDir]) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes no absolute path into any synthesized file", () => {
    const forbidden = [
      first.outdir,
      os.tmpdir(),
      process.cwd(),
      BUNDLE_DIR,
      "/work",
      "/home",
      "/root",
      "/tmp",
    ];
    for (const bridge of [first, synthBridge(configWith(), BUNDLE_DIR)]) {
      for (const file of filesUnder(bridge.outdir).filter((f) => f.endsWith(".json"))) {
        const text = readFileSync(file, "utf8");
        for (const f of [...forbidden, bridge.outdir]) {
          expect({ file: path.relative(bridge.outdir, file), contains: text.includes(f) ? f : null }).toEqual(
            {
              file: path.relative(bridge.outdir, file),
              contains: null,
            },
          );
        }
      }
      for (const synthesized of [bridge.identityCenter, bridge.cognito, bridge.cloudflareAccess]) {
        for (const s of allStrings(json(synthesized)))
          expect(s.startsWith("/") && !s.startsWith("/aws/")).toBe(false);
      }
    }
  });

  it("gives byte-identical cognito JSON and the same asset path from two synths into two directories", () => {
    expect(first.outdir).not.toBe(second.outdir);
    expect(second.cognito).toBe(first.cognito);
    expect(second.identityCenter).toBe(first.identityCenter);
    expect(only(second.cognito, "archive_file", "data")[1]).toEqual(
      only(first.cognito, "archive_file", "data")[1],
    );
  });

  it("derives the asset path from the bundle's content only, not from where the bundle lives", () => {
    expect(elsewhere.cognito).toBe(first.cognito);
  });

  it("changes the asset path, hence source_code_hash's input, when the bundle changes", () => {
    const changedDir = tempDir("bundle-changed-");
    try {
      writeFileSync(
        path.join(changedDir, "index.js"),
        `${readFileSync(path.join(BUNDLE_DIR, "index.js"), "utf8")}\n// changed\n`,
      );
      const changed = synthBridge(config, changedDir);
      rmSync(changed.outdir, { recursive: true, force: true });
      const before = only(first.cognito, "archive_file", "data")[1].source_dir;
      const after = only(changed.cognito, "archive_file", "data")[1].source_dir;
      expect(after).not.toBe(before);
      expect(after.split("/").slice(0, 2)).toEqual(before.split("/").slice(0, 2));
    } finally {
      rmSync(changedDir, { recursive: true, force: true });
    }
  });
});

describeIfTerraform("GROUP_MAP through the Terraform CLI", () => {
  // Cognito group names allow punctuation and symbols, spaces excepted.
  const odd = 'ops"core"${x}%{y}\\team';
  const bridge = synthBridge(
    configWith((c) => {
      c.cognito.groups = [{ name: odd }, { name: "plain" }];
      c.cognito.provisioning!.groupMap = { [odd]: "readers", plain: "developers" };
    }),
    BUNDLE_DIR,
  );
  let dir: string | undefined;
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("evaluates to the JSON object the Lambda expects, whatever the Cognito group names hold", () => {
    const [, fn] = only(bridge.cognito, "aws_lambda_function");
    // Remote-state reads stand in as the output names, so the map's values are checkable.
    const expression = (fn.environment.variables.GROUP_MAP as string).replace(
      /data\.terraform_remote_state\.[\w-]+\.outputs\.([\w-]+)/g,
      '"$1"',
    );
    dir = tempDir("group-map-");
    writeFileSync(
      path.join(dir, "main.tf.json"),
      JSON.stringify({ output: { group_map: { value: expression } } }),
    );
    const groupMap = JSON.parse(applyOffline(dir).group_map as string);
    const outputName = (group: string) => remoteGroupId(bridge, group).replace(/^.*\.outputs\./, "");
    expect(groupMap).toEqual({ [odd]: outputName("readers"), plain: outputName("developers") });
  });
});
