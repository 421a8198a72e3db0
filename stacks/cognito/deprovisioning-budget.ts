import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { Construct } from "constructs";
import { BUDGET_TABLE } from "../../lambda-src/deprovisioning/contract";

export interface DeprovisioningBudgetProps {
  readonly tableName: string;
  /** The function that spends the budget (named in the table's tag). */
  readonly functionName: string;
}

/**
 * The deletion budget's DynamoDB table (shape in the contract's BUDGET_TABLE): every destructive change first
 * reserves a slot with a conditional write, so the limit holds across concurrent and back-to-back runs.
 *
 * Created whenever the deprovisioning function exists, in every mode: switching from `report` to a mode that
 * deletes then changes the role and one environment variable, never waits for a new table, and the budget's
 * history survives switching back. On-demand (a few writes a day), encrypted with the AWS managed key,
 * point-in-time recovery on, protected from deletion (losing it would reset the budget), old slots expire
 * by TTL.
 */
export class DeprovisioningBudget extends Construct {
  public readonly table: DynamodbTable;
  public readonly name: string;
  public readonly arn: string;

  constructor(scope: Construct, id: string, props: DeprovisioningBudgetProps) {
    super(scope, id);
    this.table = new DynamodbTable(this, "table", {
      name: props.tableName,
      billingMode: "PAY_PER_REQUEST",
      hashKey: BUDGET_TABLE.partitionKey,
      rangeKey: BUDGET_TABLE.sortKey,
      attribute: [
        { name: BUDGET_TABLE.partitionKey, type: "S" },
        { name: BUDGET_TABLE.sortKey, type: "S" },
      ],
      ttl: { attributeName: BUDGET_TABLE.ttlAttribute, enabled: true },
      serverSideEncryption: { enabled: true },
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: true,
      tags: { purpose: `deletion budget of ${props.functionName}` },
    });
    this.name = this.table.name;
    this.arn = this.table.arn;
  }
}
