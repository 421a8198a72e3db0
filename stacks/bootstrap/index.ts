import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LocalBackend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { BootstrapSettings } from "../../config/bootstrap";
import { addOutputs } from "../shared/outputs";
import { GITHUB_OIDC_HOST, GithubOidcProvider } from "./github-oidc-provider";
import { GithubActionsRole } from "./github-actions-role";
import { StateBucket } from "./state-bucket";

export { GithubActionsRole, GithubOidcProvider, StateBucket, GITHUB_OIDC_HOST };

export interface BootstrapStackProps {
  readonly settings: BootstrapSettings;
  /** The local state file, relative to the stack's working directory (kept outside the synth output). */
  readonly localStatePath: string;
}

/** Role names, fixed so the README and GitHub variables can name them before the first apply. */
export function ciRoleNames(environment: string): { plan: string; apply: string } {
  return { plan: `${environment}-idc-oidc-bridge-plan`, apply: `${environment}-idc-oidc-bridge-apply` };
}

/**
 * Applied once per environment by an administrator, with local state (it creates the bucket the other stacks
 * keep their state in): the state bucket, GitHub's OIDC provider, and two roles only the configured
 * repository's workflows can assume: a read-only plan role (pull requests and drift checks on the default
 * branch) and an apply role (jobs in the GitHub environment named like the bridge environment).
 */
export class BootstrapStack extends TerraformStack {
  public readonly planRoleArn: string;
  public readonly applyRoleArn: string;

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id);
    const s = props.settings;
    new LocalBackend(this, { path: props.localStatePath });
    new AwsProvider(this, "aws", { region: s.region, defaultTags: [{ tags: { ...s.tags } }] });
    const account = {
      id: new DataAwsCallerIdentity(this, "account").accountId,
      partition: new DataAwsPartition(this, "partition").partition,
      region: s.region,
    };

    const state = new StateBucket(this, "state", { bucket: s.bucket, encryption: s.encryption, account });
    const provider = new GithubOidcProvider(this, "github-oidc", { create: s.createOidcProvider });

    const repo = `repo:${s.repository}`;
    const environmentState = `${state.arn}/${s.keyPrefix}/${s.environment}/*`;
    const kms = (actions: string[]) =>
      state.kmsKeyArn === undefined ? [] : [{ sid: "StateKey", actions, resources: [state.kmsKeyArn] }];
    const names = ciRoleNames(s.environment);

    const plan = new GithubActionsRole(this, "plan-role", {
      name: names.plan,
      description: `Read-only terraform plan of ${s.environment} from ${s.repository} (pull requests, drift checks)`,
      oidcProviderArn: provider.arn,
      subjects: [`${repo}:pull_request`, `${repo}:ref:refs/heads/${s.defaultBranch}`],
      // Refreshing every resource needs read access to all of them.
      managedPolicyArns: [`arn:${account.partition}:iam::aws:policy/ReadOnlyAccess`],
      statements: [
        { sid: "StateList", actions: ["s3:ListBucket"], resources: [state.arn] },
        { sid: "StateRead", actions: ["s3:GetObject"], resources: [environmentState] },
        ...kms(["kms:Decrypt"]),
        {
          // The cloudflare-access stack reads the Cognito client secret at plan time; ReadOnlyAccess may not.
          sid: "CognitoClientSecret",
          actions: ["secretsmanager:GetSecretValue"],
          resources: [
            `arn:${account.partition}:secretsmanager:${s.cognitoRegion}:${account.id}:secret:${s.environment}-idc-oidc-bridge/cloudflare-access-client-??????`,
          ],
        },
      ],
    });
    const apply = new GithubActionsRole(this, "apply-role", {
      name: names.apply,
      description: `terraform apply of ${s.environment} from ${s.repository} (GitHub environment ${s.environment})`,
      oidcProviderArn: provider.arn,
      subjects: [`${repo}:environment:${s.environment}`],
      managedPolicyArns: [...s.applyRoleManagedPolicies],
      statements: [
        { sid: "StateList", actions: ["s3:ListBucket"], resources: [state.arn] },
        {
          // The state and its lock file (S3-native locking).
          sid: "StateReadWrite",
          actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
          resources: [environmentState],
        },
        ...kms(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]),
      ],
    });
    this.planRoleArn = plan.arn;
    this.applyRoleArn = apply.arn;

    addOutputs(this, {
      state_bucket: {
        value: state.bucket.bucket,
        description: "S3 bucket of the environment's Terraform state.",
      },
      github_oidc_provider_arn: {
        value: provider.arn,
        description: `IAM OIDC provider of ${GITHUB_OIDC_HOST}.`,
      },
      plan_role_arn: { value: plan.arn, description: "GitHub repository variable AWS_PLAN_ROLE_ARN." },
      apply_role_arn: {
        value: apply.arn,
        description: `Variable AWS_APPLY_ROLE_ARN of the GitHub environment ${s.environment}.`,
      },
    });
    if (state.kmsKeyArn !== undefined) {
      addOutputs(this, {
        state_kms_key_arn: {
          value: state.kmsKeyArn,
          description: "KMS key of the state (backend.kmsKeyId).",
        },
      });
    }
  }
}
