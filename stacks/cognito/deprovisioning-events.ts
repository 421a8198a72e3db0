import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { SqsQueueRedriveAllowPolicy } from "@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import {
  DEPROVISIONING_TIMEOUT_SECONDS,
  EVENT_QUEUE,
  EVENT_QUEUE_ACTIONS,
  TRIGGER_EVENT_NAMES,
} from "../../lambda-src/deprovisioning/contract";
import type { NodejsFunction } from "../shared/nodejs-function";

export interface DeprovisioningEventsProps {
  /** The function the events reach (its role gets the queue's receive permissions). */
  readonly fn: NodejsFunction;
  readonly functionName: string;
  readonly userPoolId: string;
}

/** The queues' names: fixed by the function's name (alarms and operators name them). */
export function eventQueueNames(functionName: string) {
  return { queue: `${functionName}-events`, deadLetterQueue: `${functionName}-events-dlq` };
}

/** Days a message stays in the event queue (SQS's default) and in its dead-letter queue (SQS's maximum). */
const QUEUE_RETENTION_SECONDS = 4 * 24 * 3600;
const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;
/**
 * AWS's guidance for an SQS event source: a visibility timeout of at least six times the function's timeout
 * plus the batching window, so a batch still being retried after throttling is not delivered twice.
 */
export const EVENT_QUEUE_VISIBILITY_TIMEOUT_SECONDS =
  6 * DEPROVISIONING_TIMEOUT_SECONDS + EVENT_QUEUE.maximumBatchingWindowSeconds;

/**
 * The event-driven trigger: an EventBridge rule on this pool's CloudTrail events (AdminDisableUser,
 * AdminDeleteUser) sends them to an SQS queue (encrypted, a dead-letter queue behind it), and an event source
 * mapping hands them to the function in batches. A burst queues up behind the function's reserved
 * concurrency instead of starting one run per event, and an event the function fails on is retried, then
 * parked in the dead-letter queue (alarmed), never lost.
 */
export class DeprovisioningEvents extends Construct {
  public readonly rule: CloudwatchEventRule;
  public readonly queue: SqsQueue;
  public readonly deadLetterQueue: SqsQueue;

  constructor(scope: Construct, id: string, props: DeprovisioningEventsProps) {
    super(scope, id);
    const fn = props.functionName;
    const names = eventQueueNames(fn);

    this.deadLetterQueue = new SqsQueue(this, "dead-letter-queue", {
      name: names.deadLetterQueue,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
    });
    this.queue = new SqsQueue(this, "queue", {
      name: names.queue,
      // SSE-SQS: EventBridge can send to it (with SSE-KMS it would need the key's policy too).
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: QUEUE_RETENTION_SECONDS,
      visibilityTimeoutSeconds: EVENT_QUEUE_VISIBILITY_TIMEOUT_SECONDS,
      redrivePolicy: Fn.jsonencode({
        deadLetterTargetArn: this.deadLetterQueue.arn,
        maxReceiveCount: EVENT_QUEUE.maxReceiveCount,
      }),
    });
    // Its own resource: on the queue itself it would name the event queue, which names it (a cycle).
    new SqsQueueRedriveAllowPolicy(this, "dead-letter-queue-redrive-allow", {
      queueUrl: this.deadLetterQueue.url,
      redriveAllowPolicy: Fn.jsonencode({
        redrivePermission: "byQueue",
        sourceQueueArns: [this.queue.arn],
      }),
    });

    // CloudTrail management events of this pool reach the default bus (needs a trail).
    this.rule = new CloudwatchEventRule(this, "rule", {
      name: fn,
      description: `Cognito ${TRIGGER_EVENT_NAMES.join("/")} in the bridge's user pool → ${fn}`,
      // jsonencode, not JSON.stringify: the pool id is a reference, and a JSON string with one breaks cdktf's HCL.
      eventPattern: Fn.jsonencode(cloudTrailEventPattern(props.userPoolId)),
    });
    this.rule.moveFromId("aws_cloudwatch_event_rule.deprovisioning_cloudtrail-rule_CD72E73D");
    const queuePolicy = new SqsQueuePolicy(this, "queue-policy", {
      queueUrl: this.queue.url,
      policy: new DataAwsIamPolicyDocument(this, "queue-policy-document", {
        statement: [
          {
            sid: "CloudTrailRuleSends",
            actions: ["sqs:SendMessage"],
            resources: [this.queue.arn],
            principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
            condition: [{ test: "ArnEquals", variable: "aws:SourceArn", values: [this.rule.arn] }],
          },
        ],
      }).json,
    });
    new CloudwatchEventTarget(this, "target", {
      rule: this.rule.name,
      arn: this.queue.arn,
      targetId: "deprovisioning",
      // No delivery before the queue accepts it.
      dependsOn: [queuePolicy],
    }).moveFromId("aws_cloudwatch_event_target.deprovisioning_cloudtrail-target_8647229E");

    const receive = props.fn.addPolicy("event-queue", [
      { sid: "ReceiveCloudTrailEvents", actions: [...EVENT_QUEUE_ACTIONS], resources: [this.queue.arn] },
    ]);
    new LambdaEventSourceMapping(this, "event-source-mapping", {
      eventSourceArn: this.queue.arn,
      functionName: props.fn.arn,
      batchSize: EVENT_QUEUE.batchSize,
      maximumBatchingWindowInSeconds: EVENT_QUEUE.maximumBatchingWindowSeconds,
      // Only the failed records of a batch come back (the handler answers { batchItemFailures }).
      functionResponseTypes: ["ReportBatchItemFailures"],
      // No more pollers than the reserved concurrency: throttled batches would count towards the DLQ.
      scalingConfig: { maximumConcurrency: EVENT_QUEUE.reservedConcurrency },
      // Lambda checks the role's SQS permissions when the mapping is created.
      dependsOn: [receive],
    });
  }
}

/** The EventBridge pattern for successful AdminDisableUser / AdminDeleteUser calls on this pool. */
export function cloudTrailEventPattern(userPoolId: string) {
  return {
    source: ["aws.cognito-idp"],
    "detail-type": ["AWS API Call via CloudTrail"],
    detail: {
      eventSource: ["cognito-idp.amazonaws.com"],
      eventName: [...TRIGGER_EVENT_NAMES],
      // Failed calls are recorded too; they changed nothing.
      errorCode: [{ exists: false }],
      requestParameters: { userPoolId: [userPoolId] },
    },
  };
}
