/**
 * Read-only checks of a live deployment, one ✔/✘ line each, a hint under every ✘, exit 1 on any ✘:
 *
 *   npm run doctor -- --env <environment> [--outdir cdktf.out]
 *
 * The config (BRIDGE_CONFIG, default config/example.json) gives the regions, the roles of each side, the IdC
 * issuer/ACS URLs and the Cloudflare account; the stacks' outputs (`terraform output -json` in
 * cdktf.out/stacks/<stack>) give the deployed ids. Each check is one module here, run in order by `runDoctor`.
 * AWS calls use the default credential chain, or the role of the side they read (identityCenter.assumeRoleArn,
 * cognito.assumeRoleArn); the Cloudflare API needs CLOUDFLARE_API_TOKEN. Nothing is changed anywhere.
 */
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { IdentitystoreClient } from "@aws-sdk/client-identitystore";
import type { BridgeConfig } from "../../config";
import { awsSide, sideClientConfig, sideOfStack, sideProcessEnv } from "../shared/aws-side";
import { commandConfig, runAsScript, runAsyncCommand } from "../shared/command";
import { deployedStackOutputs, OUTDIR_OPTION } from "../shared/stack-outputs";
import type { Check, CheckResult, DoctorDependencies } from "./check";
import { CLOUDFLARE_API_BASE_URL, cloudflareAccessCheck } from "./cloudflare-access";
import { cloudTrailCheck } from "./cloudtrail";
import { identityStoreUsersCheck } from "./identity-store-users";
import { lambdaHealthCheck } from "./lambda-health";
import { readDeployedOutputs, STACK_KINDS } from "./stack-outputs";
import { triggerCheck } from "./trigger";

export type { CheckResult, DoctorDependencies } from "./check";
export { CLOUDFLARE_API_BASE_URL } from "./cloudflare-access";

const USAGE = `Usage: npm run doctor -- --env <environment> [options]

Read-only checks of a deployed environment: stack outputs, the Cognito trigger, the JIT Lambda's
health, Identity Store users, the CloudTrail trail the leavers Lambda needs, and the Cloudflare Access
application. Exit 1 when any check fails.

Options:
  --env ENV        environment to check (must be "environment" of the config in BRIDGE_CONFIG,
                   default config/example.json)
  --outdir DIR     cdktf output directory (default: cdktf.out)
  -h, --help       show this help

Environment: AWS credentials (default chain); with identityCenter.assumeRoleArn or cognito.assumeRoleArn
in the config, that side is read as that role. CLOUDFLARE_API_TOKEN; CLOUDFLARE_API_BASE_URL to use
another Cloudflare API endpoint (default https://api.cloudflare.com/client/v4).`;

/** Every check after the stack outputs, in the order of their lines. */
export const CHECKS: readonly Check[] = [
  triggerCheck,
  lambdaHealthCheck,
  identityStoreUsersCheck,
  cloudTrailCheck,
  cloudflareAccessCheck,
];

/** Runs every check; checks that need an output that could not be read fail with a pointer to it. */
export async function runDoctor(deps: DoctorDependencies): Promise<CheckResult[]> {
  const { results, outputs } = readDeployedOutputs(deps);
  for (const check of CHECKS) results.push(...(await check(deps, outputs)));
  return results;
}

/** The AWS clients of the checks, each for the side it reads. */
export function doctorClients(
  config: BridgeConfig,
  env: NodeJS.ProcessEnv,
): Pick<DoctorDependencies, "identityStore" | "cognito" | "cloudwatch" | "cloudtrail"> {
  const idc = sideClientConfig(awsSide(config, "identityCenter"), "doctor", env);
  const cognito = sideClientConfig(awsSide(config, "cognito"), "doctor", env);
  return {
    identityStore: new IdentitystoreClient(idc),
    cognito: new CognitoIdentityProviderClient(cognito),
    cloudwatch: new CloudWatchClient(cognito),
    cloudtrail: new CloudTrailClient(cognito),
  };
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

/** Runs the command; resolves to the exit code (0 all ✔, 1 any ✘ or a failure, 2 usage error). */
export function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<DoctorDependencies> = {},
): Promise<number> {
  return runAsyncCommand(
    {
      name: "doctor",
      usage: USAGE,
      options: { env: { type: "string" }, ...OUTDIR_OPTION },
      required: ["env"],
    },
    argv,
    async ({ values }) => {
      const config = commandConfig(env, values.env, overrides.config).config;
      // `terraform output` of each stack reads the state as the side that owns the stack.
      const processEnv: Record<string, NodeJS.ProcessEnv> = {};
      if (overrides.readOutputs === undefined) {
        for (const kind of STACK_KINDS)
          processEnv[`${config.environment}-${kind}`] = await sideProcessEnv(
            sideOfStack(config, kind),
            "doctor",
            env,
          );
      }
      const results = await runDoctor({
        config,
        readOutputs: (stack) => deployedStackOutputs(values.outdir, stack, processEnv[stack] ?? env),
        ...doctorClients(config, env),
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
    },
  );
}

runAsScript(module, main);
