import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsSsoadminInstances } from "@cdktf/provider-aws/lib/data-aws-ssoadmin-instances";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { terraformExpression } from "../shared/terraform-literal";

/** The account's IAM Identity Center instance and its Identity Store (read, never created). */
export class IdentityCenterInstance extends Construct {
  public readonly instanceArn: string;
  public readonly identityStoreId: string;
  /**
   * `arn:<partition>:identitystore::*:identitystore/<id>`, for IAM policies. The store belongs to the account
   * that owns the instance, the management account, also when a delegated administrator deploys this stack,
   * and no data source names it; store ids are globally unique, so `*` for the account names this store only.
   */
  public readonly identityStoreArn: string;
  /** AWS partition of the account (`aws`, `aws-cn`, `aws-us-gov`). */
  public readonly partition: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const instances = new DataAwsSsoadminInstances(this, "instances", {
      lifecycle: {
        postcondition: [
          {
            condition: terraformExpression("length(self.arns) > 0"),
            errorMessage:
              "No IAM Identity Center instance in this account and region: enable IAM Identity Center " +
              "(organization instance) in identityCenter.region, or point the aws provider at the right account.",
          },
        ],
      },
    });
    const partition = new DataAwsPartition(this, "partition");
    this.instanceArn = Fn.element(instances.arns, 0);
    this.identityStoreId = Fn.element(instances.identityStoreIds, 0);
    this.partition = partition.partition;
    this.identityStoreArn = `arn:${partition.partition}:identitystore::*:identitystore/${this.identityStoreId}`;
  }
}
