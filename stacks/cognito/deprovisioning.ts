import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import type { CognitoConfig } from "../../config";
import {
  COGNITO_ACTIONS,
  DEPROVISIONING_TIMEOUT_SECONDS,
  ENV_VARS,
  IDENTITY_STORE_READ_ACTIONS,
  IDENTITY_STORE_WRITE_ACTIONS,
  METRIC_DIMENSION_SERVICE,
  METRIC_NAMES,
  RECONCILE_EVENT,
  TRIGGER_EVENT_NAMES,
  type DeprovisionMode,
} from "../../lambda-src/deprovisioning/contract";
import {
  identityStoreKmsStatements,
  identityStoreMemberArn,
  type IdentityStoreCaller,
  type IdentityStoreScope,
} from "../shared/identity-store-policy";
import { NodejsFunction, type PolicyStatement } from "../shared/nodejs-function";
import { hclQuotedContent } from "../shared/terraform-literal";

/** Names this function among the Identity Store callers (its cross-account access role). */
export const DEPROVISIONING_CALLER = "deprovisioning";

/** The function's name, which is also its execution role's name: fixed by the environment (cross-account trust). */
export function deprovisioningFunctionName(environment: string): string {
  return `${environment}-idc-oidc-bridge-deprovisioning`;
}

/**
 * The deprovisioner as an Identity Store caller, for its cross-account access role: the same statements its
 * own role gets in one account, for its mode and the IdC groups `groupMap` maps to.
 */
export function deprovisioningCaller(
  environment: string,
  provisioning: Pick<CognitoConfig["provisioning"], "groupMap" | "deprovision">,
): IdentityStoreCaller {
  return {
    purpose: DEPROVISIONING_CALLER,
    roleName: deprovisioningFunctionName(environment),
    statements: (scope, groupIds) =>
      deprovisioningIdentityStoreStatements(
        scope,
        provisioning.deprovision,
        Object.values(provisioning.groupMap).map((name) => {
          const id = groupIds[name];
          if (id === undefined) throw new Error(`cognito.provisioning.groupMap: unknown IdC group "${name}"`);
          return id;
        }),
      ),
  };
}

export interface DeprovisioningProps {
  readonly functionName: string;
  readonly bundleDir: string;
  /** Mode, circuit-breaker limit, inactivity rule, schedule and log retention. */
  readonly provisioning: Pick<
    CognitoConfig["provisioning"],
    "deprovision" | "maxDeprovisionPerRun" | "inactiveDays" | "deprovisionSchedule" | "logRetentionDays"
  >;
  readonly identityStoreId: string;
  readonly identityStoreArn: string;
  readonly identityStoreRegion: string;
  /** IdC's customer managed KMS key, if any (same-account mode: the function's own role decrypts). */
  readonly kmsKeyArn?: string;
  /** Cognito group name → Identity Store group id: the managed groups (the only memberships ever removed). */
  readonly groupMap: Readonly<Record<string, string>>;
  readonly userPoolId: string;
  readonly userPoolArn: string;
  readonly metricsNamespace: string;
  /** The account and partition of the stack (Scheduler's trust condition, ARNs). */
  readonly account: { readonly id: string; readonly partition: string };
  /** The existing alarm topic (the JIT Lambda's monitoring) the alarms notify. */
  readonly alarmTopicArn: string;
  /**
   * Cross-account mode: the Identity Store access role in the IdC account. The function then assumes it
   * for every Identity Store call and its own role gets only sts:AssumeRole on it; the role's owner grants
   * `identityStoreStatements`.
   */
  readonly identityStoreRoleArn?: string;
}

/** 256 MB: the function holds two directory listings in memory, nothing else. */
const MEMORY_SIZE_MB = 256;

/**
 * Leavers: the deprovisioning Lambda, invoked by an EventBridge rule on CloudTrail events for this user
 * pool (AdminDisableUser, AdminDeleteUser) and by an EventBridge Scheduler schedule (the reconciliation),
 * with alarms on the circuit breaker, report-mode findings and failures.
 */
export class Deprovisioning extends Construct {
  public readonly fn: NodejsFunction;
  public readonly functionName: string;
  public readonly arn: string;
  /** What the function may do in the Identity Store (granted locally, or by the cross-account role). */
  public readonly identityStoreStatements: readonly PolicyStatement[];
  public readonly ruleName: string;
  public readonly scheduleName: string;
  public readonly alarmNames: string[] = [];

  constructor(scope: Construct, id: string, props: DeprovisioningProps) {
    super(scope, id);
    const p = props.provisioning;
    const mode = p.deprovision;
    this.identityStoreStatements = deprovisioningIdentityStoreStatements(
      {
        partition: props.account.partition,
        identityStoreArn: props.identityStoreArn,
        ...(props.kmsKeyArn === undefined ? {} : { kmsKeyArn: props.kmsKeyArn }),
      },
      mode,
      Object.values(props.groupMap),
    );
    const environment: Record<string, string> = {
      [ENV_VARS.identityStoreId]: props.identityStoreId,
      [ENV_VARS.identityStoreRegion]: props.identityStoreRegion,
      [ENV_VARS.userPoolId]: props.userPoolId,
      [ENV_VARS.mode]: mode,
      [ENV_VARS.maxPerRun]: String(p.maxDeprovisionPerRun),
      [ENV_VARS.groupMap]: groupMapEnvironmentValue(props.groupMap),
      [ENV_VARS.serviceName]: props.functionName,
      [ENV_VARS.metricsNamespace]: props.metricsNamespace,
    };
    if (p.inactiveDays !== undefined) environment[ENV_VARS.inactiveDays] = String(p.inactiveDays);
    if (props.identityStoreRoleArn !== undefined) {
      environment[ENV_VARS.identityStoreRoleArn] = props.identityStoreRoleArn;
    }
    const statements: PolicyStatement[] = [
      ...(props.identityStoreRoleArn === undefined
        ? this.identityStoreStatements
        : [
            {
              sid: "AssumeIdentityStoreRole",
              actions: ["sts:AssumeRole"],
              resources: [props.identityStoreRoleArn],
            },
          ]),
      { sid: "ReadOwnUserPool", actions: [...COGNITO_ACTIONS], resources: [props.userPoolArn] },
    ];

    this.fn = new NodejsFunction(this, "function", {
      functionName: props.functionName,
      description: `Leavers: deprovisions IAM Identity Center users whose Cognito user is gone or disabled (mode ${mode})`,
      bundleDir: props.bundleDir,
      memorySizeMb: MEMORY_SIZE_MB,
      timeoutSeconds: DEPROVISIONING_TIMEOUT_SECONDS,
      logRetentionDays: p.logRetentionDays,
      environment,
      statements,
    });
    this.functionName = props.functionName;
    this.arn = this.fn.arn;

    // Event-driven: CloudTrail management events of this pool reach the default bus (needs a trail).
    const rule = new CloudwatchEventRule(this, "cloudtrail-rule", {
      name: props.functionName,
      description: `Cognito ${TRIGGER_EVENT_NAMES.join("/")} in the bridge's user pool → ${props.functionName}`,
      eventPattern: JSON.stringify(cloudTrailEventPattern(props.userPoolId)),
    });
    this.ruleName = rule.name;
    new CloudwatchEventTarget(this, "cloudtrail-target", {
      rule: rule.name,
      arn: this.fn.arn,
      targetId: "deprovisioning",
    });
    new LambdaPermission(this, "events-invoke", {
      statementId: "AllowCloudTrailRule",
      action: "lambda:InvokeFunction",
      functionName: this.fn.functionName,
      principal: "events.amazonaws.com",
      sourceArn: rule.arn,
    });

    // Scheduled reconciliation: its own role, which may invoke only this function.
    const scheduleName = `${props.functionName}-reconcile`;
    const schedulerRole = new IamRole(this, "scheduler-role", {
      name: `${props.functionName}-scheduler`,
      description: `EventBridge Scheduler: invokes ${props.functionName}`,
      assumeRolePolicy: new DataAwsIamPolicyDocument(this, "scheduler-assume-role", {
        statement: [
          {
            actions: ["sts:AssumeRole"],
            principals: [{ type: "Service", identifiers: ["scheduler.amazonaws.com"] }],
            condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [props.account.id] }],
          },
        ],
      }).json,
    });
    new IamRolePolicy(this, "scheduler-role-policy", {
      name: "invoke-deprovisioning",
      role: schedulerRole.id,
      policy: new DataAwsIamPolicyDocument(this, "scheduler-policy", {
        statement: [
          { sid: "InvokeDeprovisioning", actions: ["lambda:InvokeFunction"], resources: [this.fn.arn] },
        ],
      }).json,
    });
    const schedule = new SchedulerSchedule(this, "schedule", {
      name: scheduleName,
      description: `Leavers: reconcile IAM Identity Center with the Cognito user pool (${p.deprovisionSchedule})`,
      scheduleExpression: p.deprovisionSchedule,
      scheduleExpressionTimezone: "UTC",
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: this.fn.arn,
        roleArn: schedulerRole.arn,
        input: JSON.stringify(RECONCILE_EVENT),
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
      },
    });
    this.scheduleName = schedule.name;

    const fn = props.functionName;
    const alarms = [
      {
        name: "circuit-breaker",
        metricName: METRIC_NAMES.CircuitBreakerTripped,
        description: `${fn}: the circuit breaker stopped a run that would have changed more than ${p.maxDeprovisionPerRun} users; nothing was changed. Check the log, then fix the cause or raise maxDeprovisionPerRun.`,
      },
      {
        name: "leavers-reported",
        metricName: METRIC_NAMES.LeaversReported,
        description: `${fn} (report mode) found bridge-owned IAM Identity Center users whose Cognito user is gone, disabled or inactive; nothing was changed. See the log ("Leaver found").`,
      },
      {
        name: "run-failures",
        metricName: METRIC_NAMES.RunFailures,
        description: `${fn}: a deprovisioning run failed (API error or time out); leavers may keep their access.`,
      },
    ];
    for (const a of alarms) {
      const alarmName = `${fn}-${a.name}`;
      this.alarmNames.push(alarmName);
      new CloudwatchMetricAlarm(this, a.name, {
        alarmName,
        alarmDescription: a.description,
        namespace: props.metricsNamespace,
        metricName: a.metricName,
        dimensions: { [METRIC_DIMENSION_SERVICE]: fn },
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        treatMissingData: "notBreaching",
        alarmActions: [props.alarmTopicArn],
      });
    }
    const errorsAlarm = `${fn}-errors`;
    this.alarmNames.push(errorsAlarm);
    new CloudwatchMetricAlarm(this, "errors", {
      alarmName: errorsAlarm,
      alarmDescription: `${fn} failed (function errors, including invalid configuration).`,
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: fn },
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      treatMissingData: "notBreaching",
      alarmActions: [props.alarmTopicArn],
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

/**
 * The Identity Store permissions of the deprovisioner: reads of this store in every mode; only in
 * `remove-memberships` mode DeleteGroupMembership, limited to the mapped groups; only in `delete-user` mode
 * DeleteUser. IAM cannot see the ownership mark (`UserType`): no condition key carries it, so "only
 * bridge-owned users" is enforced by the function (it re-reads the mark before every change) and its tests.
 */
export function deprovisioningIdentityStoreStatements(
  scope: IdentityStoreScope,
  mode: DeprovisionMode,
  groupIds: readonly string[],
): PolicyStatement[] {
  const { identityStoreArn } = scope;
  const arn = (resource: string) => identityStoreMemberArn(scope.partition, resource);
  const anyUser = arn("user/*");
  const mappedGroups = [...new Set(groupIds)];
  const statements: PolicyStatement[] = [
    {
      sid: "ReadUsers",
      actions: IDENTITY_STORE_READ_ACTIONS.filter((a) => a !== "identitystore:ListGroupMembershipsForMember"),
      resources: [identityStoreArn, anyUser],
    },
    {
      sid: "ReadMemberships",
      actions: ["identitystore:ListGroupMembershipsForMember"],
      resources: [identityStoreArn, anyUser, arn("membership/*")],
    },
  ];
  const writes: readonly string[] = IDENTITY_STORE_WRITE_ACTIONS[mode];
  if (writes.includes("identitystore:DeleteGroupMembership") && mappedGroups.length > 0) {
    statements.push({
      // IAM evaluates the membership's group too: only mapped groups match.
      sid: "RemoveManagedMemberships",
      actions: ["identitystore:DeleteGroupMembership"],
      resources: [
        identityStoreArn,
        anyUser,
        arn("membership/*"),
        ...mappedGroups.map((g) => arn(`group/${g}`)),
      ],
    });
  }
  if (writes.includes("identitystore:DeleteUser")) {
    statements.push({
      sid: "DeleteLeavers",
      actions: ["identitystore:DeleteUser"],
      resources: [identityStoreArn, anyUser],
    });
  }
  return [...statements, ...identityStoreKmsStatements(scope)];
}

/** GROUP_MAP as the JIT Lambda gets it (group ids come from remote state; names as HCL string content). */
function groupMapEnvironmentValue(groupMap: Readonly<Record<string, string>>): string {
  if (Object.keys(groupMap).length === 0) return "{}";
  return Fn.jsonencode(
    Object.fromEntries(Object.entries(groupMap).map(([name, id]) => [hclQuotedContent(name), id])),
  );
}
