import { Construct } from "constructs";
import type { CognitoConfig } from "../../config";
import type { IdentityStoreCaller } from "../shared/identity-store-policy";
import type { PolicyStatement } from "../shared/nodejs-function";
import { DeprovisioningAlarms } from "./deprovisioning-alarms";
import { DeprovisioningBudget } from "./deprovisioning-budget";
import { DeprovisioningEvents } from "./deprovisioning-events";
import { DeprovisioningFunction, deprovisioningIdentityStoreStatements } from "./deprovisioning-function";
import { DeprovisioningSchedule } from "./deprovisioning-schedule";

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
  /** Mode, deletion budget, inactivity rule, schedule and log retention. */
  readonly provisioning: Pick<
    CognitoConfig["provisioning"],
    "deprovision" | "deprovisionBudget" | "inactiveDays" | "deprovisionSchedule" | "logRetentionDays"
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

/**
 * Leavers: the deprovisioning Lambda (`function`), its deletion budget (`budget`), the CloudTrail events that
 * reach it through an SQS queue (`events`), the scheduled reconciliation (`reconciliation`) and their alarms
 * (`alarms`). Construct ids are part of every resource's Terraform address: resources that moved into the
 * smaller constructs carry a `moved` block from their former address.
 */
export class Deprovisioning extends Construct {
  public readonly fn: DeprovisioningFunction;
  public readonly functionName: string;
  public readonly arn: string;
  /** What the function may do in the Identity Store (granted locally, or by the cross-account role). */
  public readonly identityStoreStatements: readonly PolicyStatement[];
  public readonly budgetTableName: string;
  public readonly eventQueueArn: string;
  public readonly deadLetterQueueArn: string;
  public readonly ruleName: string;
  public readonly scheduleName: string;
  public readonly alarmNames: readonly string[];

  constructor(scope: Construct, id: string, props: DeprovisioningProps) {
    super(scope, id);
    const p = props.provisioning;
    this.identityStoreStatements = deprovisioningIdentityStoreStatements(
      {
        partition: props.account.partition,
        identityStoreArn: props.identityStoreArn,
        ...(props.kmsKeyArn === undefined ? {} : { kmsKeyArn: props.kmsKeyArn }),
      },
      p.deprovision,
      Object.values(props.groupMap),
    );
    const budget = new DeprovisioningBudget(this, "budget", {
      tableName: `${props.functionName}-budget`,
      functionName: props.functionName,
    });
    this.fn = new DeprovisioningFunction(this, "function", {
      functionName: props.functionName,
      bundleDir: props.bundleDir,
      provisioning: p,
      identityStoreId: props.identityStoreId,
      identityStoreRegion: props.identityStoreRegion,
      identityStoreStatements: this.identityStoreStatements,
      ...(props.identityStoreRoleArn === undefined
        ? {}
        : { identityStoreRoleArn: props.identityStoreRoleArn }),
      groupMap: props.groupMap,
      userPoolId: props.userPoolId,
      userPoolArn: props.userPoolArn,
      metricsNamespace: props.metricsNamespace,
      budgetTable: { name: budget.name, arn: budget.arn },
    });
    this.functionName = props.functionName;
    this.arn = this.fn.arn;

    const events = new DeprovisioningEvents(this, "events", {
      fn: this.fn,
      functionName: props.functionName,
      userPoolId: props.userPoolId,
    });
    const reconciliation = new DeprovisioningSchedule(this, "reconciliation", {
      functionName: props.functionName,
      functionArn: this.fn.arn,
      scheduleExpression: p.deprovisionSchedule,
      accountId: props.account.id,
    });
    const alarms = new DeprovisioningAlarms(this, "alarms", {
      functionName: props.functionName,
      metricsNamespace: props.metricsNamespace,
      budget: p.deprovisionBudget,
      deadLetterQueueName: events.deadLetterQueue.name,
      alarmTopicArn: props.alarmTopicArn,
    });

    this.budgetTableName = budget.name;
    this.eventQueueArn = events.queue.arn;
    this.deadLetterQueueArn = events.deadLetterQueue.arn;
    this.ruleName = events.rule.name;
    this.scheduleName = reconciliation.scheduleName;
    this.alarmNames = alarms.alarmNames;
  }
}
