import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { accountAdministersKey } from "../shared/kms-key-policy";
import { Construct } from "constructs";
import { LINK_KEY_ACTIONS } from "../../lambda-src/pre-token-generation/contract";
import type { PolicyStatement } from "../shared/nodejs-function";

export interface LinkKeyProps {
  /** `<environment>-idc-oidc-bridge`: the alias is `alias/<name>-link`. */
  readonly name: string;
  /** The account id and partition the key policy names. */
  readonly account: { readonly id: string; readonly partition: string };
}

/**
 * The KMS HMAC key behind the link between a Cognito user and their IdC user (lambda-src/shared/link.ts):
 * each Lambda derives its link key from it with one kms:GenerateMac per container, so the key material
 * never leaves KMS and no secret is ever in state, config or logs. HMAC keys do not rotate automatically
 * (KMS only rotates symmetric encryption keys); a new key would invalidate every link, which each person's
 * next sign-in re-establishes. The key policy is KMS's default, written out so a review sees it: the account
 * administers the key and IAM policies grant its use (only the Lambda roles given `linkKeyStatement` may call
 * GenerateMac with it; CI manages the key through its own role's policy).
 */
export class LinkKey extends Construct {
  public readonly arn: string;
  public readonly aliasName: string;

  constructor(scope: Construct, id: string, props: LinkKeyProps) {
    super(scope, id);
    const policy = new DataAwsIamPolicyDocument(this, "policy", {
      statement: [accountAdministersKey(props.account)],
    });
    const key = new KmsKey(this, "key", {
      description: `Signs the links between Cognito users and IAM Identity Center users (${props.name})`,
      customerMasterKeySpec: "HMAC_256",
      keyUsage: "GENERATE_VERIFY_MAC",
      deletionWindowInDays: 30,
      policy: policy.json,
    });
    this.aliasName = `alias/${props.name}-link`;
    new KmsAlias(this, "alias", { name: this.aliasName, targetKeyId: key.keyId });
    this.arn = key.arn;
  }
}

/** What a Lambda that verifies or signs links needs: kms:GenerateMac on the link key only. */
export function linkKeyStatement(linkKeyArn: string): PolicyStatement {
  return { sid: "DeriveLinkKey", actions: [...LINK_KEY_ACTIONS], resources: [linkKeyArn] };
}
