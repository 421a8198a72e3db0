/**
 * Applies the two settings of the trusted-identity-propagation application that aws provider 6.25 has no
 * resource for, after `cdktf deploy <env>-identity-propagation`:
 *
 *   npm run identity-propagation:configure -- [--env ENV] [--outdir cdktf.out] [--outputs FILE] [--dry-run]
 *
 * The desired grant and authentication method are outputs of the stack (`application_grant`,
 * `application_authentication_method`); the command reads what IdC has (Get…), compares, and puts only what
 * differs, so running it again changes nothing.
 */
import {
  GetApplicationAuthenticationMethodCommand,
  GetApplicationGrantCommand,
  PutApplicationAuthenticationMethodCommand,
  PutApplicationGrantCommand,
  SSOAdminClient,
  type AuthenticationMethod,
  type Grant,
} from "@aws-sdk/client-sso-admin";
import {
  IAM_AUTHENTICATION_METHOD_TYPE,
  JWT_BEARER_GRANT_TYPE,
  type ApplicationGrant,
  type IamAuthenticationMethod,
} from "../stacks/identity-propagation/grant";
import type { BridgeConfig } from "../config";
import { awsSide, sideClientConfig, sideProcessEnv } from "./shared/aws-side";
import { commandConfig, runAsScript, runAsyncCommand } from "./shared/command";
import { deployedStackOutputs, OUTDIR_OPTION, readStackOutputsFile } from "./shared/stack-outputs";

const USAGE = `Usage: npm run identity-propagation:configure -- [options]

Applies the JWT-bearer grant and the IAM authentication method of the trusted identity propagation
application (outputs of the <env>-identity-propagation stack) with the AWS SDK. Idempotent: reads the
current settings and writes only what differs. Needs sso:GetApplicationGrant, sso:PutApplicationGrant,
sso:GetApplicationAuthenticationMethod and sso:PutApplicationAuthenticationMethod in the IdC account:
as identityCenter.assumeRoleArn when the config sets it, else the default credential chain.

Options:
  --env ENV        environment name: must be "environment" of the config in BRIDGE_CONFIG (default
                   config/example.json), which it defaults to; the stack is <env>-identity-propagation
  --outdir DIR     cdktf output directory (default: cdktf.out)
  --outputs FILE   the stack's outputs saved with \`terraform output -json\` instead of reading the state
  --dry-run        only report what would change
  -h, --help       show this help`;

const APPLICATION_ARN =
  /^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso::\d{12}:application\/(sso)?ins-[a-zA-Z0-9-.]{16}\/apl-[a-zA-Z0-9]{16}$/;
const TRUSTED_TOKEN_ISSUER_ARN =
  /^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso::\d{12}:trustedTokenIssuer\/(sso)?ins-[a-zA-Z0-9-.]{16}\/tti-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/;

export interface PropagationOutputs {
  readonly region: string;
  readonly applicationArn: string;
  readonly grant: ApplicationGrant;
  readonly authenticationMethod: IamAuthenticationMethod;
}

/** The outputs this command needs, checked, with errors naming the output and what it should be. */
export function propagationOutputs(outputs: Record<string, unknown>, stack: string): PropagationOutputs {
  const fail = (name: string, expected: string): never => {
    throw new Error(
      `output ${name} of stack ${stack}: expected ${expected}; got ${JSON.stringify(outputs[name])}`,
    );
  };
  const region = outputs.region;
  if (typeof region !== "string" || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) fail("region", "an AWS region");
  const applicationArn = outputs.application_arn;
  if (typeof applicationArn !== "string" || !APPLICATION_ARN.test(applicationArn)) {
    fail("application_arn", "an IAM Identity Center application ARN");
  }
  const grant = outputs.application_grant as ApplicationGrant | undefined;
  const issuers = grant?.JwtBearer?.AuthorizedTokenIssuers;
  if (
    !Array.isArray(issuers) ||
    issuers.length === 0 ||
    issuers.some(
      (i) =>
        typeof i?.TrustedTokenIssuerArn !== "string" ||
        !TRUSTED_TOKEN_ISSUER_ARN.test(i.TrustedTokenIssuerArn) ||
        !Array.isArray(i.AuthorizedAudiences) ||
        i.AuthorizedAudiences.length === 0,
    )
  ) {
    fail("application_grant", "a JwtBearer grant with a trusted token issuer ARN and at least one audience");
  }
  const method = outputs.application_authentication_method as IamAuthenticationMethod | undefined;
  const policy = method?.Iam?.ActorPolicy as { Statement?: unknown } | undefined;
  if (!policy || !Array.isArray(policy.Statement) || policy.Statement.length === 0) {
    fail("application_authentication_method", "an Iam authentication method with an actor policy");
  }
  return {
    region: region as string,
    applicationArn: applicationArn as string,
    grant: grant as ApplicationGrant,
    authenticationMethod: method as IamAuthenticationMethod,
  };
}

/** IAM policy elements that take one value or a list of them. */
const POLICY_LISTS = new Set([
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "AWS",
  "Service",
  "Federated",
]);

/**
 * A comparable form of a grant or policy: keys sorted; lists of strings as sorted sets; in IAM policy
 * elements a single value and a one-item list alike, and an account id and its `:root` ARN alike (IAM
 * treats each pair as the same principal, and IdC may return either).
 */
export function canonical(value: unknown, key?: string): unknown {
  if (key !== undefined && POLICY_LISTS.has(key) && !Array.isArray(value)) return canonical([value], key);
  if (Array.isArray(value)) {
    const items = value.map((v) =>
      key === "AWS" && typeof v === "string"
        ? (/^arn:[\w-]+:iam::(\d{12}):root$/.exec(v)?.[1] ?? v)
        : canonical(v),
    );
    return items.every((i) => typeof i === "string") ? [...new Set(items as string[])].sort() : items;
  }
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(obj)
        .sort()
        .map((k) => [k, canonical(obj[k], k)]),
    );
  }
  return value;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function isNotFound(e: unknown): boolean {
  return (e as { name?: string }).name === "ResourceNotFoundException";
}

type Change = "unchanged" | "created" | "updated";

/** Reads a setting, compares it with the desired one, and (unless a dry run) puts it when it differs. */
async function configure(
  desired: unknown,
  get: () => Promise<unknown>,
  put: () => Promise<unknown>,
  dryRun: boolean,
): Promise<Change> {
  let current: unknown;
  try {
    current = await get();
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  if (current !== undefined && same(current, desired)) return "unchanged";
  if (!dryRun) await put();
  return current === undefined ? "created" : "updated";
}

function configureGrant(client: SSOAdminClient, o: PropagationOutputs, dryRun: boolean): Promise<Change> {
  const application = { ApplicationArn: o.applicationArn, GrantType: JWT_BEARER_GRANT_TYPE } as const;
  return configure(
    o.grant,
    async () => (await client.send(new GetApplicationGrantCommand(application))).Grant,
    () => client.send(new PutApplicationGrantCommand({ ...application, Grant: o.grant as unknown as Grant })),
    dryRun,
  );
}

function configureAuthenticationMethod(
  client: SSOAdminClient,
  o: PropagationOutputs,
  dryRun: boolean,
): Promise<Change> {
  const application = {
    ApplicationArn: o.applicationArn,
    AuthenticationMethodType: IAM_AUTHENTICATION_METHOD_TYPE,
  } as const;
  return configure(
    o.authenticationMethod,
    async () =>
      (await client.send(new GetApplicationAuthenticationMethodCommand(application))).AuthenticationMethod,
    () =>
      client.send(
        new PutApplicationAuthenticationMethodCommand({
          ...application,
          AuthenticationMethod: o.authenticationMethod as unknown as AuthenticationMethod,
        }),
      ),
    dryRun,
  );
}

/** The IAM Identity Center client: the application's region, as the IdC side's configured role. */
export function ssoAdminClient(config: BridgeConfig, region: string, env: NodeJS.ProcessEnv): SSOAdminClient {
  const side = awsSide(config, "identityCenter");
  return new SSOAdminClient({ ...sideClientConfig(side, "identity-propagation-configure", env), region });
}

/** Runs the command; resolves to the process exit code (0 ok, 1 failure, 2 usage error). */
export function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runAsyncCommand(
    {
      name: "identity-propagation:configure",
      usage: USAGE,
      options: {
        env: { type: "string" },
        ...OUTDIR_OPTION,
        outputs: { type: "string" },
        "dry-run": { type: "boolean", default: false },
      },
      errorDetail: (e) => {
        const service = e as Error & { $metadata?: unknown };
        return service.$metadata !== undefined ? ` (IAM Identity Center: ${service.name})` : "";
      },
    },
    argv,
    async ({ values }) => {
      const { config } = commandConfig(env, values.env);
      const stack = `${config.environment}-identity-propagation`;
      const side = awsSide(config, "identityCenter");
      const outputs = propagationOutputs(
        values.outputs !== undefined
          ? readStackOutputsFile(values.outputs)
          : deployedStackOutputs(
              values.outdir,
              stack,
              await sideProcessEnv(side, "identity-propagation-configure", env),
            ),
        stack,
      );
      const dryRun = values["dry-run"];
      const client = ssoAdminClient(config, outputs.region, env);
      const verb = (c: Change) =>
        c === "unchanged" ? "already as configured" : dryRun ? `would be ${c}` : c;
      const grant = await configureGrant(client, outputs, dryRun);
      console.log(`${JWT_BEARER_GRANT_TYPE} grant of ${outputs.applicationArn}: ${verb(grant)}`);
      const method = await configureAuthenticationMethod(client, outputs, dryRun);
      console.log(`IAM authentication method of ${outputs.applicationArn}: ${verb(method)}`);
      return 0;
    },
  );
}

runAsScript(module, main);
