import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

/**
 * The key policy statement AWS writes by default: the account administers the key, so IAM policies of the
 * account decide who uses it (CI manages every key through its own role's policy). Written out so a review
 * sees it.
 */
export function accountAdministersKey(account: {
  readonly id: string;
  readonly partition: string;
}): DataAwsIamPolicyDocumentStatement {
  return {
    sid: "AccountAdministersKey",
    actions: ["kms:*"],
    resources: ["*"],
    principals: [{ type: "AWS", identifiers: [`arn:${account.partition}:iam::${account.id}:root`] }],
  };
}
