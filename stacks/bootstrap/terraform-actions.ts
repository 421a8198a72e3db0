/**
 * The ONE table of what CI may do: for each Terraform resource and data source type the bridge's stacks use,
 * the IAM actions `terraform plan` needs to refresh or read it (`read`) and those `terraform apply` needs to
 * create, update, tag and delete it (`write`). The bootstrap builds the CI roles' policies from it, and the
 * CI-role simulator test (`__tests__/ci-roles.test.ts`) fails for a type in a synthesized stack without a row.
 *
 * Sources: the aws provider's CRUD functions (hashicorp/terraform-provider-aws, `internal/service/<service>/
 * <file>.go`, the API calls each Create/Read/Update/Delete makes) and the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/, the IAM action of each API call).
 *
 * Over 300 lines on purpose: one row per Terraform type, kept in one place so that CI's roles, their test and
 * the review of a new resource all read the same table.
 */

export interface TerraformTypeActions {
  /** Actions `terraform plan` makes: a resource's refresh (Read), a data source's read. */
  readonly read: readonly string[];
  /** Further actions `terraform apply` makes: create, update, tag, untag, delete (the deploy role has `read` too). */
  readonly write: readonly string[];
  /** Where the calls are made: a provider source file, or why there are none. */
  readonly source: string;
  /** Cloudflare API token permission groups (read for plans, edit for deploys); Cloudflare types only. */
  readonly cloudflare?: string;
}

const aws = (file: string) => `hashicorp/terraform-provider-aws internal/service/${file}`;

/**
 * What IAM Identity Center does in IAM on the caller's behalf when it provisions a permission set to an account
 * (the management account's own assignments): the SAML provider and the AWSReservedSSO_* roles (IAM Identity
 * Center User Guide, "Permissions required to use the IAM Identity Center console"; the AWS managed policy
 * AWSSSOMasterAccountAdministrator).
 */
const IDC_PROVISIONING_IAM = [
  "iam:GetSAMLProvider",
  "iam:CreateSAMLProvider",
  "iam:UpdateSAMLProvider",
  "iam:DeleteSAMLProvider",
  "iam:CreateRole",
  "iam:DeleteRole",
  "iam:GetRole",
  "iam:PutRolePolicy",
  "iam:DeleteRolePolicy",
  "iam:AttachRolePolicy",
  "iam:DetachRolePolicy",
  "iam:ListRolePolicies",
  "iam:ListAttachedRolePolicies",
];

export const TERRAFORM_ACTIONS: Readonly<Record<string, TerraformTypeActions>> = {
  // ---- data sources ----
  "data.archive_file": {
    read: [],
    write: [],
    source: "hashicorp/terraform-provider-archive: local files only",
  },
  "data.aws_caller_identity": {
    // STS GetCallerIdentity needs no permission (STS API reference, GetCallerIdentity).
    read: [],
    write: [],
    source: aws("sts/caller_identity_data_source.go"),
  },
  "data.aws_partition": { read: [], write: [], source: aws("meta/partition_data_source.go (no API call)") },
  "data.aws_region": { read: [], write: [], source: aws("meta/region_data_source.go (provider region)") },
  "data.aws_iam_policy_document": {
    read: [],
    write: [],
    source: aws("iam/policy_document_data_source.go (renders JSON locally)"),
  },
  "data.terraform_remote_state": {
    // The state bucket grants (StateRead/StateReadWrite) cover s3:GetObject and kms:Decrypt.
    read: [],
    write: [],
    source: "hashicorp/terraform internal/backend/remote-state/s3 (the state bucket statements)",
  },
  "data.aws_secretsmanager_secret_version": {
    read: ["secretsmanager:GetSecretValue"],
    write: [],
    source: aws("secretsmanager/secret_version_data_source.go"),
  },
  "data.aws_ssoadmin_instances": {
    read: ["sso:ListInstances"],
    write: [],
    source: aws("ssoadmin/instances_data_source.go"),
  },

  // ---- CloudWatch, EventBridge, Logs, SNS, Scheduler ----
  "resource.aws_cloudwatch_dashboard": {
    read: ["cloudwatch:GetDashboard"],
    write: ["cloudwatch:PutDashboard", "cloudwatch:DeleteDashboards"],
    source: aws("cloudwatch/dashboard.go"),
  },
  "resource.aws_cloudwatch_metric_alarm": {
    read: ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"],
    write: [
      "cloudwatch:PutMetricAlarm",
      "cloudwatch:DeleteAlarms",
      "cloudwatch:TagResource",
      "cloudwatch:UntagResource",
    ],
    source: aws("cloudwatch/metric_alarm.go"),
  },
  "resource.aws_cloudwatch_event_rule": {
    read: ["events:DescribeRule", "events:ListTagsForResource"],
    write: [
      "events:PutRule",
      "events:DeleteRule",
      "events:EnableRule",
      "events:DisableRule",
      "events:TagResource",
      "events:UntagResource",
    ],
    source: aws("events/rule.go"),
  },
  "resource.aws_cloudwatch_event_target": {
    read: ["events:ListTargetsByRule"],
    write: ["events:PutTargets", "events:RemoveTargets"],
    source: aws("events/target.go"),
  },
  "resource.aws_cloudwatch_log_group": {
    read: ["logs:DescribeLogGroups", "logs:ListTagsForResource"],
    write: [
      "logs:CreateLogGroup",
      "logs:DeleteLogGroup",
      "logs:PutRetentionPolicy",
      "logs:DeleteRetentionPolicy",
      "logs:TagResource",
      "logs:UntagResource",
    ],
    source: aws("logs/group.go"),
  },
  "resource.aws_sns_topic": {
    read: ["sns:GetTopicAttributes", "sns:ListTagsForResource"],
    write: [
      "sns:CreateTopic",
      "sns:DeleteTopic",
      "sns:SetTopicAttributes",
      "sns:TagResource",
      "sns:UntagResource",
    ],
    source: aws("sns/topic.go"),
  },
  "resource.aws_sns_topic_subscription": {
    // A pending e-mail subscription has no ARN yet: it is found by listing the topic's subscriptions.
    read: ["sns:GetSubscriptionAttributes", "sns:ListSubscriptionsByTopic"],
    write: ["sns:Subscribe", "sns:Unsubscribe", "sns:SetSubscriptionAttributes"],
    source: aws("sns/topic_subscription.go"),
  },
  "resource.aws_scheduler_schedule": {
    read: ["scheduler:GetSchedule"],
    // CreateSchedule passes the schedule's role to EventBridge Scheduler.
    write: [
      "scheduler:CreateSchedule",
      "scheduler:UpdateSchedule",
      "scheduler:DeleteSchedule",
      "iam:PassRole",
    ],
    source: aws("scheduler/schedule.go"),
  },

  // ---- Cognito ----
  "resource.aws_cognito_user_pool": {
    read: [
      "cognito-idp:DescribeUserPool",
      "cognito-idp:GetUserPoolMfaConfig",
      "cognito-idp:ListTagsForResource",
    ],
    write: [
      "cognito-idp:CreateUserPool",
      "cognito-idp:UpdateUserPool",
      "cognito-idp:DeleteUserPool",
      "cognito-idp:SetUserPoolMfaConfig",
      "cognito-idp:AddCustomAttributes",
      "cognito-idp:TagResource",
      "cognito-idp:UntagResource",
    ],
    source: aws("cognitoidp/user_pool.go"),
  },
  "resource.aws_cognito_user_pool_client": {
    read: ["cognito-idp:DescribeUserPoolClient"],
    write: [
      "cognito-idp:CreateUserPoolClient",
      "cognito-idp:UpdateUserPoolClient",
      "cognito-idp:DeleteUserPoolClient",
    ],
    source: aws("cognitoidp/user_pool_client.go"),
  },
  "resource.aws_cognito_user_pool_domain": {
    // DescribeUserPoolDomain takes a domain, not a pool ARN (SAR: no resource type).
    read: ["cognito-idp:DescribeUserPoolDomain"],
    write: [
      "cognito-idp:CreateUserPoolDomain",
      "cognito-idp:UpdateUserPoolDomain",
      "cognito-idp:DeleteUserPoolDomain",
    ],
    source: aws("cognitoidp/user_pool_domain.go"),
  },
  "resource.aws_cognito_user_group": {
    read: ["cognito-idp:GetGroup"],
    write: ["cognito-idp:CreateGroup", "cognito-idp:UpdateGroup", "cognito-idp:DeleteGroup"],
    source: aws("cognitoidp/user_group.go"),
  },
  "resource.aws_cognito_identity_provider": {
    read: ["cognito-idp:DescribeIdentityProvider"],
    write: [
      "cognito-idp:CreateIdentityProvider",
      "cognito-idp:UpdateIdentityProvider",
      "cognito-idp:DeleteIdentityProvider",
    ],
    source: aws("cognitoidp/identity_provider.go"),
  },

  // ---- IAM ----
  "resource.aws_iam_role": {
    // The refresh fills inline_policy and managed_policy_arns: it lists and reads the role's policies.
    read: ["iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies"],
    write: [
      "iam:CreateRole",
      "iam:DeleteRole",
      "iam:UpdateRole",
      "iam:UpdateRoleDescription",
      "iam:UpdateAssumeRolePolicy",
      "iam:TagRole",
      "iam:UntagRole",
      "iam:ListInstanceProfilesForRole",
    ],
    source: aws("iam/role.go"),
  },
  "resource.aws_iam_role_policy": {
    read: ["iam:GetRolePolicy"],
    write: ["iam:PutRolePolicy", "iam:DeleteRolePolicy"],
    source: aws("iam/role_policy.go"),
  },
  "resource.aws_iam_role_policy_attachment": {
    read: ["iam:ListAttachedRolePolicies"],
    write: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
    source: aws("iam/role_policy_attachment.go"),
  },
  "resource.aws_iam_openid_connect_provider": {
    read: ["iam:GetOpenIDConnectProvider"],
    write: [
      "iam:CreateOpenIDConnectProvider",
      "iam:DeleteOpenIDConnectProvider",
      "iam:UpdateOpenIDConnectProviderThumbprint",
      "iam:AddClientIDToOpenIDConnectProvider",
      "iam:RemoveClientIDFromOpenIDConnectProvider",
      "iam:TagOpenIDConnectProvider",
      "iam:UntagOpenIDConnectProvider",
    ],
    source: aws("iam/openid_connect_provider.go"),
  },

  // ---- Lambda ----
  "resource.aws_lambda_function": {
    read: [
      "lambda:GetFunction",
      "lambda:GetFunctionCodeSigningConfig",
      "lambda:ListVersionsByFunction",
      "lambda:GetFunctionConcurrency",
    ],
    write: [
      "lambda:CreateFunction",
      "lambda:UpdateFunctionCode",
      "lambda:UpdateFunctionConfiguration",
      "lambda:DeleteFunction",
      "lambda:PublishVersion",
      "lambda:PutFunctionConcurrency",
      "lambda:DeleteFunctionConcurrency",
      "lambda:TagResource",
      "lambda:UntagResource",
      // CreateFunction/UpdateFunctionConfiguration pass the execution role.
      "iam:PassRole",
    ],
    source: aws("lambda/function.go"),
  },
  "resource.aws_lambda_permission": {
    read: ["lambda:GetPolicy"],
    write: ["lambda:AddPermission", "lambda:RemovePermission"],
    source: aws("lambda/permission.go"),
  },
  "resource.aws_lambda_event_source_mapping": {
    read: ["lambda:GetEventSourceMapping", "lambda:ListTags"],
    write: [
      "lambda:CreateEventSourceMapping",
      "lambda:UpdateEventSourceMapping",
      "lambda:DeleteEventSourceMapping",
      "lambda:TagResource",
      "lambda:UntagResource",
    ],
    source: aws("lambda/event_source_mapping.go"),
  },

  // ---- KMS, Secrets Manager ----
  "resource.aws_kms_key": {
    read: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"],
    write: [
      "kms:CreateKey",
      "kms:PutKeyPolicy",
      "kms:UpdateKeyDescription",
      "kms:EnableKeyRotation",
      "kms:DisableKeyRotation",
      "kms:EnableKey",
      "kms:DisableKey",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
    ],
    source: aws("kms/key.go"),
  },
  "resource.aws_kms_alias": {
    read: ["kms:ListAliases"],
    write: ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"],
    source: aws("kms/alias.go"),
  },
  "resource.aws_secretsmanager_secret": {
    read: ["secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy"],
    write: [
      "secretsmanager:CreateSecret",
      "secretsmanager:UpdateSecret",
      "secretsmanager:DeleteSecret",
      "secretsmanager:PutResourcePolicy",
      "secretsmanager:DeleteResourcePolicy",
      "secretsmanager:TagResource",
      "secretsmanager:UntagResource",
    ],
    source: aws("secretsmanager/secret.go"),
  },
  "resource.aws_secretsmanager_secret_version": {
    // Its refresh reads the value: a plan of a stack holding a secret version reads the secret.
    read: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
    write: ["secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
    source: aws("secretsmanager/secret_version.go"),
  },

  // ---- DynamoDB, SQS ----
  "resource.aws_dynamodb_table": {
    read: [
      "dynamodb:DescribeTable",
      "dynamodb:DescribeContinuousBackups",
      "dynamodb:DescribeTimeToLive",
      "dynamodb:ListTagsOfResource",
    ],
    write: [
      "dynamodb:CreateTable",
      "dynamodb:UpdateTable",
      "dynamodb:DeleteTable",
      "dynamodb:UpdateTimeToLive",
      "dynamodb:UpdateContinuousBackups",
      "dynamodb:TagResource",
      "dynamodb:UntagResource",
    ],
    source: aws("dynamodb/table.go"),
  },
  "resource.aws_sqs_queue": {
    read: ["sqs:GetQueueAttributes", "sqs:ListQueueTags"],
    write: ["sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:UntagQueue"],
    source: aws("sqs/queue.go"),
  },
  "resource.aws_sqs_queue_policy": {
    read: ["sqs:GetQueueAttributes"],
    write: ["sqs:SetQueueAttributes"],
    source: aws("sqs/queue_policy.go (attribute Policy)"),
  },
  "resource.aws_sqs_queue_redrive_allow_policy": {
    read: ["sqs:GetQueueAttributes"],
    write: ["sqs:SetQueueAttributes"],
    source: aws("sqs/queue_redrive_allow_policy.go (attribute RedriveAllowPolicy)"),
  },

  // ---- IAM Identity Center ----
  "resource.aws_identitystore_group": {
    read: ["identitystore:DescribeGroup"],
    write: ["identitystore:CreateGroup", "identitystore:UpdateGroup", "identitystore:DeleteGroup"],
    source: aws("identitystore/group.go"),
  },
  "resource.aws_ssoadmin_permission_set": {
    read: ["sso:DescribePermissionSet", "sso:ListTagsForResource"],
    write: [
      "sso:CreatePermissionSet",
      "sso:UpdatePermissionSet",
      "sso:DeletePermissionSet",
      "sso:ProvisionPermissionSet",
      "sso:DescribePermissionSetProvisioningStatus",
      "sso:TagResource",
      "sso:UntagResource",
      ...IDC_PROVISIONING_IAM,
    ],
    source: aws("ssoadmin/permission_set.go"),
  },
  "resource.aws_ssoadmin_managed_policy_attachment": {
    read: ["sso:ListManagedPoliciesInPermissionSet"],
    write: [
      "sso:AttachManagedPolicyToPermissionSet",
      "sso:DetachManagedPolicyFromPermissionSet",
      "sso:ProvisionPermissionSet",
      "sso:DescribePermissionSetProvisioningStatus",
    ],
    source: aws("ssoadmin/managed_policy_attachment.go"),
  },
  "resource.aws_ssoadmin_permission_set_inline_policy": {
    read: ["sso:GetInlinePolicyForPermissionSet"],
    write: [
      "sso:PutInlinePolicyToPermissionSet",
      "sso:DeleteInlinePolicyFromPermissionSet",
      "sso:ProvisionPermissionSet",
      "sso:DescribePermissionSetProvisioningStatus",
    ],
    source: aws("ssoadmin/permission_set_inline_policy.go"),
  },
  "resource.aws_ssoadmin_account_assignment": {
    read: ["sso:ListAccountAssignments"],
    write: [
      "sso:CreateAccountAssignment",
      "sso:DeleteAccountAssignment",
      "sso:DescribeAccountAssignmentCreationStatus",
      "sso:DescribeAccountAssignmentDeletionStatus",
      ...IDC_PROVISIONING_IAM,
    ],
    source: aws("ssoadmin/account_assignment.go"),
  },
  "resource.aws_ssoadmin_instance_access_control_attributes": {
    read: ["sso:DescribeInstanceAccessControlAttributeConfiguration"],
    write: [
      "sso:CreateInstanceAccessControlAttributeConfiguration",
      "sso:UpdateInstanceAccessControlAttributeConfiguration",
      "sso:DeleteInstanceAccessControlAttributeConfiguration",
    ],
    source: aws("ssoadmin/instance_access_control_attributes.go"),
  },
  "resource.aws_ssoadmin_trusted_token_issuer": {
    read: ["sso:DescribeTrustedTokenIssuer", "sso:ListTagsForResource"],
    write: [
      "sso:CreateTrustedTokenIssuer",
      "sso:UpdateTrustedTokenIssuer",
      "sso:DeleteTrustedTokenIssuer",
      "sso:TagResource",
      "sso:UntagResource",
    ],
    source: aws("ssoadmin/trusted_token_issuer.go"),
  },
  "resource.aws_ssoadmin_application": {
    read: ["sso:DescribeApplication", "sso:ListTagsForResource"],
    write: [
      "sso:CreateApplication",
      "sso:UpdateApplication",
      "sso:DeleteApplication",
      "sso:TagResource",
      "sso:UntagResource",
    ],
    source: aws("ssoadmin/application.go"),
  },
  "resource.aws_ssoadmin_application_access_scope": {
    read: ["sso:GetApplicationAccessScope"],
    write: ["sso:PutApplicationAccessScope", "sso:DeleteApplicationAccessScope"],
    source: aws("ssoadmin/application_access_scope.go"),
  },
  "resource.aws_ssoadmin_application_assignment_configuration": {
    read: ["sso:GetApplicationAssignmentConfiguration"],
    write: ["sso:PutApplicationAssignmentConfiguration"],
    source: aws("ssoadmin/application_assignment_configuration.go"),
  },

  // ---- Cloudflare (no AWS actions: the API token's permissions) ----
  "resource.cloudflare_zero_trust_access_application": {
    read: [],
    write: [],
    cloudflare: "Access: Apps and Policies",
    source: "cloudflare/terraform-provider-cloudflare internal/services/zero_trust_access_application",
  },
  "resource.cloudflare_zero_trust_access_policy": {
    read: [],
    write: [],
    cloudflare: "Access: Apps and Policies",
    source: "cloudflare/terraform-provider-cloudflare internal/services/zero_trust_access_policy",
  },
  "resource.cloudflare_zero_trust_access_identity_provider": {
    read: [],
    write: [],
    cloudflare: "Access: Organizations, Identity Providers, and Groups",
    source: "cloudflare/terraform-provider-cloudflare internal/services/zero_trust_access_identity_provider",
  },
};

/** `resource.<type>` / `data.<type>` of every block in a stack's Terraform JSON. */
export function terraformTypes(stack: {
  readonly resource?: Record<string, unknown>;
  readonly data?: Record<string, unknown>;
}): string[] {
  return [
    ...Object.keys(stack.resource ?? {}).map((t) => `resource.${t}`),
    ...Object.keys(stack.data ?? {}).map((t) => `data.${t}`),
  ].sort();
}

/** Every action of `mode` over the table: the plan role reads; the deploy role reads and writes. */
export function ciActions(mode: "plan" | "deploy"): string[] {
  const rows = Object.values(TERRAFORM_ACTIONS);
  const all = rows.flatMap((r) => (mode === "plan" ? r.read : [...r.read, ...r.write]));
  return [...new Set(all)].sort();
}

/** The Cloudflare permission groups of the token each mode uses (Read for plans, Edit for deploys). */
export function cloudflareTokenPermissions(mode: "plan" | "deploy"): string[] {
  const groups = new Set(
    Object.values(TERRAFORM_ACTIONS).flatMap((r) => (r.cloudflare === undefined ? [] : [r.cloudflare])),
  );
  return [...groups].sort().map((g) => `Account › ${g} › ${mode === "plan" ? "Read" : "Edit"}`);
}
