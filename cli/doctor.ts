/**
 * Read-only checks of a live deployment, one ✔/✘ line each, a hint under every ✘, exit 1 on any ✘:
 *
 *   npm run doctor -- --env <environment> [--outdir cdktf.out]
 *
 * The config (BRIDGE_CONFIG, default config/example.json) gives the regions, the IdC issuer/ACS URLs and the
 * Cloudflare account; the stacks' outputs (`terraform output -json` in cdktf.out/stacks/<stack>) give the
 * deployed ids. AWS calls use the default credential chain; the Cloudflare API needs CLOUDFLARE_API_TOKEN
 * (Access: Apps and Policies Read, Access: Organizations, Identity Providers, and Groups Read). Nothing is
 * changed anywhere.
 */
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  ListUsersCommand as ListCognitoUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { IdentitystoreClient, ListUsersCommand, type User } from "@aws-sdk/client-identitystore";
import { parseArgs } from "node:util";
import { loadConfig, resolveConfigPath, type BridgeConfig } from "../config";
import { LAST_SIGN_IN_ATTRIBUTE, IDC_USER_ID_ATTRIBUTE } from "../lambda-src/pre-token-generation/contract";
import { CognitoIndex, isBridgeOwned } from "../lambda-src/deprovisioning/leavers";
import { NAME_ID_TRANSFORM } from "../stacks/cloudflare-access/saml-application";
import { readStackOutputs, stackDirectory, UsageError } from "./shared/stack-outputs";

const USAGE = `Usage: npm run doctor -- --env <environment> [options]

Read-only checks of a deployed environment: stack outputs, the Cognito trigger, the JIT Lambda's
health, Identity Store users, and the Cloudflare Access application. Exit 1 when any check fails.

Options:
  --env ENV        environment to check (must be "environment" of the config in BRIDGE_CONFIG,
                   default config/example.json)
  --outdir DIR     cdktf output directory (default: cdktf.out)
  -h, --help       show this help

Environment: AWS credentials (default chain) for the IdC and Cognito accounts; CLOUDFLARE_API_TOKEN;
CLOUDFLARE_API_BASE_URL to use another Cloudflare API endpoint (default https://api.cloudflare.com/client/v4).`;

export const CLOUDFLARE_API_BASE_URL = "https://api.cloudflare.com/client/v4";
/** Names listed in one failure line at most. */
const MAX_LISTED = 10;
const HOURS_OF_METRICS = 24;

export interface CheckResult {
  readonly ok: boolean;
  readonly title: string;
  /** What was found (shown after the title). */
  readonly detail?: string;
  /** What to do about a failure. */
  readonly hint?: string;
}

export interface DoctorDependencies {
  readonly config: BridgeConfig;
  /** All outputs of a deployed stack; throws with a readable message when they cannot be read. */
  readonly readOutputs: (stack: string) => Record<string, unknown>;
  readonly identityStore: IdentitystoreClient;
  readonly cognito: CognitoIdentityProviderClient;
  readonly cloudwatch: CloudWatchClient;
  readonly cloudflare: { readonly baseUrl: string; readonly token: string | undefined };
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
}

const pass = (title: string, detail?: string): CheckResult => ({ ok: true, title, detail });
const fail = (title: string, detail: string, hint: string): CheckResult => ({
  ok: false,
  title,
  detail,
  hint,
});

function listed(values: readonly string[]): string {
  const shown = values.slice(0, MAX_LISTED).join(", ");
  return values.length > MAX_LISTED ? `${shown} and ${values.length - MAX_LISTED} more` : shown;
}

function message(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e?.name ?? "Error"}: ${(e?.message ?? String(error)).split("\n")[0]}`;
}

/** Runs every check; later checks that need an earlier one's outputs fail with a pointer to it. */
export async function runDoctor(deps: DoctorDependencies): Promise<CheckResult[]> {
  const { config } = deps;
  const env = config.environment;
  const results: CheckResult[] = [];
  const outputs: Record<string, Record<string, unknown> | undefined> = {};
  for (const role of ["identity-center", "cognito", "cloudflare-access"]) {
    const stack = `${env}-${role}`;
    try {
      outputs[role] = deps.readOutputs(stack);
      results.push(pass(`stack ${stack}: outputs readable`));
    } catch (error) {
      results.push(
        fail(
          `stack ${stack}: outputs readable`,
          (error as Error).message.split("\n")[0]!,
          `deploy it (npx cdktf deploy ${stack}) from this checkout, or run terraform -chdir=cdktf.out/stacks/${stack} init`,
        ),
      );
    }
  }
  const output = (role: string, name: string): string | undefined => {
    const value = outputs[role]?.[name];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const needs = (title: string, role: string, names: string[]): string[] | CheckResult => {
    const values = names.map((n) => output(role, n));
    if (values.every((v) => v !== undefined)) return values as string[];
    const missing = names.filter((_, i) => values[i] === undefined);
    return fail(
      title,
      `not checked: stack ${env}-${role} has no output ${missing.join(", ")}`,
      `fix the outputs of ${env}-${role} first (see above), then run the doctor again`,
    );
  };

  results.push(
    await checkTrigger(
      deps,
      needs("user pool: pre token generation trigger is the JIT Lambda (V2_0)", "cognito", [
        "user_pool_id",
        "pre_token_generation_function",
      ]),
    ),
  );
  results.push(
    ...(await checkLambdaHealth(
      deps,
      needs("JIT Lambda: recent errors, throttles and p99 duration", "cognito", [
        "pre_token_generation_function",
      ]),
    )),
  );
  const storeId = needs("Identity Store users", "identity-center", ["identity_store_id"]);
  const poolId = needs("Identity Store users", "cognito", ["user_pool_id"]);
  results.push(...(await checkUsers(deps, storeId, poolId)));
  results.push(
    ...(await checkCloudflare(
      deps,
      needs("Cloudflare Access application", "cloudflare-access", ["cognito_login_method_id"]),
      output("cognito", "authorization_url"),
    )),
  );
  return results;
}

async function checkTrigger(deps: DoctorDependencies, values: string[] | CheckResult): Promise<CheckResult> {
  const title = "user pool: pre token generation trigger is the JIT Lambda (V2_0)";
  if (!Array.isArray(values)) return values;
  const [userPoolId, functionName] = values as [string, string];
  try {
    const pool = (await deps.cognito.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }))).UserPool;
    const trigger = pool?.LambdaConfig?.PreTokenGenerationConfig;
    const arn = trigger?.LambdaArn ?? pool?.LambdaConfig?.PreTokenGeneration;
    const hint = `apply the cognito stack again (npx cdktf deploy ${deps.config.environment}-cognito); someone changed the trigger outside Terraform`;
    if (arn === undefined) return fail(title, `${userPoolId} has no pre token generation trigger`, hint);
    if (!arn.endsWith(`:function:${functionName}`)) {
      return fail(title, `${userPoolId} invokes ${arn}, not ${functionName}`, hint);
    }
    if (trigger?.LambdaVersion !== "V2_0") {
      return fail(
        title,
        `event version is ${trigger?.LambdaVersion ?? "V1_0 (legacy PreTokenGeneration)"}, not V2_0: access-token claims are lost`,
        hint,
      );
    }
    return pass(title, `${functionName}, V2_0`);
  } catch (error) {
    return fail(title, message(error), "needs cognito-idp:DescribeUserPool on the pool, in cognito.region");
  }
}

async function checkLambdaHealth(
  deps: DoctorDependencies,
  values: string[] | CheckResult,
): Promise<CheckResult[]> {
  if (!Array.isArray(values)) return [values];
  const [functionName] = values as [string];
  const end = (deps.now ?? (() => new Date()))();
  const start = new Date(end.getTime() - HOURS_OF_METRICS * 3_600_000);
  const metric = (id: string, name: string, stat: string): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: "AWS/Lambda",
        MetricName: name,
        Dimensions: [{ Name: "FunctionName", Value: functionName }],
      },
      Period: HOURS_OF_METRICS * 3600,
      Stat: stat,
    },
  });
  const window = `last ${HOURS_OF_METRICS} h`;
  try {
    const output = await deps.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: start,
        EndTime: end,
        MetricDataQueries: [
          metric("errors", "Errors", "Sum"),
          metric("throttles", "Throttles", "Sum"),
          metric("p99", "Duration", "p99"),
        ],
      }),
    );
    const value = (id: string) =>
      (output.MetricDataResults ?? [])
        .find((r) => r.Id === id)
        ?.Values?.reduce((a, b) => Math.max(a, b), 0) ?? 0;
    const errors = value("errors");
    const throttles = value("throttles");
    const p99 = value("p99");
    const limit = deps.config.cognito.monitoring.durationAlarmMs;
    const logs = `the function's log group /aws/lambda/${functionName}`;
    return [
      errors === 0
        ? pass(`JIT Lambda ${functionName}: no errors`, window)
        : fail(
            `JIT Lambda ${functionName}: no errors`,
            `${errors} errors (${window})`,
            `read ${logs}: sign-ins are failing`,
          ),
      throttles === 0
        ? pass(`JIT Lambda ${functionName}: no throttles`, window)
        : fail(
            `JIT Lambda ${functionName}: no throttles`,
            `${throttles} throttles (${window})`,
            "raise the account's Lambda concurrency or reserve concurrency for the function",
          ),
      p99 <= limit
        ? pass(
            `JIT Lambda ${functionName}: p99 duration within ${limit} ms`,
            `${Math.round(p99)} ms (${window})`,
          )
        : fail(
            `JIT Lambda ${functionName}: p99 duration within ${limit} ms`,
            `${Math.round(p99)} ms (${window}); Cognito gives up at 5000 ms`,
            "check Identity Store latency (IdentityStoreLatency metric) and memory (cognito.provisioning.memorySizeMb)",
          ),
    ];
  } catch (error) {
    return [
      fail(
        `JIT Lambda ${functionName}: metrics`,
        message(error),
        "needs cloudwatch:GetMetricData in cognito.region",
      ),
    ];
  }
}

async function listIdentityStoreUsers(client: IdentitystoreClient, identityStoreId: string): Promise<User[]> {
  const users: User[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListUsersCommand({ IdentityStoreId: identityStoreId, MaxResults: 100, NextToken: token }),
    );
    users.push(...(page.Users ?? []));
    token = page.NextToken;
  } while (token);
  return users;
}

async function checkUsers(
  deps: DoctorDependencies,
  storeValues: string[] | CheckResult,
  poolValues: string[] | CheckResult,
): Promise<CheckResult[]> {
  const names = "Identity Store: every UserName is the lowercased primary email";
  const duplicates = "Identity Store: no email under two UserNames";
  const orphans = "Identity Store: every bridge-owned user has a Cognito user";
  if (!Array.isArray(storeValues)) return [{ ...storeValues, title: names }];
  const [identityStoreId] = storeValues as [string];
  let users: User[];
  try {
    users = await listIdentityStoreUsers(deps.identityStore, identityStoreId);
  } catch (error) {
    return [
      fail(
        "Identity Store: users readable",
        message(error),
        "needs identitystore:ListUsers on the store, in identityCenter.region",
      ),
    ];
  }
  const results: CheckResult[] = [];
  const primaryEmail = (u: User) => (u.Emails?.find((e) => e.Primary) ?? u.Emails?.[0])?.Value;
  const mismatched = users.filter((u) => {
    const email = primaryEmail(u);
    return email === undefined || u.UserName !== email.toLowerCase();
  });
  results.push(
    mismatched.length === 0
      ? pass(names, `${users.length} users`)
      : fail(
          names,
          `${mismatched.length} differ: ${listed(mismatched.map((u) => `${u.UserName} (email ${primaryEmail(u) ?? "none"})`))}`,
          'IdC matches the SAML NameID (the lowercased email) to UserName: these people see "Looks like this code isn\'t right". Make UserName the lowercased email (IdC console or UpdateUser)',
        ),
  );
  const byEmail = new Map<string, string[]>();
  for (const u of users) {
    for (const e of u.Emails ?? []) {
      if (!e.Value) continue;
      const key = e.Value.toLowerCase();
      const list = byEmail.get(key) ?? [];
      if (u.UserName && !list.includes(u.UserName)) list.push(u.UserName);
      byEmail.set(key, list);
    }
  }
  const shared = [...byEmail.entries()].filter(([, userNames]) => userNames.length > 1);
  results.push(
    shared.length === 0
      ? pass(duplicates)
      : fail(
          duplicates,
          listed(shared.map(([email, userNames]) => `${email}: ${userNames.join(" / ")}`)),
          "one person, two IdC users (an email changed before rename support, or a hand-made user): delete or merge the one not named by the lowercased email",
        ),
  );

  if (!Array.isArray(poolValues)) {
    results.push({ ...poolValues, title: orphans });
    return results;
  }
  const [userPoolId] = poolValues as [string];
  try {
    const index = new CognitoIndex();
    let token: string | undefined;
    do {
      const page = await deps.cognito.send(
        new ListCognitoUsersCommand({ UserPoolId: userPoolId, Limit: 60, PaginationToken: token }),
      );
      for (const u of page.Users ?? []) {
        const attribute = (name: string) => u.Attributes?.find((a) => a.Name === name)?.Value || undefined;
        if (!u.Username) continue;
        index.add({
          username: u.Username,
          enabled: u.Enabled !== false,
          email: attribute("email")?.toLowerCase(),
          idcUserId: attribute(IDC_USER_ID_ATTRIBUTE),
          lastSignIn: attribute(LAST_SIGN_IN_ATTRIBUTE),
        });
      }
      token = page.PaginationToken;
    } while (token);
    const owned = users
      .filter((u) => u.UserId && u.UserName !== undefined)
      .map((u) => ({ userId: u.UserId!, userName: u.UserName!, userType: u.UserType }))
      .filter(isBridgeOwned);
    const gone = owned.filter((u) => index.peopleFor(u).length === 0);
    results.push(
      gone.length === 0
        ? pass(orphans, `${owned.length} bridge-owned users`)
        : fail(
            orphans,
            `${gone.length} without one: ${listed(gone.map((u) => u.userName))}`,
            "leavers whose Cognito user was deleted: the deprovisioning Lambda handles them per cognito.provisioning.deprovision (report mode only reports)",
          ),
    );
  } catch (error) {
    results.push(fail(orphans, message(error), "needs cognito-idp:ListUsers on the pool, in cognito.region"));
  }
  return results;
}

interface CloudflareEnvelope<T> {
  success?: boolean;
  errors?: Array<{ code?: number; message?: string }>;
  result?: T;
  result_info?: { page?: number; per_page?: number; total_count?: number; total_pages?: number };
}

interface AccessApp {
  id?: string;
  name?: string;
  type?: string;
  allowed_idps?: string[];
  auto_redirect_to_identity?: boolean;
  saas_app?: {
    auth_type?: string;
    sp_entity_id?: string;
    consumer_service_url?: string;
    name_id_transform_jsonata?: string;
  };
}

async function cloudflareGet<T>(deps: DoctorDependencies, path: string): Promise<CloudflareEnvelope<T>> {
  const doFetch = deps.fetch ?? fetch;
  const response = await doFetch(`${deps.cloudflare.baseUrl.replace(/\/$/, "")}${path}`, {
    headers: { Authorization: `Bearer ${deps.cloudflare.token}`, Accept: "application/json" },
  });
  const body = (await response.json().catch(() => ({}))) as CloudflareEnvelope<T>;
  if (!response.ok || body.success === false) {
    const errors = (body.errors ?? []).map((e) => `${e.code ?? ""} ${e.message ?? ""}`.trim()).join("; ");
    throw new Error(`Cloudflare API ${path}: HTTP ${response.status}${errors ? ` (${errors})` : ""}`);
  }
  return body;
}

async function checkCloudflare(
  deps: DoctorDependencies,
  values: string[] | CheckResult,
  cognitoAuthorizationUrl: string | undefined,
): Promise<CheckResult[]> {
  const cf = deps.config.cloudflare;
  const ic = deps.config.identityCenter;
  const appTitle = `Cloudflare Access app "${cf.appName}"`;
  if (deps.cloudflare.token === undefined || deps.cloudflare.token === "") {
    return [
      fail(
        appTitle,
        "not checked: CLOUDFLARE_API_TOKEN is not set",
        "export CLOUDFLARE_API_TOKEN (Access: Apps and Policies Read; Access: Organizations, Identity Providers, and Groups Read)",
      ),
    ];
  }
  if (!Array.isArray(values)) return [{ ...values, title: appTitle }];
  const [loginMethodId] = values as [string];
  const account = `/accounts/${cf.accountId}`;
  const apply = `apply the cloudflare-access stack again (npx cdktf deploy ${deps.config.environment}-cloudflare-access)`;
  try {
    const apps: AccessApp[] = [];
    for (let page = 1; page <= 100; page += 1) {
      const query = new URLSearchParams({
        name: cf.appName,
        exact: "true",
        page: String(page),
        per_page: "50",
      });
      const body = await cloudflareGet<AccessApp[]>(deps, `${account}/access/apps?${query}`);
      apps.push(...(body.result ?? []));
      const info = body.result_info;
      const totalPages = info?.total_pages ?? Math.ceil((info?.total_count ?? 0) / (info?.per_page ?? 50));
      if ((body.result ?? []).length === 0 || page >= totalPages) break;
    }
    const matching = apps.filter((a) => a.name === cf.appName);
    if (matching.length !== 1) {
      return [
        fail(
          appTitle,
          `${matching.length} Access applications have this name`,
          matching.length === 0
            ? apply
            : "delete the duplicates made by hand in Zero Trust → Access → Applications",
        ),
      ];
    }
    const app = matching[0]!;
    const results: CheckResult[] = [];
    const idps = app.allowed_idps ?? [];
    let idpProblem: string | undefined;
    if (idps.length !== 1 || idps[0] !== loginMethodId) {
      idpProblem = `allowed_idps is [${idps.join(", ")}], expected exactly [${loginMethodId}] (the Cognito login method)`;
    } else if (app.auto_redirect_to_identity !== true) {
      idpProblem = "auto_redirect_to_identity is off";
    } else {
      const idp = (
        await cloudflareGet<{ type?: string; config?: { auth_url?: string } }>(
          deps,
          `${account}/access/identity_providers/${loginMethodId}`,
        )
      ).result;
      if (idp?.type !== "oidc")
        idpProblem = `login method ${loginMethodId} is of type ${idp?.type}, not oidc`;
      else if (cognitoAuthorizationUrl !== undefined && idp.config?.auth_url !== cognitoAuthorizationUrl) {
        idpProblem = `login method ${loginMethodId} authorizes at ${idp.config?.auth_url}, not the user pool's ${cognitoAuthorizationUrl}`;
      }
    }
    results.push(
      idpProblem === undefined
        ? pass(`${appTitle}: allows exactly the Cognito login method`)
        : fail(
            `${appTitle}: allows exactly the Cognito login method`,
            idpProblem,
            `${apply}: any other login method (e.g. one-time PIN) could assert an email to AWS`,
          ),
    );
    const saml = app.saas_app ?? {};
    const problems: string[] = [];
    if (saml.sp_entity_id !== ic.issuerUrl)
      problems.push(`SP entity id is ${saml.sp_entity_id}, config has ${ic.issuerUrl}`);
    if (saml.consumer_service_url !== ic.acsUrl)
      problems.push(`ACS URL is ${saml.consumer_service_url}, config has ${ic.acsUrl}`);
    if (saml.name_id_transform_jsonata !== NAME_ID_TRANSFORM) {
      problems.push(`NameID transform is ${saml.name_id_transform_jsonata}, expected ${NAME_ID_TRANSFORM}`);
    }
    results.push(
      problems.length === 0
        ? pass(`${appTitle}: SAML settings match the IdC issuer and ACS URL`)
        : fail(
            `${appTitle}: SAML settings match the IdC issuer and ACS URL`,
            problems.join("; "),
            `compare identityCenter.issuerUrl/acsUrl with IdC → Settings → Identity source, then ${apply}`,
          ),
    );
    return results;
  } catch (error) {
    return [
      fail(
        appTitle,
        (error as Error).message,
        "check CLOUDFLARE_API_TOKEN's permissions and cloudflare.accountId",
      ),
    ];
  }
}

/** The ✔/✘ lines, with the hint under each ✘. */
export function formatResults(results: readonly CheckResult[]): string {
  return results
    .map((r) => {
      const line = `${r.ok ? "✔" : "✘"} ${r.title}${r.detail ? ` — ${r.detail}` : ""}`;
      return r.ok || !r.hint ? line : `${line}\n    hint: ${r.hint}`;
    })
    .join("\n");
}

function parseOptions(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        env: { type: "string" },
        outdir: { type: "string", default: "cdktf.out" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Runs the command; resolves to the exit code (0 all ✔, 1 any ✘ or a failure, 2 usage error). */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<DoctorDependencies> = {},
): Promise<number> {
  try {
    const values = parseOptions(argv);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (!values.env) throw new UsageError("--env is required");
    const config = overrides.config ?? loadConfig(resolveConfigPath(env));
    if (config.environment !== values.env) {
      throw new UsageError(
        `--env ${values.env} does not match "environment": "${config.environment}" of the config in BRIDGE_CONFIG (${resolveConfigPath(env)}); point BRIDGE_CONFIG at that environment's config`,
      );
    }
    const outdir = values.outdir;
    const results = await runDoctor({
      config,
      readOutputs: (stack) => readStackOutputs(stackDirectory(outdir, stack), stack, env),
      identityStore: new IdentitystoreClient({ region: config.identityCenter.region }),
      cognito: new CognitoIdentityProviderClient({ region: config.cognito.region }),
      cloudwatch: new CloudWatchClient({ region: config.cognito.region }),
      cloudflare: {
        baseUrl: env.CLOUDFLARE_API_BASE_URL || CLOUDFLARE_API_BASE_URL,
        token: env.CLOUDFLARE_API_TOKEN,
      },
      ...overrides,
    });
    console.log(formatResults(results));
    const failed = results.filter((r) => !r.ok).length;
    console.log(
      failed === 0
        ? `\nAll ${results.length} checks passed.`
        : `\n${failed} of ${results.length} checks failed.`,
    );
    return failed === 0 ? 0 : 1;
  } catch (e) {
    console.error(`doctor: ${(e as Error).message}`);
    if (e instanceof UsageError) {
      console.error(`\n${USAGE}`);
      return 2;
    }
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
