import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import {
  CloudwatchMetricAlarm,
  type CloudwatchMetricAlarmConfig,
} from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { accountAdministersKey } from "../shared/kms-key-policy";
import { Construct } from "constructs";
import { METRIC_DIMENSION_SERVICE, METRIC_NAMES } from "../../lambda-src/pre-token-generation/metric-names";

export interface PreTokenGenerationMonitoringProps {
  readonly functionName: string;
  readonly region: string;
  /** Namespace of the function's custom (EMF) metrics; their `service` dimension is the function name. */
  readonly metricsNamespace: string;
  readonly durationAlarmMs: number;
  readonly alarmEmail?: string;
  readonly topicName: string;
  /** The account id and partition the alarm topic's key policy names. */
  readonly account: { readonly id: string; readonly partition: string };
}

/** A customer managed KMS key for the alarm topic that CloudWatch alarms may encrypt messages with. */
class AlarmTopicKey extends Construct {
  public readonly arn: string;

  constructor(scope: Construct, id: string, topicName: string, account: { id: string; partition: string }) {
    super(scope, id);
    const policy = new DataAwsIamPolicyDocument(this, "policy", {
      statement: [
        accountAdministersKey(account),
        {
          sid: "CloudWatchAlarmsEncrypt",
          actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
          resources: ["*"],
          principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [account.id] }],
        },
      ],
    });
    const key = new KmsKey(this, "key", {
      description: `Encrypts the SNS topic ${topicName} (CloudWatch alarms of the JIT Lambda)`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policy.json,
    });
    this.arn = key.arn;
  }
}

type AlarmSpec = Pick<
  CloudwatchMetricAlarmConfig,
  "alarmDescription" | "metricName" | "threshold" | "statistic" | "extendedStatistic" | "period"
> & { readonly name: string; readonly custom?: boolean };

/** Alarms (to an SNS topic, optionally emailed) and a dashboard for the JIT Lambda. */
export class PreTokenGenerationMonitoring extends Construct {
  public readonly topic: SnsTopic;
  public readonly alarmNames: string[] = [];

  constructor(scope: Construct, id: string, props: PreTokenGenerationMonitoringProps) {
    super(scope, id);
    const fn = props.functionName;
    this.topic = new SnsTopic(this, "alarm-topic", {
      name: props.topicName,
      // Not alias/aws/sns: CloudWatch may not use that AWS managed key, and alarms would never arrive.
      kmsMasterKeyId: new AlarmTopicKey(this, "alarm-topic-key", props.topicName, props.account).arn,
    });
    if (props.alarmEmail) {
      new SnsTopicSubscription(this, "alarm-email", {
        topicArn: this.topic.arn,
        protocol: "email",
        endpoint: props.alarmEmail,
      });
    }

    const alarms: AlarmSpec[] = [
      {
        name: "errors",
        metricName: "Errors",
        statistic: "Sum",
        threshold: 0,
        alarmDescription: `${fn} failed: sign-ins are failing (function errors, including denied logins that throw).`,
      },
      {
        name: "throttles",
        metricName: "Throttles",
        statistic: "Sum",
        threshold: 0,
        alarmDescription: `${fn} was throttled: raise its concurrency, sign-ins are failing.`,
      },
      {
        name: "duration-p99",
        metricName: "Duration",
        extendedStatistic: "p99",
        period: 300,
        threshold: props.durationAlarmMs,
        alarmDescription: `${fn} p99 duration above ${props.durationAlarmMs} ms: close to Cognito's 5 s trigger limit.`,
      },
      {
        name: "sync-failures",
        custom: true,
        metricName: METRIC_NAMES.SyncFailures,
        statistic: "Sum",
        threshold: 0,
        alarmDescription: `${fn} could not reach or update the Identity Store: people may be missing from IAM Identity Center or its groups.`,
      },
      {
        name: "denied-logins",
        custom: true,
        metricName: METRIC_NAMES.LoginsDenied,
        statistic: "Sum",
        period: 300,
        threshold: 4,
        alarmDescription: `${fn} denied 5 or more logins in 5 minutes (missing or unverified email): check the upstream IdP's attribute mapping.`,
      },
    ];
    for (const a of alarms) {
      const alarmName = `${fn}-${a.name}`;
      this.alarmNames.push(alarmName);
      new CloudwatchMetricAlarm(this, a.name, {
        alarmName,
        alarmDescription: a.alarmDescription,
        namespace: a.custom ? props.metricsNamespace : "AWS/Lambda",
        metricName: a.metricName,
        dimensions: a.custom ? { [METRIC_DIMENSION_SERVICE]: fn } : { FunctionName: fn },
        statistic: a.statistic,
        extendedStatistic: a.extendedStatistic,
        period: a.period ?? 60,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanThreshold",
        threshold: a.threshold,
        treatMissingData: "notBreaching",
        alarmActions: [this.topic.arn],
        okActions: [this.topic.arn],
      });
    }

    new CloudwatchDashboard(this, "dashboard", {
      dashboardName: fn,
      dashboardBody: JSON.stringify(dashboardBody(props)),
    });
  }
}

function dashboardBody(props: PreTokenGenerationMonitoringProps) {
  const fn = props.functionName;
  const lambda = (metric: string, stat = "Sum") => ["AWS/Lambda", metric, "FunctionName", fn, { stat }];
  const custom = (metric: string, stat = "Sum") => [
    props.metricsNamespace,
    metric,
    METRIC_DIMENSION_SERVICE,
    fn,
    { stat },
  ];
  const widget = (title: string, metrics: unknown[][], x: number, y: number) => ({
    type: "metric",
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region: props.region, view: "timeSeries", stacked: false, period: 300, metrics },
  });
  return {
    widgets: [
      widget("Invocations and errors", [lambda("Invocations"), lambda("Errors"), lambda("Throttles")], 0, 0),
      widget(
        "Duration (ms)",
        [
          lambda("Duration", "p50"),
          lambda("Duration", "p90"),
          lambda("Duration", "p99"),
          lambda("Duration", "Maximum"),
        ],
        12,
        0,
      ),
      widget(
        "Users",
        [
          custom(METRIC_NAMES.UsersCreated),
          custom(METRIC_NAMES.UsersFound),
          custom(METRIC_NAMES.ConflictsResolved),
        ],
        0,
        6,
      ),
      widget(
        "Group memberships",
        [custom(METRIC_NAMES.GroupMembershipsAdded), custom(METRIC_NAMES.GroupMembershipsRemoved)],
        12,
        6,
      ),
      widget("Failures", [custom(METRIC_NAMES.SyncFailures), custom(METRIC_NAMES.LoginsDenied)], 0, 12),
      widget(
        "Identity Store latency (ms)",
        [custom(METRIC_NAMES.IdentityStoreLatency, "p50"), custom(METRIC_NAMES.IdentityStoreLatency, "p99")],
        12,
        12,
      ),
    ],
  };
}
