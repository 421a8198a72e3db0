/**
 * The deletion budget's table (issue 18 item 1) in the synthesized cognito stack, and the function's access
 * to it proven with the IAM policy simulator: the contract's actions on this table only, and only in the
 * modes that change users (the role follows the mode).
 */
import { resources, type TerraformJson } from "../../__tests__/helpers/stacks";
import { rolePolicies, simulateAction, type Substitution } from "../../__tests__/helpers/iam-simulator";
import {
  BUDGET_TABLE,
  BUDGET_TABLE_ACTIONS,
  DEPROVISION_MODES,
  type DeprovisionMode,
} from "../../lambda-src/deprovisioning/contract";
import { arn, COGNITO_VALUES, ROLE, stackFor } from "./test-support/deprovisioning";

const TABLE = arn("dynamodb", `table/${ROLE}-budget`);
const OTHER_TABLE = arn("dynamodb", "table/prod-orders");

const VALUES: Substitution[] = [
  ...COGNITO_VALUES,
  [/aws_dynamodb_table\.deprovisioning_budget_table_\w+\.arn$/, TABLE],
  [/aws_sqs_queue\.deprovisioning_events_queue_\w+\.arn$/, arn("sqs", `${ROLE}-events`)],
];

function budgetTables(stack: string): [string, TerraformJson][] {
  return Object.entries(resources(stack, "aws_dynamodb_table")).filter(([id]) =>
    id.startsWith("deprovisioning_budget_table_"),
  );
}

describe("the deletion budget's table", () => {
  it("has the contract's keys and TTL, on-demand billing, encryption, point-in-time recovery and deletion protection", () => {
    const [[, table]] = budgetTables(stackFor("delete-user")) as [[string, TerraformJson]];
    expect(table).toMatchObject({
      name: `${ROLE}-budget`,
      billing_mode: "PAY_PER_REQUEST",
      hash_key: BUDGET_TABLE.partitionKey,
      range_key: BUDGET_TABLE.sortKey,
      attribute: [
        { name: BUDGET_TABLE.partitionKey, type: "S" },
        { name: BUDGET_TABLE.sortKey, type: "S" },
      ],
      ttl: { attribute_name: BUDGET_TABLE.ttlAttribute, enabled: true },
      server_side_encryption: { enabled: true },
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: true,
      tags: { purpose: `deletion budget of ${ROLE}` },
    });
    // On-demand: no capacity to size (a few writes a day, bursts when leavers come in numbers).
    expect(table).not.toHaveProperty("read_capacity");
    expect(table).not.toHaveProperty("write_capacity");
  });

  it.each(DEPROVISION_MODES)(
    "exists in %s mode with the same address, so switching mode creates nothing",
    (mode) => {
      expect(budgetTables(stackFor(mode)).map(([id]) => id)).toEqual(
        budgetTables(stackFor("report")).map(([id]) => id),
      );
    },
  );
});

describe("budget permissions, proven with the IAM simulator", () => {
  const allowed = async (mode: DeprovisionMode, action: string, table: string) =>
    (
      await simulateAction({
        identityPolicies: rolePolicies(stackFor(mode), ROLE, VALUES),
        action,
        resources: { table },
      })
    ).allowed;

  it.each(["remove-memberships", "delete-user"] as const)(
    "%s: the contract's actions on the budget table only",
    async (mode) => {
      for (const action of BUDGET_TABLE_ACTIONS) {
        expect(await allowed(mode, action, TABLE)).toBe(true);
        expect(await allowed(mode, action, OTHER_TABLE)).toBe(false);
      }
      // Nothing that could erase the budget's history or read other data.
      for (const action of [
        "dynamodb:DeleteItem",
        "dynamodb:Scan",
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteTable",
        "dynamodb:UpdateTable",
        "dynamodb:UpdateTimeToLive",
      ]) {
        expect(await allowed(mode, action, TABLE)).toBe(false);
      }
    },
  );

  it("report: changes nobody, so spends no budget: no access to the table at all", async () => {
    for (const action of [...BUDGET_TABLE_ACTIONS, "dynamodb:Scan"]) {
      expect(await allowed("report", action, TABLE)).toBe(false);
    }
  });
});
