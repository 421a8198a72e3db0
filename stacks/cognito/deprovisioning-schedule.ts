import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { Construct } from "constructs";
import { RECONCILE_EVENT } from "../../lambda-src/deprovisioning/contract";

export interface DeprovisioningScheduleProps {
  readonly functionName: string;
  readonly functionArn: string;
  /** EventBridge Scheduler expression (UTC). */
  readonly scheduleExpression: string;
  /** The account of the stack: only its schedules may use the role. */
  readonly accountId: string;
}

/**
 * The scheduled reconciliation: an EventBridge Scheduler schedule invokes the function directly with
 * RECONCILE_EVENT (not through the event queue: one run, not a batch), with its own role that may invoke only
 * this function.
 */
export class DeprovisioningSchedule extends Construct {
  public readonly scheduleName: string;

  constructor(scope: Construct, id: string, props: DeprovisioningScheduleProps) {
    super(scope, id);
    const fn = props.functionName;
    const role = new IamRole(this, "role", {
      name: `${fn}-scheduler`,
      description: `EventBridge Scheduler: invokes ${fn}`,
      assumeRolePolicy: new DataAwsIamPolicyDocument(this, "assume-role", {
        statement: [
          {
            actions: ["sts:AssumeRole"],
            principals: [{ type: "Service", identifiers: ["scheduler.amazonaws.com"] }],
            condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [props.accountId] }],
          },
        ],
      }).json,
    });
    role.moveFromId("aws_iam_role.deprovisioning_scheduler-role_19914081");
    new IamRolePolicy(this, "role-policy", {
      name: "invoke-deprovisioning",
      role: role.id,
      policy: new DataAwsIamPolicyDocument(this, "policy", {
        statement: [
          { sid: "InvokeDeprovisioning", actions: ["lambda:InvokeFunction"], resources: [props.functionArn] },
        ],
      }).json,
    }).moveFromId("aws_iam_role_policy.deprovisioning_scheduler-role-policy_D24F0E5B");
    const schedule = new SchedulerSchedule(this, "schedule", {
      name: `${fn}-reconcile`,
      description: `Leavers: reconcile IAM Identity Center with the Cognito user pool (${props.scheduleExpression})`,
      scheduleExpression: props.scheduleExpression,
      scheduleExpressionTimezone: "UTC",
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: props.functionArn,
        roleArn: role.arn,
        input: JSON.stringify(RECONCILE_EVENT),
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
      },
    });
    schedule.moveFromId("aws_scheduler_schedule.deprovisioning_schedule_65CB08DD");
    this.scheduleName = schedule.name;
  }
}
