/**
 * CloudTrail events reach the deprovisioner through an SQS queue with a dead-letter queue (issue 18 item 1):
 * the queue's settings as Terraform computes them (Terraform CLI), the event source mapping, and every
 * permission on the way proven with the IAM policy simulator: the function's role may receive only from this
 * queue, and the queue's resource policy lets only EventBridge send, and only for this rule.
 */
import { resources, type TerraformJson } from "../../__tests__/helpers/stacks";
import { evaluateOffline, terraformAvailable } from "../../__tests__/helpers/terraform-cli";
import {
  policyDocument,
  rolePolicies,
  simulate,
  simulateAction,
  type NamedPolicy,
  type Substitution,
} from "../../__tests__/helpers/iam-simulator";
import {
  DEPROVISIONING_TIMEOUT_SECONDS,
  EVENT_QUEUE,
  EVENT_QUEUE_ACTIONS,
} from "../../lambda-src/deprovisioning/contract";
import { arn, COGNITO_VALUES, ROLE, stackFor } from "./test-support/deprovisioning";

const QUEUE = arn("sqs", `${ROLE}-events`);
const DLQ = arn("sqs", `${ROLE}-events-dlq`);
const OTHER_QUEUE = arn("sqs", "prod-some-other-queue");
const RULE = arn("events", `rule/${ROLE}`);
const OTHER_RULE = arn("events", "rule/someone-elses-rule");
const TABLE = arn("dynamodb", `table/${ROLE}-budget`);

/** Terraform expressions of the cognito stack → test values. */
const VALUES: Substitution[] = [
  ...COGNITO_VALUES,
  [/aws_dynamodb_table\.deprovisioning_budget_table_\w+\.arn$/, TABLE],
  [/aws_sqs_queue\.deprovisioning_events_queue_\w+\.arn$/, QUEUE],
  [/aws_sqs_queue\.deprovisioning_events_dead-letter-queue_\w+\.arn$/, DLQ],
  [/aws_cloudwatch_event_rule\.deprovisioning_events_rule_\w+\.arn$/, RULE],
];

/** The one deprovisioning resource of `type` whose logical id starts with `deprovisioning_events_<name>_`. */
function eventsResource(stack: string, type: string, name: string): [string, TerraformJson] {
  const found = Object.entries(resources(stack, type)).filter(([id]) =>
    new RegExp(`^deprovisioning_events_${name}_[0-9A-F]{8}$`).test(id),
  );
  expect(found).toHaveLength(1);
  return found[0] as [string, TerraformJson];
}

describe("the event queue", () => {
  const cognito = stackFor("report");
  const [queueId, queue] = eventsResource(cognito, "aws_sqs_queue", "queue");
  const [dlqId, dlq] = eventsResource(cognito, "aws_sqs_queue", "dead-letter-queue");

  it("is encrypted, hides a batch longer than six function timeouts and parks failures in an encrypted DLQ for 14 days", () => {
    expect(queue).toMatchObject({ name: `${ROLE}-events`, sqs_managed_sse_enabled: true });
    // AWS's guidance for SQS event sources: ≥ 6 × the function's timeout (+ the batching window).
    expect(queue.visibility_timeout_seconds).toBeGreaterThanOrEqual(
      6 * DEPROVISIONING_TIMEOUT_SECONDS + EVENT_QUEUE.maximumBatchingWindowSeconds,
    );
    // SQS's limit (CreateQueue, VisibilityTimeout: 0 to 43,200 seconds).
    expect(queue.visibility_timeout_seconds).toBeLessThanOrEqual(43_200);
    expect(dlq).toMatchObject({
      name: `${ROLE}-events-dlq`,
      sqs_managed_sse_enabled: true,
      message_retention_seconds: 14 * 24 * 3600,
    });
    // A message keeps its first enqueue time in the DLQ: the DLQ must keep it longer than the queue does.
    expect(dlq.message_retention_seconds).toBeGreaterThan(queue.message_retention_seconds);
  });

  it("redrives after maxReceiveCount deliveries to its DLQ, which accepts redrives from this queue only (as Terraform computes them)", () => {
    const [, allow] = eventsResource(
      cognito,
      "aws_sqs_queue_redrive_allow_policy",
      "dead-letter-queue-redrive-allow",
    );
    expect(allow.queue_url).toBe(`\${aws_sqs_queue.${dlqId}.url}`);
    if (!terraformAvailable()) {
      console.warn("skipped evaluating the redrive policies: terraform CLI not found on PATH");
      return;
    }
    const [redrive, redriveAllow] = String(
      evaluateOffline(`${queue.redrive_policy}\n${allow.redrive_allow_policy}`, [
        [new RegExp(`aws_sqs_queue\\.${dlqId}\\.arn`), `"${DLQ}"`],
        [new RegExp(`aws_sqs_queue\\.${queueId}\\.arn`), `"${QUEUE}"`],
      ]),
    )
      .split("\n")
      .map((text) => JSON.parse(text));
    expect(redrive).toEqual({ deadLetterTargetArn: DLQ, maxReceiveCount: EVENT_QUEUE.maxReceiveCount });
    expect(redriveAllow).toEqual({ redrivePermission: "byQueue", sourceQueueArns: [QUEUE] });
  });

  it("feeds the function in batches through an event source mapping that reports partial batch failures", () => {
    const [, mapping] = eventsResource(cognito, "aws_lambda_event_source_mapping", "event-source-mapping");
    expect(mapping).toMatchObject({
      event_source_arn: `\${aws_sqs_queue.${queueId}.arn}`,
      function_name: expect.stringMatching(/^\$\{aws_lambda_function\.deprovisioning_function_\w+\.arn\}$/),
      batch_size: EVENT_QUEUE.batchSize,
      maximum_batching_window_in_seconds: EVENT_QUEUE.maximumBatchingWindowSeconds,
      function_response_types: ["ReportBatchItemFailures"],
    });
    // No more pollers than the function may run at once: a throttled batch would count towards the DLQ.
    const fn = Object.entries(resources(cognito, "aws_lambda_function")).find(([id]) =>
      id.startsWith("deprovisioning_function_"),
    )![1];
    expect(fn.reserved_concurrent_executions).toBe(EVENT_QUEUE.reservedConcurrency);
    expect(mapping.scaling_config.maximum_concurrency).toBeLessThanOrEqual(fn.reserved_concurrent_executions);
    // SQS's limit for maximum concurrency is 2 at least (CreateEventSourceMapping, ScalingConfig).
    expect(mapping.scaling_config.maximum_concurrency).toBeGreaterThanOrEqual(2);
    // Lambda checks the role's SQS permissions when it creates the mapping: it must wait for them.
    const receivePolicy = Object.keys(resources(cognito, "aws_iam_role_policy")).find((id) =>
      id.startsWith("deprovisioning_function_event-queue-role-policy_"),
    );
    expect(mapping.depends_on).toEqual([`aws_iam_role_policy.${receivePolicy}`]);
  });
});

describe("SQS permissions, proven with the IAM simulator", () => {
  const allowed = async (policies: readonly NamedPolicy[], action: string, queue: string) =>
    (await simulateAction({ identityPolicies: policies, action, resources: { queue } })).allowed;

  it.each(["report", "remove-memberships", "delete-user"] as const)(
    "%s: the function's role receives and deletes messages of its event queue only",
    async (mode) => {
      const policies = rolePolicies(stackFor(mode), ROLE, VALUES);
      for (const action of EVENT_QUEUE_ACTIONS) {
        expect(await allowed(policies, action, QUEUE)).toBe(true);
        expect(await allowed(policies, action, OTHER_QUEUE)).toBe(false);
        expect(await allowed(policies, action, DLQ)).toBe(false);
      }
      for (const action of [
        "sqs:SendMessage",
        "sqs:PurgeQueue",
        "sqs:DeleteQueue",
        "sqs:SetQueueAttributes",
      ]) {
        expect(await allowed(policies, action, QUEUE)).toBe(false);
      }
    },
  );

  describe("the queue's resource policy", () => {
    const cognito = stackFor("report");
    const [, queuePolicy] = eventsResource(cognito, "aws_sqs_queue_policy", "queue-policy");
    const [queueId] = eventsResource(cognito, "aws_sqs_queue", "queue");
    const documentId = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(queuePolicy.policy)![1]!;
    const policy = policyDocument(cognito, documentId, VALUES);
    const send = (principal: string, context: Record<string, string>, action = "sqs:SendMessage") =>
      simulate({ identityPolicies: [], action, resource: QUEUE, principal, resourcePolicy: policy, context });

    it("is on the event queue, and in place before the rule's target sends to it", () => {
      expect(queuePolicy.queue_url).toBe(`\${aws_sqs_queue.${queueId}.url}`);
      const [policyId] = eventsResource(cognito, "aws_sqs_queue_policy", "queue-policy");
      const [, target] = eventsResource(cognito, "aws_cloudwatch_event_target", "target");
      expect(target.depends_on).toEqual([`aws_sqs_queue_policy.${policyId}`]);
    });

    it("lets EventBridge send for this rule", async () => {
      expect((await send("events.amazonaws.com", { "aws:SourceArn": RULE })).allowed).toBe(true);
    });

    it("refuses EventBridge for another rule, or with no source rule", async () => {
      expect((await send("events.amazonaws.com", { "aws:SourceArn": OTHER_RULE })).allowed).toBe(false);
      expect((await send("events.amazonaws.com", {})).allowed).toBe(false);
    });

    it("refuses any other principal, even naming this rule, and any other action", async () => {
      expect((await send("sns.amazonaws.com", { "aws:SourceArn": RULE })).allowed).toBe(false);
      expect((await send(`arn:aws:iam::222222222222:role/intruder`, { "aws:SourceArn": RULE })).allowed).toBe(
        false,
      );
      expect(
        (await send("events.amazonaws.com", { "aws:SourceArn": RULE }, "sqs:ReceiveMessage")).allowed,
      ).toBe(false);
      expect((await send("events.amazonaws.com", { "aws:SourceArn": RULE }, "sqs:PurgeQueue")).allowed).toBe(
        false,
      );
    });
  });
});
