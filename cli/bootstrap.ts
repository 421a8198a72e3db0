/**
 * The one-time bootstrap of an environment, by an administrator with AWS credentials:
 *
 *   npm run bootstrap -- --env prod [--plan | --synth-only] [--config FILE] [--outdir cdktf.out.bootstrap]
 *
 * Synthesizes only the `<env>-bootstrap` stack (state bucket; GitHub OIDC provider, plan and apply roles in each
 * account the config names) from
 * the config's `bootstrap` block into its own output directory, then runs `terraform init` and `terraform apply`
 * there (Terraform shows the plan and asks before changing anything). Its state is local:
 * terraform-state/<env>-bootstrap.tfstate. Afterwards CI (the workflows in .github/workflows) does the rest.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import { ConfigError, displayPath, loadConfig } from "../config";
import { bootstrapSettings, type BootstrapSettings } from "../config/bootstrap";
import { BootstrapStack, ciRoleNames } from "../stacks/bootstrap";
import { applyPolicyChecks } from "../stacks/policy-checks";
import { expectEnvironment, runAsScript, runCommand, UsageError } from "./shared/command";
import { readStackOutputs } from "./shared/stack-outputs";

const PROJECT_ROOT = path.join(__dirname, "..");

const USAGE = `Usage: npm run bootstrap -- --env ENV [options]

Creates, once per environment, what CI needs before it can run: the S3 state bucket of backend (in the
Cognito account), and in each account the config names the GitHub OIDC provider and the plan and apply roles
trusted only by bootstrap.github.repository. Run it with administrator credentials that reach each account
(directly, or through identityCenter.assumeRoleArn and cognito.assumeRoleArn).

Options:
  --env ENV        environment to bootstrap (required)
  --config FILE    its config (default: BRIDGE_CONFIG, else config/ENV.json)
  --plan           synthesize and show the plan only
  --synth-only     synthesize only (into --outdir), no Terraform
  --outdir DIR     output directory (default: cdktf.out.bootstrap)
  -h, --help       show this help`;

/** Synthesizes the bootstrap stack alone into `outdir`; returns its name and working directory. */
export function synthBootstrap(
  settings: BootstrapSettings,
  outdir: string,
  projectRoot: string = PROJECT_ROOT,
): { stack: string; stackDir: string } {
  const app = new App({ outdir, skipValidation: true });
  const stack = `${settings.environment}-bootstrap`;
  const stackDir = path.join(app.outdir, "stacks", stack);
  const statePath = path.join(projectRoot, "terraform-state", `${stack}.tfstate`);
  new BootstrapStack(app, stack, {
    settings,
    localStatePath: path.relative(stackDir, statePath).split(path.sep).join("/"),
  });
  applyPolicyChecks(app);
  app.synth();
  return { stack, stackDir };
}

function terraform(stackDir: string, args: string[], env: NodeJS.ProcessEnv): void {
  const result = spawnSync("terraform", [`-chdir=${stackDir}`, ...args], {
    stdio: "inherit",
    env: { ...env, CHECKPOINT_DISABLE: "1" },
  });
  if (result.error !== undefined) throw new Error(`could not run terraform: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`terraform ${args[0]} failed (exit ${result.status})`);
}

function nextSteps(settings: BootstrapSettings, outputs: Record<string, unknown>): string {
  const env = settings.environment;
  const names = ciRoleNames(env);
  const repo = settings.repository;
  // A config that names its accounts lets CI derive every role ARN (scripts/ci/stack-matrix.ts); one that
  // names none needs the two ARNs as variables.
  const named = settings.accounts.every((a) => a.accountId !== undefined);
  const roles = named
    ? [
        `  # CI finds the roles by account from the synthesized stacks (${names.plan}, ${names.apply} in ${settings.accounts
          .map((a) => `${a.accountId} (${a.side})`)
          .join(" and ")}): no role variables.`,
      ]
    : [
        `  gh variable set AWS_PLAN_ROLE_ARN --body ${String(outputs.plan_role_arn ?? `<ARN of role ${names.plan}>`)}`,
        `  gh variable set AWS_APPLY_ROLE_ARN --env ${env} --body ${String(outputs.apply_role_arn ?? `<ARN of role ${names.apply}>`)}`,
      ];
  return [
    `Bootstrap of ${env} done. Now let CI do the rest: in GitHub (${repo} → Settings → Secrets and variables →`,
    "Actions, and → Environments), or with the gh CLI:",
    "",
    `  gh variable set BRIDGE_ENVIRONMENT --body ${env}`,
    `  gh api -X PUT repos/${repo}/environments/${env}      (then add required reviewers to it: the one approval)`,
    ...roles,
    "  gh secret set CLOUDFLARE_API_TOKEN_READ            read-only token for plans and drift checks (README: CI)",
    `  gh secret set CLOUDFLARE_API_TOKEN --env ${env}    edit token for the apply`,
    "  gh secret set PLAN_ARTIFACT_PASSPHRASE             encrypts the reviewed plans the deploy applies",
    "  gh secret set UPSTREAM_CLIENT_SECRETS              only with upstream OIDC providers (README: CI)",
    "",
    `Keep terraform-state/${env}-bootstrap.tfstate (the bootstrap's own state) somewhere safe.`,
  ].join("\n");
}

/** Runs the command; returns the process exit code (0 ok, 1 failure, 2 usage error). */
export function main(argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  return runCommand(
    {
      name: "bootstrap",
      usage: USAGE,
      options: {
        env: { type: "string" },
        config: { type: "string" },
        plan: { type: "boolean", default: false },
        "synth-only": { type: "boolean", default: false },
        outdir: { type: "string", default: "cdktf.out.bootstrap" },
      },
      required: ["env"],
    },
    argv,
    ({ values }) => {
      const environment = values.env;
      if (values.plan && values["synth-only"])
        throw new UsageError("--plan and --synth-only exclude each other");
      const file = path.resolve(
        values.config ?? (env.BRIDGE_CONFIG || path.join("config", `${environment}.json`)),
      );
      const config = loadConfig(file);
      expectEnvironment(config, environment, file);
      const settings = bootstrapSettings(config);
      if (Array.isArray(settings)) throw new ConfigError(displayPath(file), settings);

      const { stack, stackDir } = synthBootstrap(settings, path.resolve(values.outdir));
      console.log(`Synthesized ${stack} into ${path.relative(process.cwd(), stackDir)}`);
      if (values["synth-only"]) return 0;
      fs.mkdirSync(path.join(PROJECT_ROOT, "terraform-state"), { recursive: true });
      terraform(stackDir, ["init", "-input=false"], env);
      if (values.plan) {
        terraform(stackDir, ["plan"], env);
        return 0;
      }
      terraform(stackDir, ["apply"], env);
      console.log(`\n${nextSteps(settings, readStackOutputs(stackDir, stack, env))}`);
      return 0;
    },
  );
}

runAsScript(module, main);
