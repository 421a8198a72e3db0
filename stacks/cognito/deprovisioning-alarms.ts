import {
  CloudwatchMetricAlarm,
  type CloudwatchMetricAlarmConfig,
} from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { eventQueueNames } from "./deprovisioning-events";
import { METRIC_DIMENSION_SERVICE, METRIC_NAMES } from "../../lambda-src/deprovisioning/contract";

export interface DeprovisioningAlarmsProps {
  readonly functionName: string;
  /** Namespace of the function's custom (EMF) metrics; their `service` dimension is the function name. */
  readonly metricsNamespace: string;
  readonly budget: { readonly maxUsers: number; readonly windowHours: number };
  /** Name of the event queue's dead-letter queue. */
  readonly deadLetterQueueName: string;
  /** The existing alarm topic (the JIT Lambda's monitoring) the alarms notify. */
  readonly alarmTopicArn: string;
}

type AlarmSpec = Pick<
  CloudwatchMetricAlarmConfig,
  "alarmDescription" | "namespace" | "metricName" | "dimensions" | "statistic"
> & {
  readonly id: string;
  /** Where the alarm was before the construct was split (a Terraform `moved` block keeps it). */
  readonly formerAddress?: string;
};

/**
 * Alarms of the leavers, to the existing alarm topic: users held back by the spent deletion budget,
 * report-mode findings, failed runs, function errors, and events parked in the dead-letter queue. Each fires
 * on any occurrence in five minutes.
 */
export class DeprovisioningAlarms extends Construct {
  public readonly alarmNames: string[] = [];

  constructor(scope: Construct, id: string, props: DeprovisioningAlarmsProps) {
    super(scope, id);
    const fn = props.functionName;
    const custom = (metricName: string) => ({
      namespace: props.metricsNamespace,
      metricName,
      dimensions: { [METRIC_DIMENSION_SERVICE]: fn },
      statistic: "Sum",
    });
    const { maxUsers, windowHours } = props.budget;
    const alarms: AlarmSpec[] = [
      {
        id: "users-held-back",
        ...custom(METRIC_NAMES.UsersHeldBack),
        alarmDescription: `${fn}: the deletion budget (${maxUsers} users per ${windowHours} h, all runs together) is spent; the leavers named in the ERROR log ("held back") were NOT changed. A burst this large is more often a broken link or a mass disable than real leavers: check who they are first. If they are real, they are handled once slots expire, or raise cognito.provisioning.deprovisionBudget.maxUsers and apply.`,
      },
      {
        id: "leavers-reported",
        ...custom(METRIC_NAMES.LeaversReported),
        alarmDescription: `${fn} (report mode) found bridge-owned IAM Identity Center users whose Cognito user is gone, disabled or inactive; nothing was changed. See the log ("Leaver found").`,
        formerAddress: "aws_cloudwatch_metric_alarm.deprovisioning_leavers-reported_34938E55",
      },
      {
        id: "run-failures",
        ...custom(METRIC_NAMES.RunFailures),
        alarmDescription: `${fn}: a deprovisioning run failed (API error or time out); leavers may keep their access.`,
        formerAddress: "aws_cloudwatch_metric_alarm.deprovisioning_run-failures_5728D2F0",
      },
      {
        id: "errors",
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: fn },
        statistic: "Sum",
        alarmDescription: `${fn} failed (function errors, including invalid configuration).`,
        formerAddress: "aws_cloudwatch_metric_alarm.deprovisioning_errors_93590B23",
      },
      {
        id: "dead-letter-queue",
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: props.deadLetterQueueName },
        statistic: "Maximum",
        alarmDescription: `${fn}: CloudTrail events failed ${fn} repeatedly and wait in its dead-letter queue (${eventQueueNames(fn).deadLetterQueue}); the people they name were not checked. Find the cause in the log, then redrive the messages to the event queue (SQS console, "Start DLQ redrive"); the daily reconciliation also catches them.`,
      },
    ];
    for (const { id: alarmId, formerAddress, ...spec } of alarms) {
      const alarmName = `${fn}-${alarmId}`;
      this.alarmNames.push(alarmName);
      const alarm = new CloudwatchMetricAlarm(this, alarmId, {
        ...spec,
        alarmName,
        period: 300,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        treatMissingData: "notBreaching",
        alarmActions: [props.alarmTopicArn],
      });
      if (formerAddress !== undefined) alarm.moveFromId(formerAddress);
    }
  }
}
