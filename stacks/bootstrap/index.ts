import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LocalBackend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { BootstrapAccount, BootstrapSettings } from "../../config/bootstrap";
import { addOutputs } from "../shared/outputs";
import { GITHUB_OIDC_HOST, GithubOidcProvider } from "./github-oidc-provider";
import { GithubActionsRole } from "./github-actions-role";
import { chunkStatements, ciRoleStatements } from "./ci-role-policy";
import { StateBucket } from "./state-bucket";

export { GithubActionsRole, GithubOidcProvider, StateBucket, GITHUB_OIDC_HOST };

export interface BootstrapStackProps {
  readonly settings: BootstrapSettings;
  /** The local state file, relative to the stack's working directory (kept outside the synth output). */
  readonly localStatePath: string;
}

/** Role names, fixed so the README, the workflows and CI's stack matrix can name them before the first apply. */
export function ciRoleNames(environment: string): { plan: string; apply: string } {
  return { plan: `${environment}-idc-oidc-bridge-plan`, apply: `${environment}-idc-oidc-bridge-apply` };
}

/** The CI roles of one account. */
export interface CiAccountRoles {
  readonly side: BootstrapAccount["side"];
  readonly accountId: string;
  readonly planRoleArn: string;
  readonly applyRoleArn: string;
}

/**
 * Applied once per environment by an administrator, with local state (it creates the bucket the other stacks
 * keep their state in): the state bucket (in bootstrap.stateAccount, Cognito's by default), and in each account
 * the config names GitHub's OIDC provider and two roles only the configured repository's workflows can assume: a read-only
 * plan role (pull requests, the default branch's plans and drift checks) and an apply role (jobs in the
 * GitHub environment named like the bridge environment). Their permissions are the action table's
 * (terraform-actions.ts); with two accounts, the other account's roles reach the state by the bucket policy.
 */
export class BootstrapStack extends TerraformStack {
  /** The roles of each account, the state bucket's account first. */
  public readonly accounts: readonly CiAccountRoles[];

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id);
    const s = props.settings;
    new LocalBackend(this, { path: props.localStatePath });
    const providerOf = (a: BootstrapAccount, alias?: string) =>
      new AwsProvider(this, alias === undefined ? "aws" : `aws-${alias}`, {
        region: s.region,
        defaultTags: [{ tags: { ...s.tags } }],
        ...(alias === undefined ? {} : { alias }),
        ...(a.accountId === undefined ? {} : { allowedAccountIds: [a.accountId] }),
        ...(a.assumeRoleArn === undefined
          ? {}
          : { assumeRole: [{ roleArn: a.assumeRoleArn, sessionName: `${s.environment}-bootstrap` }] }),
      });
    const [home, other] = s.accounts;
    providerOf(home);
    const partition = new DataAwsPartition(this, "partition").partition;
    const homeId = home.accountId ?? new DataAwsCallerIdentity(this, "account").accountId;
    const account = { id: homeId, partition, region: s.region };

    const bucketArn = `arn:${partition}:s3:::${s.bucket}`;
    const objects = `${s.keyPrefix}/${s.environment}/*`;
    const keyArn = stateKeyArn(s, account);
    const names = ciRoleNames(s.environment);

    // The other account's roles first: the bucket (and key) policy names them.
    let otherRoles: CiAccountRoles | undefined;
    if (other !== undefined && other.accountId !== undefined) {
      const provider = providerOf(other, other.side);
      otherRoles = this.ciRoles(
        s,
        { side: other.side, accountId: other.accountId, partition, provider },
        `${other.side}-`,
        {
          bucketArn,
          objects,
          // The key's ARN would make a cycle (its policy names these roles): the keys of the bucket's account
          // that carry the state key's alias.
          kms: keyArn === undefined ? [] : [keyArn.arn ?? `arn:${partition}:kms:${s.region}:${homeId}:key/*`],
          kmsAlias: keyArn?.arn === undefined ? keyArn?.alias : undefined,
        },
      );
    }
    const state = new StateBucket(this, "state", {
      bucket: s.bucket,
      encryption: s.encryption,
      account,
      ...(otherRoles === undefined
        ? {}
        : {
            crossAccount: { objects, readers: [otherRoles.planRoleArn], writers: [otherRoles.applyRoleArn] },
          }),
    });
    const homeRoles = this.ciRoles(s, { side: home.side, accountId: homeId, partition }, "", {
      bucketArn: state.arn,
      objects,
      kms: state.kmsKeyArn === undefined ? [] : [state.kmsKeyArn],
    });
    this.accounts = otherRoles === undefined ? [homeRoles] : [homeRoles, otherRoles];

    addOutputs(this, {
      state_bucket: {
        value: state.bucket.bucket,
        description: "S3 bucket of the environment's Terraform state.",
      },
      plan_role_arn: {
        value: homeRoles.planRoleArn,
        description: `Read-only plan role (${names.plan}) of the ${home.side} account.`,
      },
      apply_role_arn: {
        value: homeRoles.applyRoleArn,
        description: `Deploy role (${names.apply}) of the ${home.side} account.`,
      },
    });
    if (otherRoles !== undefined) {
      addOutputs(this, {
        [`${otherRoles.side.replace("-", "_")}_plan_role_arn`]: {
          value: otherRoles.planRoleArn,
          description: `Read-only plan role (${names.plan}) of the ${otherRoles.side} account.`,
        },
        [`${otherRoles.side.replace("-", "_")}_apply_role_arn`]: {
          value: otherRoles.applyRoleArn,
          description: `Deploy role (${names.apply}) of the ${otherRoles.side} account.`,
        },
      });
    }
    if (state.kmsKeyArn !== undefined) {
      addOutputs(this, {
        state_kms_key_arn: {
          value: state.kmsKeyArn,
          description: "KMS key of the state (backend.kmsKeyId).",
        },
      });
    }
  }

  /** GitHub's OIDC provider, the plan role and the apply role of one account. */
  private ciRoles(
    s: BootstrapSettings,
    a: { side: BootstrapAccount["side"]; accountId: string; partition: string; provider?: AwsProvider },
    prefix: string,
    state: { bucketArn: string; objects: string; kms: string[]; kmsAlias?: string },
  ): CiAccountRoles {
    const provider = new GithubOidcProvider(this, `${prefix}github-oidc`, {
      create: s.createOidcProvider,
      provider: a.provider,
    });
    const repo = `repo:${s.repository}`;
    const names = ciRoleNames(s.environment);
    const scope = { partition: a.partition, account: a.accountId, environment: s.environment };
    const environmentState = `${state.bucketArn}/${state.objects}`;
    const kms = (actions: string[]) =>
      state.kms.length === 0
        ? []
        : [
            {
              sid: "StateKey",
              actions,
              resources: state.kms,
              ...(state.kmsAlias === undefined
                ? {}
                : {
                    conditions: [
                      {
                        test: "ForAnyValue:StringEquals",
                        variable: "kms:ResourceAliases",
                        values: [state.kmsAlias],
                      },
                    ],
                  }),
            },
          ];
    const plan = new GithubActionsRole(this, `${prefix}plan-role`, {
      provider: a.provider,
      name: names.plan,
      description: `Read-only terraform plan of ${s.environment} from ${s.repository} (pull requests, default branch)`,
      oidcProviderArn: provider.arn,
      subjects: [`${repo}:pull_request`, `${repo}:ref:refs/heads/${s.defaultBranch}`],
      managedPolicyArns: [],
      statements: [
        { sid: "StateList", actions: ["s3:ListBucket"], resources: [state.bucketArn] },
        { sid: "StateRead", actions: ["s3:GetObject"], resources: [environmentState] },
        ...kms(["kms:Decrypt"]),
      ],
      policies: chunkStatements(ciRoleStatements("plan", scope)),
    });
    const apply = new GithubActionsRole(this, `${prefix}apply-role`, {
      provider: a.provider,
      name: names.apply,
      description: `terraform apply of ${s.environment} from ${s.repository} (GitHub environment ${s.environment})`,
      oidcProviderArn: provider.arn,
      subjects: [`${repo}:environment:${s.environment}`],
      managedPolicyArns: [...s.applyRoleManagedPolicies],
      statements: [
        { sid: "StateList", actions: ["s3:ListBucket"], resources: [state.bucketArn] },
        {
          // The state and its lock file (S3-native locking).
          sid: "StateReadWrite",
          actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
          resources: [environmentState],
        },
        ...kms(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]),
      ],
      policies: chunkStatements(ciRoleStatements("deploy", scope)),
    });
    return { side: a.side, accountId: a.accountId, planRoleArn: plan.arn, applyRoleArn: apply.arn };
  }
}

/** The state key: an existing key's ARN, or (created here under backend.kmsKeyId's alias) its alias. */
function stateKeyArn(
  s: BootstrapSettings,
  account: { id: string; partition: string; region: string },
): { arn?: string; alias?: string } | undefined {
  const e = s.encryption;
  if (e.type !== "SSE-KMS") return undefined;
  if (e.createAlias !== undefined) return { alias: e.createAlias };
  return {
    arn: e.kmsKeyId.startsWith("arn:")
      ? e.kmsKeyId
      : `arn:${account.partition}:kms:${account.region}:${account.id}:key/${e.kmsKeyId}`,
  };
}
