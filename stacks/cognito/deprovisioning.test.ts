/**
 * The leavers construct in the synthesized cognito stack, and its IAM proven with the IAM policy simulator
 * (Service Authorization Reference data): per mode, the deprovisioner may delete only what that mode needs,
 * in this identity store, in mapped groups; it reads only its own user pool; the Scheduler role may only
 * invoke this function. IAM cannot check the ownership mark (UserType is no condition key), so
 * "only bridge-owned users" is the function's job, proven in lambda-src/deprovisioning/handler.test.ts.
 */
import { configWith, json, resources, synthBridge, type TerraformJson } from "../../__tests__/helpers/stacks";
import { evaluateOffline, terraformAvailable } from "../../__tests__/helpers/terraform-cli";
import {
  rolePolicies,
  roleTrustPolicy,
  simulateAssumeRole,
  type NamedPolicy,
  type Substitution,
} from "../../__tests__/helpers/iam-simulator";
import type { DeprovisionMode } from "../../lambda-src/deprovisioning/contract";
import {
  ACCOUNT,
  allowed,
  COGNITO_VALUES,
  group,
  groupId as GROUP,
  membership,
  POOL,
  ROLE,
  stackFor as synthesizedStack,
  STORE,
  synthMode,
  user,
} from "./test-support/deprovisioning";

const OTHER_STORE = `arn:aws:identitystore::${ACCOUNT}:identitystore/d-9999999999`;
const OTHER_POOL = `arn:aws:cognito-idp:eu-west-1:${ACCOUNT}:userpool/eu-west-1_Other9`;
const FUNCTION = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:prod-idc-oidc-bridge-deprovisioning`;
const ADMINS = GROUP("aa");
const UNMAPPED = "a1b2c3d4e5-ffff-ffff-ffff-ffffffffffff";

/** Terraform expressions of the cognito stack → test values. */
const VALUES: Substitution[] = [
  ...COGNITO_VALUES,
  [/aws_lambda_function\..*\.arn$/, FUNCTION],
  // The budget table and the event queue (their permissions: deprovisioning-budget/-events.test.ts).
  [/aws_dynamodb_table\..*\.arn$/, `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/${ROLE}-budget`],
  [/aws_sqs_queue\..*\.arn$/, `arn:aws:sqs:eu-west-1:${ACCOUNT}:${ROLE}-events`],
];

/** The stack most tests here look at: the admins group mapped. */
const stackFor = (mode: DeprovisionMode) => synthesizedStack(mode, { "cognito-admins": "platform-admins" });

describe("Deprovisioning construct in the cognito stack", () => {
  const cognito = stackFor("report");
  const fn = () =>
    (Object.values(resources(cognito, "aws_lambda_function")) as TerraformJson[]).find(
      (f) => f.function_name === ROLE,
    )!;

  it("deploys the function with its contract's environment", () => {
    const variables = fn().environment.variables;
    expect(variables).toMatchObject({
      IDENTITY_STORE_ID: expect.stringContaining("identity_store_id"),
      IDENTITY_STORE_REGION: expect.stringContaining("region"),
      USER_POOL_ID: expect.stringMatching(/^\$\{aws_cognito_user_pool\..*\.id\}$/),
      DEPROVISION_MODE: "report",
      BUDGET_TABLE_NAME: expect.stringMatching(
        /^\$\{aws_dynamodb_table\.deprovisioning_budget_table_\w+\.name\}$/,
      ),
      BUDGET_MAX_USERS: "10",
      BUDGET_WINDOW_HOURS: "24",
      POWERTOOLS_SERVICE_NAME: ROLE,
    });
    expect(variables).not.toHaveProperty("MAX_DEPROVISION_PER_RUN");
    expect(variables.GROUP_MAP).toMatch(/^\$\{jsonencode\(/);
    expect(variables).not.toHaveProperty("INACTIVE_DAYS");
    expect(variables).not.toHaveProperty("IDENTITY_STORE_ROLE_ARN");
    expect(fn().timeout).toBe(300);
    // A burst of events queues up behind two concurrent runs instead of starting one run per event.
    expect(fn().reserved_concurrent_executions).toBe(2);
    const withInactivity = synthBridge(
      configWith((c) => {
        c.cognito.provisioning = {
          ...c.cognito.provisioning,
          inactiveDays: 120,
          deprovisionBudget: { maxUsers: 3, windowHours: 6 },
        };
      }),
    ).cognito;
    const other = (Object.values(resources(withInactivity, "aws_lambda_function")) as TerraformJson[]).find(
      (f) => f.function_name === ROLE,
    )!;
    expect(other.environment.variables).toMatchObject({
      INACTIVE_DAYS: "120",
      BUDGET_MAX_USERS: "3",
      BUDGET_WINDOW_HOURS: "6",
    });
    // The JIT Lambda records the day of each sign-in only when inactivity is judged by it.
    const jitOf = (stack: string) =>
      (Object.values(resources(stack, "aws_lambda_function")) as TerraformJson[]).find((f) =>
        String(f.function_name).endsWith("-pre-token-generation"),
      )!;
    expect(jitOf(withInactivity).environment.variables.RECORD_LAST_SIGN_IN).toBe("true");
    expect(jitOf(cognito).environment.variables.RECORD_LAST_SIGN_IN).toBe("false");
  });

  it("an EventBridge rule on this pool's successful AdminDisableUser/AdminDeleteUser CloudTrail events feeds its queue", () => {
    const rules = Object.values(resources(cognito, "aws_cloudwatch_event_rule")) as TerraformJson[];
    expect(rules).toHaveLength(1);
    if (!terraformAvailable()) {
      console.warn("skipped evaluating the event pattern: terraform CLI not found on PATH");
      return;
    }
    // What Terraform sends to EventBridge: the jsonencode expression evaluated, the pool id stubbed.
    const pattern = JSON.parse(
      evaluateOffline(rules[0]!.event_pattern, [[/aws_cognito_user_pool\.[\w-]+\.id/, '"POOL"']]) as string,
    );
    expect(pattern).toEqual({
      source: ["aws.cognito-idp"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: {
        eventSource: ["cognito-idp.amazonaws.com"],
        eventName: ["AdminDisableUser", "AdminDeleteUser"],
        errorCode: [{ exists: false }],
        requestParameters: { userPoolId: ["POOL"] },
      },
    });
    const targets = Object.values(resources(cognito, "aws_cloudwatch_event_target")) as TerraformJson[];
    expect(targets).toHaveLength(1);
    // The rule sends to the SQS event queue (deprovisioning-events.test.ts), never to the function directly.
    expect(targets[0]!.arn).toMatch(/^\$\{aws_sqs_queue\.deprovisioning_events_queue_\w+\.arn\}$/);
    expect(
      (Object.values(resources(cognito, "aws_lambda_permission")) as TerraformJson[]).filter(
        (p) => p.principal === "events.amazonaws.com",
      ),
    ).toEqual([]);
  });

  it("an EventBridge Scheduler schedule (daily by default, UTC) sends the reconcile input with its own role", async () => {
    const [, schedule] = Object.entries(resources(cognito, "aws_scheduler_schedule"))[0]!;
    expect(schedule).toMatchObject({
      schedule_expression: "rate(1 day)",
      schedule_expression_timezone: "UTC",
      flexible_time_window: { mode: "OFF" },
    });
    expect(JSON.parse(schedule.target.input)).toEqual({ action: "reconcile" });
    const custom = synthBridge(
      configWith((c) => {
        c.cognito.provisioning = {
          ...c.cognito.provisioning,
          deprovisionSchedule: "cron(0 4 ? * MON-FRI *)",
        };
      }),
    ).cognito;
    expect(Object.values(resources(custom, "aws_scheduler_schedule"))[0]).toMatchObject({
      schedule_expression: "cron(0 4 ? * MON-FRI *)",
    });

    const schedulerRole = `${ROLE}-scheduler`;
    const trust = roleTrustPolicy(cognito, schedulerRole, VALUES);
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/${schedulerRole}`;
    const assume = (account: string) =>
      simulateAssumeRole({
        trustPolicy: trust,
        roleArn,
        principal: "scheduler.amazonaws.com",
        context: { "aws:SourceAccount": account },
      });
    expect((await assume(ACCOUNT)).allowed).toBe(true);
    expect((await assume("222222222222")).allowed).toBe(false);
    const policies = rolePolicies(cognito, schedulerRole, VALUES);
    expect(await allowed(policies, "lambda:InvokeFunction", { function: FUNCTION })).toBe(true);
    expect(
      await allowed(policies, "lambda:InvokeFunction", {
        function: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:prod-idc-oidc-bridge-pre-token-generation`,
      }),
    ).toBe(false);
  });

  it("alarms on held-back users, report-mode findings, failed runs, errors and the dead-letter queue, to the existing alarm topic", () => {
    const alarms = (
      Object.values(resources(cognito, "aws_cloudwatch_metric_alarm")) as TerraformJson[]
    ).filter((a) => String(a.alarm_name).startsWith(ROLE));
    const byMetric = Object.fromEntries(alarms.map((a) => [a.metric_name, a]));
    expect(Object.keys(byMetric).sort()).toEqual(
      [
        "ApproximateNumberOfMessagesVisible",
        "Errors",
        "LeaversReported",
        "RunFailures",
        "UsersHeldBack",
      ].sort(),
    );
    expect(alarms).toHaveLength(5);
    expect(JSON.stringify(alarms)).not.toContain("CircuitBreakerTripped");
    expect(byMetric.UsersHeldBack).toMatchObject({
      alarm_name: `${ROLE}-users-held-back`,
      namespace: "IdcOidcBridge",
      dimensions: { service: ROLE },
      statistic: "Sum",
      comparison_operator: "GreaterThanThreshold",
      threshold: 0,
    });
    // The description tells the operator what happened and what to do, with the budget's numbers.
    expect(byMetric.UsersHeldBack.alarm_description).toMatch(/10 users per 24 h/);
    expect(byMetric.UsersHeldBack.alarm_description).toContain(
      "cognito.provisioning.deprovisionBudget.maxUsers",
    );
    expect(byMetric.UsersHeldBack.alarm_description).toContain("NOT changed");
    // Any message in the dead-letter queue: an event that failed every delivery.
    expect(byMetric.ApproximateNumberOfMessagesVisible).toMatchObject({
      namespace: "AWS/SQS",
      dimensions: {
        QueueName: expect.stringMatching(
          /^\$\{aws_sqs_queue\.deprovisioning_events_dead-letter-queue_\w+\.name\}$/,
        ),
      },
      comparison_operator: "GreaterThanThreshold",
      threshold: 0,
      treat_missing_data: "notBreaching",
    });
    const topics = Object.keys(resources(cognito, "aws_sns_topic"));
    expect(topics).toHaveLength(1);
    for (const alarm of alarms) expect(alarm.alarm_actions).toEqual([`\${aws_sns_topic.${topics[0]}.arn}`]);
  });

  it("outputs the function name", () => {
    expect(json(cognito).output.deprovisioning_function.value).toBe(ROLE);
  });
});

describe("deprovisioner role, proven with the IAM simulator", () => {
  const reads = async (policies: NamedPolicy[]) => {
    expect(
      await allowed(policies, "identitystore:ListUsers", { Identitystore: STORE, AllUsers: user("*") }),
    ).toBe(true);
    for (const action of ["identitystore:DescribeUser", "identitystore:GetUserId"]) {
      expect(await allowed(policies, action, { Identitystore: STORE, User: user("u-1") })).toBe(true);
    }
    expect(
      await allowed(policies, "identitystore:ListGroupMembershipsForMember", {
        Identitystore: STORE,
        User: user("u-1"),
        AllGroupMemberships: membership("*"),
      }),
    ).toBe(true);
    for (const action of ["cognito-idp:AdminGetUser", "cognito-idp:ListUsers"]) {
      expect(await allowed(policies, action, { userpool: POOL })).toBe(true);
      expect(await allowed(policies, action, { userpool: OTHER_POOL })).toBe(false);
    }
  };
  const neverAllowed = async (policies: NamedPolicy[]) => {
    for (const action of ["identitystore:UpdateUser", "identitystore:DeleteUser"]) {
      expect(await allowed(policies, action, { Identitystore: OTHER_STORE, User: user("u-1") })).toBe(false);
    }
    expect(
      await allowed(policies, "identitystore:UpdateUser", { Identitystore: STORE, User: user("u-1") }),
    ).toBe(false);
    expect(await allowed(policies, "identitystore:CreateUser", { Identitystore: STORE })).toBe(false);
    expect(
      await allowed(policies, "identitystore:CreateGroupMembership", {
        Identitystore: STORE,
        Group: group(ADMINS),
        User: user("u-1"),
      }),
    ).toBe(false);
    for (const action of [
      "cognito-idp:AdminDeleteUser",
      "cognito-idp:AdminDisableUser",
      "cognito-idp:AdminUpdateUserAttributes",
      "cognito-idp:AdminCreateUser",
    ]) {
      expect(await allowed(policies, action, { userpool: POOL })).toBe(false);
    }
    expect(
      await allowed(policies, "identitystore:DeleteGroupMembership", {
        Identitystore: OTHER_STORE,
        Group: group(ADMINS),
        GroupMembership: membership("m-1"),
        User: user("u-1"),
      }),
    ).toBe(false);
  };
  const deleteMembership = (policies: NamedPolicy[], groupId: string) =>
    allowed(policies, "identitystore:DeleteGroupMembership", {
      Identitystore: STORE,
      Group: group(groupId),
      GroupMembership: membership("m-1"),
      User: user("u-1"),
    });
  const deleteUser = (policies: NamedPolicy[]) =>
    allowed(policies, "identitystore:DeleteUser", { Identitystore: STORE, User: user("u-1") });

  it("report: reads only; deletes nothing", async () => {
    const policies = rolePolicies(stackFor("report"), ROLE, VALUES);
    await reads(policies);
    await neverAllowed(policies);
    expect(await deleteMembership(policies, ADMINS)).toBe(false);
    expect(await deleteUser(policies)).toBe(false);
  });

  it("remove-memberships: deletes memberships of mapped groups only, in this store; never users", async () => {
    const policies = rolePolicies(stackFor("remove-memberships"), ROLE, VALUES);
    await reads(policies);
    await neverAllowed(policies);
    expect(await deleteMembership(policies, ADMINS)).toBe(true);
    expect(await deleteMembership(policies, UNMAPPED)).toBe(false);
    expect(await deleteUser(policies)).toBe(false);
  });

  it("remove-memberships without a group map: no delete permission at all", async () => {
    const policies = rolePolicies(synthMode("remove-memberships", {}), ROLE, VALUES);
    expect(await deleteMembership(policies, ADMINS)).toBe(false);
  });

  it("delete-user: deletes users of this store only; never memberships, never other stores", async () => {
    const policies = rolePolicies(stackFor("delete-user"), ROLE, VALUES);
    await reads(policies);
    await neverAllowed(policies);
    expect(await deleteUser(policies)).toBe(true);
    expect(await deleteMembership(policies, ADMINS)).toBe(false);
  });
});
