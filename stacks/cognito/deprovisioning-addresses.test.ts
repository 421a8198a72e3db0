/**
 * Deployed environments see no replacement (issue 21 item 3): every resource address the leavers construct
 * synthesized before it was split into smaller constructs is still synthesized, or a Terraform `moved` block
 * takes it to its new address, or it is retired on purpose (listed with the reason). Terraform itself checks
 * that the moved blocks turn into moves, not destroy-and-create: a state holding the former addresses is
 * planned against the new configuration with the Terraform CLI.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadConfig } from "../../config";
import { RICH_CONFIG, configWith, json, synthBridge } from "../../__tests__/helpers/stacks";
import { describeIfTerraform, runTerraform } from "../../__tests__/helpers/terraform-cli";
import { tempDir } from "../../__tests__/helpers/temp-dirs";

/** The leavers construct's resource addresses before the split (commit 4fa1d8c), in every config. */
const FORMER_ADDRESSES = [
  "aws_cloudwatch_event_rule.deprovisioning_cloudtrail-rule_CD72E73D",
  "aws_cloudwatch_event_target.deprovisioning_cloudtrail-target_8647229E",
  "aws_cloudwatch_log_group.deprovisioning_function_log-group_BAF6A20A",
  "aws_cloudwatch_metric_alarm.deprovisioning_circuit-breaker_072F0A36",
  "aws_cloudwatch_metric_alarm.deprovisioning_errors_93590B23",
  "aws_cloudwatch_metric_alarm.deprovisioning_leavers-reported_34938E55",
  "aws_cloudwatch_metric_alarm.deprovisioning_run-failures_5728D2F0",
  "aws_iam_role.deprovisioning_function_role_88C7A7F0",
  "aws_iam_role.deprovisioning_scheduler-role_19914081",
  "aws_iam_role_policy.deprovisioning_function_role-policy_204BC854",
  "aws_iam_role_policy.deprovisioning_scheduler-role-policy_D24F0E5B",
  "aws_lambda_function.deprovisioning_function_442C8485",
  "aws_lambda_permission.deprovisioning_events-invoke_8CC65122",
  "aws_scheduler_schedule.deprovisioning_schedule_65CB08DD",
];

/** Former resources the change removes on purpose: a plan destroys them, and nothing is lost with them. */
const RETIRED: Record<string, string> = {
  "aws_cloudwatch_metric_alarm.deprovisioning_circuit-breaker_072F0A36":
    "the per-run circuit breaker is gone; the users-held-back alarm watches the deletion budget",
  "aws_lambda_permission.deprovisioning_events-invoke_8CC65122":
    "EventBridge no longer invokes the function: it sends to the event queue (the queue policy allows it)",
};

/** Every address of the leavers construct today: a change to this list is a change to deployed resources. */
const ADDRESSES = [
  "aws_cloudwatch_event_rule.deprovisioning_events_rule_918D8ABB",
  "aws_cloudwatch_event_target.deprovisioning_events_target_DE8CD229",
  "aws_cloudwatch_log_group.deprovisioning_function_log-group_BAF6A20A",
  "aws_cloudwatch_metric_alarm.deprovisioning_alarms_dead-letter-queue_FA499F3E",
  "aws_cloudwatch_metric_alarm.deprovisioning_alarms_errors_6ED8A56D",
  "aws_cloudwatch_metric_alarm.deprovisioning_alarms_leavers-reported_C5455C77",
  "aws_cloudwatch_metric_alarm.deprovisioning_alarms_run-failures_91669439",
  "aws_cloudwatch_metric_alarm.deprovisioning_alarms_users-held-back_4D246823",
  "aws_dynamodb_table.deprovisioning_budget_table_570CEE3C",
  "aws_iam_role.deprovisioning_function_role_88C7A7F0",
  "aws_iam_role.deprovisioning_reconciliation_role_EAC3EA79",
  "aws_iam_role_policy.deprovisioning_function_event-queue-role-policy_520EE391",
  "aws_iam_role_policy.deprovisioning_function_role-policy_204BC854",
  "aws_iam_role_policy.deprovisioning_reconciliation_role-policy_2C7554F8",
  "aws_lambda_event_source_mapping.deprovisioning_events_event-source-mapping_8500C308",
  "aws_lambda_function.deprovisioning_function_442C8485",
  "aws_scheduler_schedule.deprovisioning_reconciliation_schedule_B0B3D451",
  "aws_sqs_queue.deprovisioning_events_dead-letter-queue_7D0A3D64",
  "aws_sqs_queue.deprovisioning_events_queue_6D6657CE",
  "aws_sqs_queue_policy.deprovisioning_events_queue-policy_9DED3CF5",
  "aws_sqs_queue_redrive_allow_policy.deprovisioning_events_dead-letter-queue-redrive-allow_C6C35B4B",
];

interface Moved {
  readonly from: string;
  readonly to: string;
}

function leaversOf(cognito: string): { addresses: string[]; moved: Moved[] } {
  const doc = json(cognito);
  const addresses = Object.entries((doc.resource ?? {}) as Record<string, Record<string, unknown>>)
    .flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`))
    .filter((address) => address.split(".")[1]!.startsWith("deprovisioning_"))
    .sort();
  return { addresses, moved: (doc.moved ?? []) as Moved[] };
}

const configs = {
  example: () => configWith(),
  "delete-user with inactivity": () =>
    configWith((c) => {
      c.cognito.provisioning = { ...c.cognito.provisioning, deprovision: "delete-user", inactiveDays: 90 };
    }),
  "rich fixture": () => loadConfig(RICH_CONFIG),
};

describe.each(Object.entries(configs))("leavers resource addresses (%s config)", (_name, config) => {
  const { addresses, moved } = leaversOf(synthBridge(config()).cognito);

  it("are exactly the committed list", () => {
    expect(addresses).toEqual([...ADDRESSES].sort());
  });

  it("keep every former address, move it with a moved block, or retire it for a stated reason", () => {
    for (const former of FORMER_ADDRESSES) {
      const move = moved.filter((m) => m.from === former);
      if (RETIRED[former] !== undefined) {
        expect({ former, kept: addresses.includes(former), moves: move }).toEqual({
          former,
          kept: false,
          moves: [],
        });
      } else if (addresses.includes(former)) {
        expect({ former, moves: move }).toEqual({ former, moves: [] });
      } else {
        expect({ former, moves: move.length }).toEqual({ former, moves: 1 });
        const to = move[0]!.to;
        // Terraform moves only between resources of one type, to an address the configuration has.
        expect(to.split(".")[0]).toBe(former.split(".")[0]);
        expect(addresses).toContain(to);
      }
    }
    // Every leavers move starts at a former address: no move from an address that never existed.
    for (const m of moved.filter((x) => x.to.split(".")[1]!.startsWith("deprovisioning_"))) {
      expect(FORMER_ADDRESSES).toContain(m.from);
    }
  });
});

/**
 * The aws provider cannot be downloaded here, so each aws resource stands in as a `terraform_data` resource
 * (built into Terraform) named after its address; the moved blocks are the synthesized ones, renamed the same
 * way. Terraform then plans the former state against the new configuration exactly as it would the real one.
 */
describeIfTerraform("the split as Terraform plans it for a deployed environment", () => {
  const { addresses, moved } = leaversOf(synthBridge(configWith()).cognito);
  const standIn = (address: string) => address.replace(".", "__");
  const configFor = (resourceAddresses: readonly string[], moves: readonly Moved[] = []) => ({
    resource: {
      terraform_data: Object.fromEntries(resourceAddresses.map((a) => [standIn(a), { input: "leavers" }])),
    },
    ...(moves.length > 0
      ? {
          moved: moves.map((m) => ({
            from: `terraform_data.${standIn(m.from)}`,
            to: `terraform_data.${standIn(m.to)}`,
          })),
        }
      : {}),
  });

  it("moves every moved resource (no destroy and create), destroys only the retired ones, creates only the new ones", () => {
    const dir = tempDir("leavers-moved-");
    const write = (config: object) => writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(config));
    write(configFor(FORMER_ADDRESSES));
    runTerraform(dir, ["init", "-input=false"]);
    runTerraform(dir, ["apply", "-auto-approve", "-input=false"]);

    write(configFor(addresses, moved));
    runTerraform(dir, ["plan", "-input=false", "-out=split.tfplan"]);
    const plan = JSON.parse(runTerraform(dir, ["show", "-json", "split.tfplan"])) as {
      resource_changes: { address: string; previous_address?: string; change: { actions: string[] } }[];
    };
    const byAction = (action: string) =>
      plan.resource_changes
        .filter((c) => c.change.actions.join(",") === action)
        .map((c) => c.address)
        .sort();
    const fromStandIn = (a: string) => a.replace(/^terraform_data\./, "").replace("__", ".");

    expect(byAction("delete").map(fromStandIn)).toEqual(Object.keys(RETIRED).sort());
    expect(byAction("create").map(fromStandIn)).toEqual(
      addresses.filter((a) => !FORMER_ADDRESSES.includes(a) && !moved.some((m) => m.to === a)).sort(),
    );
    // Terraform sets previous_address only for a move; the stand-ins' arguments are equal, so it is a no-op.
    const moves = plan.resource_changes
      .filter((c) => c.previous_address !== undefined)
      .map((c) => ({ from: fromStandIn(c.previous_address!), to: fromStandIn(c.address) }));
    expect(moves.sort((a, b) => a.from.localeCompare(b.from))).toEqual(
      [...moved].sort((a, b) => a.from.localeCompare(b.from)),
    );
    expect(moves).toHaveLength(8);
    expect(byAction("no-op").map(fromStandIn)).toEqual(
      addresses.filter((a) => FORMER_ADDRESSES.includes(a) || moved.some((m) => m.to === a)).sort(),
    );
    expect(byAction("delete,create")).toEqual([]);
    expect(byAction("create,delete")).toEqual([]);
  });
});
