import { Fn } from "cdktf";
import type { Construct } from "constructs";
import type { CognitoConfig } from "../../config";
import {
  BUDGET_TABLE_ACTIONS,
  COGNITO_ACTIONS,
  DEPROVISIONING_TIMEOUT_SECONDS,
  ENV_VARS,
  EVENT_QUEUE,
  IDENTITY_STORE_READ_ACTIONS,
  IDENTITY_STORE_WRITE_ACTIONS,
  type DeprovisionMode,
} from "../../lambda-src/deprovisioning/contract";
import {
  identityStoreKmsStatements,
  identityStoreMemberArn,
  type IdentityStoreScope,
} from "../shared/identity-store-policy";
import { NodejsFunction, type PolicyStatement } from "../shared/nodejs-function";
import { hclQuotedContent } from "../shared/terraform-literal";

export interface DeprovisioningFunctionProps {
  readonly functionName: string;
  readonly bundleDir: string;
  /** Mode, deletion budget, inactivity rule and log retention. */
  readonly provisioning: Pick<
    CognitoConfig["provisioning"],
    "deprovision" | "deprovisionBudget" | "inactiveDays" | "logRetentionDays"
  >;
  readonly identityStoreId: string;
  readonly identityStoreRegion: string;
  /** What the function may do in the Identity Store: granted to its own role unless `identityStoreRoleArn`. */
  readonly identityStoreStatements: readonly PolicyStatement[];
  /** Cross-account mode: the role the function assumes for every Identity Store call. */
  readonly identityStoreRoleArn?: string;
  /** Cognito group name → Identity Store group id: the managed groups (the only memberships ever removed). */
  readonly groupMap: Readonly<Record<string, string>>;
  readonly userPoolId: string;
  readonly userPoolArn: string;
  readonly metricsNamespace: string;
  /** The deletion budget's table (DeprovisioningBudget). */
  readonly budgetTable: { readonly name: string; readonly arn: string };
}

/** 256 MB: the function holds two directory listings in memory, nothing else. */
const MEMORY_SIZE_MB = 256;

/**
 * The deprovisioning Lambda with its contract's environment and a role that follows the mode: Identity Store
 * reads in every mode, deletes only as the mode needs; the budget table only in the modes that change
 * anything. Its reserved concurrency makes a burst of events queue up instead of running all at once.
 */
export class DeprovisioningFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: DeprovisioningFunctionProps) {
    const p = props.provisioning;
    const mode = p.deprovision;
    super(scope, id, {
      functionName: props.functionName,
      description: `Leavers: deprovisions IAM Identity Center users whose Cognito user is gone or disabled (mode ${mode})`,
      bundleDir: props.bundleDir,
      memorySizeMb: MEMORY_SIZE_MB,
      timeoutSeconds: DEPROVISIONING_TIMEOUT_SECONDS,
      logRetentionDays: p.logRetentionDays,
      reservedConcurrentExecutions: EVENT_QUEUE.reservedConcurrency,
      environment: deprovisioningEnvironment(props),
      statements: [
        ...(props.identityStoreRoleArn === undefined
          ? props.identityStoreStatements
          : [
              {
                sid: "AssumeIdentityStoreRole",
                actions: ["sts:AssumeRole"],
                resources: [props.identityStoreRoleArn],
              },
            ]),
        { sid: "ReadOwnUserPool", actions: [...COGNITO_ACTIONS], resources: [props.userPoolArn] },
        ...budgetStatements(mode, props.budgetTable.arn),
      ],
    });
  }
}

function deprovisioningEnvironment(props: DeprovisioningFunctionProps): Record<string, string> {
  const p = props.provisioning;
  return {
    [ENV_VARS.identityStoreId]: props.identityStoreId,
    [ENV_VARS.identityStoreRegion]: props.identityStoreRegion,
    [ENV_VARS.userPoolId]: props.userPoolId,
    [ENV_VARS.mode]: p.deprovision,
    // In every mode, so that switching the mode changes the role and this one variable, nothing else.
    [ENV_VARS.budgetTable]: props.budgetTable.name,
    [ENV_VARS.budgetMaxUsers]: String(p.deprovisionBudget.maxUsers),
    [ENV_VARS.budgetWindowHours]: String(p.deprovisionBudget.windowHours),
    [ENV_VARS.groupMap]: groupMapEnvironmentValue(props.groupMap),
    [ENV_VARS.serviceName]: props.functionName,
    [ENV_VARS.metricsNamespace]: props.metricsNamespace,
    ...(p.inactiveDays === undefined ? {} : { [ENV_VARS.inactiveDays]: String(p.inactiveDays) }),
    ...(props.identityStoreRoleArn === undefined
      ? {}
      : { [ENV_VARS.identityStoreRoleArn]: props.identityStoreRoleArn }),
  };
}

/**
 * The budget table's actions, on that table only, in the modes that change users: `report` changes nothing
 * and so spends no budget (its role follows the mode, like the Identity Store writes).
 */
export function budgetStatements(mode: DeprovisionMode, tableArn: string): PolicyStatement[] {
  if (mode === "report") return [];
  return [{ sid: "SpendDeletionBudget", actions: [...BUDGET_TABLE_ACTIONS], resources: [tableArn] }];
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
