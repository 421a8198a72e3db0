import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { accountAdministersKey } from "../shared/kms-key-policy";
import { Construct } from "constructs";
import type { BootstrapSettings } from "../../config/bootstrap";

export interface StateBucketProps {
  readonly bucket: string;
  readonly encryption: BootstrapSettings["encryption"];
  readonly account: { readonly id: string; readonly partition: string; readonly region: string };
  /**
   * Two accounts: the other account's CI roles, granted the environment's state (`objects`, e.g.
   * `<keyPrefix>/<env>/*`) by the bucket policy and, for a key created here, by the key policy.
   */
  readonly crossAccount?: {
    readonly objects: string;
    readonly readers: readonly string[];
    readonly writers: readonly string[];
  };
}

/**
 * The Terraform state bucket of an environment: versioned (every state kept), encrypted by default (SSE-KMS or
 * SSE-S3), no public access, no ACLs (bucket owner enforced), TLS 1.2+ only. With SSE-KMS and an alias ARN in
 * backend.kmsKeyId, the key is created here under that alias. Both are protected from `terraform destroy`.
 */
export class StateBucket extends Construct {
  public readonly bucket: S3Bucket;
  public readonly arn: string;
  /** ARN of the KMS key that encrypts the state (SSE-KMS only). */
  public readonly kmsKeyArn?: string;

  constructor(scope: Construct, id: string, props: StateBucketProps) {
    super(scope, id);
    const { partition, region } = props.account;
    const cross = props.crossAccount;
    this.bucket = new S3Bucket(this, "bucket", {
      bucket: props.bucket,
      lifecycle: { preventDestroy: true },
    });
    this.arn = this.bucket.arn;
    const bucket = this.bucket.id;

    new S3BucketVersioningA(this, "versioning", {
      bucket,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", {
      bucket,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });

    const encryption = props.encryption;
    if (encryption.type === "SSE-KMS") {
      if (encryption.createAlias !== undefined) {
        const key = new KmsKey(this, "key", {
          description: `Encrypts the Terraform state in s3://${props.bucket}`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          policy: new DataAwsIamPolicyDocument(this, "key-policy", {
            statement: [
              accountAdministersKey(props.account),
              ...(cross === undefined
                ? []
                : [
                    {
                      sid: "OtherAccountCiReadsState",
                      actions: ["kms:Decrypt"],
                      resources: ["*"],
                      principals: [{ type: "AWS", identifiers: [...cross.readers, ...cross.writers] }],
                    },
                    {
                      sid: "OtherAccountCiWritesState",
                      actions: ["kms:Encrypt", "kms:GenerateDataKey"],
                      resources: ["*"],
                      principals: [{ type: "AWS", identifiers: [...cross.writers] }],
                    },
                  ]),
            ],
          }).json,
          lifecycle: { preventDestroy: true },
        });
        new KmsAlias(this, "key-alias", { name: encryption.createAlias, targetKeyId: key.keyId });
        this.kmsKeyArn = key.arn;
      } else {
        this.kmsKeyArn = encryption.kmsKeyId.startsWith("arn:")
          ? encryption.kmsKeyId
          : `arn:${partition}:kms:${region}:${props.account.id}:key/${encryption.kmsKeyId}`;
      }
    }
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket,
      rule: [
        {
          applyServerSideEncryptionByDefault:
            this.kmsKeyArn === undefined
              ? { sseAlgorithm: "AES256" }
              : { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.kmsKeyArn },
          bucketKeyEnabled: this.kmsKeyArn !== undefined,
        },
      ],
    });

    const objects = `${this.bucket.arn}/*`;
    new S3BucketPolicy(this, "policy", {
      bucket,
      policy: new DataAwsIamPolicyDocument(this, "tls-only", {
        statement: [
          {
            sid: "DenyInsecureTransport",
            effect: "Deny",
            principals: [{ type: "*", identifiers: ["*"] }],
            actions: ["s3:*"],
            resources: [this.bucket.arn, objects],
            condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
          },
          {
            sid: "DenyOldTls",
            effect: "Deny",
            principals: [{ type: "*", identifiers: ["*"] }],
            actions: ["s3:*"],
            resources: [this.bucket.arn, objects],
            condition: [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.2"] }],
          },
          ...(cross === undefined
            ? []
            : [
                {
                  sid: "OtherAccountCiListsState",
                  principals: [{ type: "AWS", identifiers: [...cross.readers, ...cross.writers] }],
                  actions: ["s3:ListBucket"],
                  resources: [this.bucket.arn],
                },
                {
                  sid: "OtherAccountCiReadsState",
                  principals: [{ type: "AWS", identifiers: [...cross.readers, ...cross.writers] }],
                  actions: ["s3:GetObject"],
                  resources: [`${this.bucket.arn}/${cross.objects}`],
                },
                {
                  // The state and its lock file (S3-native locking).
                  sid: "OtherAccountCiWritesState",
                  principals: [{ type: "AWS", identifiers: [...cross.writers] }],
                  actions: ["s3:PutObject", "s3:DeleteObject"],
                  resources: [`${this.bucket.arn}/${cross.objects}`],
                },
              ]),
        ],
      }).json,
    });
  }
}
