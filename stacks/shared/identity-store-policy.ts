import type { PolicyStatement } from "./nodejs-function";

/**
 * A Lambda that calls the Identity Store. In cross-account mode the identity-center stack gives each caller
 * an access role in the IdC account that only the caller's own execution role may assume.
 */
export interface IdentityStoreCaller {
  /** Names the caller among the callers (its access role, its entry in `accessRoleArns`), e.g. `pre-token-generation`. */
  readonly purpose: string;
  /** The caller's execution role name in the cognito account: fixed by the environment, known before it exists. */
  readonly roleName: string;
  /** The caller's Identity Store (and KMS) statements for a store, given its groups' ids by IdC group name. */
  readonly statements: (
    scope: IdentityStoreScope,
    groupIds: Readonly<Record<string, string>>,
  ) => PolicyStatement[];
}

/** What an Identity Store caller's statements are scoped to. */
export interface IdentityStoreScope {
  /** AWS partition (`aws`, `aws-cn`, `aws-us-gov`). */
  readonly partition: string;
  /** `arn:<partition>:identitystore::<account>:identitystore/<id>`. */
  readonly identityStoreArn: string;
  /** IdC's customer managed KMS key (`identityCenter.kmsKeyArn`), when it uses one. */
  readonly kmsKeyArn?: string;
}

/**
 * ARN of an Identity Store user, group or membership (`user/*`, `group/<id>` …). These ARNs name no store
 * or account; IAM scopes every such call to one store through the `identitystore/<id>` resource it also
 * authorizes (Service Authorization Reference: each action lists `Identitystore` as required).
 */
export function identityStoreMemberArn(partition: string, resource: string): string {
  return `arn:${partition}:identitystore:::${resource}`;
}

/**
 * With a customer managed key, the Identity Store decrypts its data with the caller's permission: callers need
 * `kms:Decrypt` on the key, and only through the Identity Store of this instance. This is what AWS grants to
 * Identity Store callers in the AWS managed policy AWSIdentityCenterExternalManagementPolicy (statement
 * IdentityStoreCMKAccess: kms:Decrypt with kms:EncryptionContext:aws:identitystore:identitystore-arn and
 * kms:ViaService identitystore.*.amazonaws.com), and the key policy side is in the IAM Identity Center User
 * Guide, "Baseline KMS key and IAM policy statements"
 * (https://docs.aws.amazon.com/singlesignon/latest/userguide/baseline-KMS-key-policy.html). Here the service
 * endpoint is the one of the key's region (= identityCenter.region, checked by the config), the only one the
 * callers use.
 */
export function identityStoreKmsStatements(scope: IdentityStoreScope): PolicyStatement[] {
  if (scope.kmsKeyArn === undefined) return [];
  const [, partition, region] = /^arn:([^:]+):kms:([^:]+):/.exec(scope.kmsKeyArn) ?? [];
  if (partition === undefined || region === undefined)
    throw new Error(`Not a KMS key ARN: ${scope.kmsKeyArn}`);
  // China regions' endpoints end in .amazonaws.com.cn; either spelling names only this region's Identity Store.
  const suffixes = partition === "aws-cn" ? ["amazonaws.com", "amazonaws.com.cn"] : ["amazonaws.com"];
  return [
    {
      sid: "IdentityCenterKey",
      actions: ["kms:Decrypt"],
      resources: [scope.kmsKeyArn],
      conditions: [
        {
          // StringLike: the store's ARN names its account as `*` (see IdentityCenterInstance).
          test: "StringLike",
          variable: "kms:EncryptionContext:aws:identitystore:identitystore-arn",
          values: [scope.identityStoreArn],
        },
        {
          test: "StringEquals",
          variable: "kms:ViaService",
          values: suffixes.map((suffix) => `identitystore.${region}.${suffix}`),
        },
      ],
    },
  ];
}
