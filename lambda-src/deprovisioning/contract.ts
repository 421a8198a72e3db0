/**
 * The deprovisioning Lambda's contract with the infrastructure code: environment variable names, modes and
 * the API actions it calls. Free of runtime dependencies on purpose (stacks/ imports it).
 */

export const ENV_VARS = {
  /** Required. `d-` followed by 10 lowercase hex digits, or a UUID. */
  identityStoreId: "IDENTITY_STORE_ID",
  /** Required. Region of the IAM Identity Center instance. */
  identityStoreRegion: "IDENTITY_STORE_REGION",
  /** Optional role ARN in the IdC account to assume for every Identity Store call (cross-account mode). */
  identityStoreRoleArn: "IDENTITY_STORE_ROLE_ARN",
  /** Required. The user pool whose people the bridge provisioned. */
  userPoolId: "USER_POOL_ID",
  /** Optional, one of DEPROVISION_MODES (default `report`). */
  mode: "DEPROVISION_MODE",
  /**
   * Required unless the mode is `report`: the DynamoDB table of the deletion budget (BUDGET_TABLE below). Every
   * destructive change first reserves a slot in it with a conditional write; no slot, no change.
   */
  budgetTable: "BUDGET_TABLE_NAME",
  /** Optional, 1–1000 (default 10): users changed destructively per rolling window, across all invocations. */
  budgetMaxUsers: "BUDGET_MAX_USERS",
  /** Optional, 1–720 (default 24): the rolling window of the budget, in hours. */
  budgetWindowHours: "BUDGET_WINDOW_HOURS",
  /** Optional positive integer: also deprovision people whose last recorded sign-in is older. */
  inactiveDays: "INACTIVE_DAYS",
  /** Optional JSON object: Cognito group name → Identity Store group id (the managed groups). Default `{}`. */
  groupMap: "GROUP_MAP",
  /** Optional CloudWatch namespace for the metrics, default `IdcOidcBridge`. */
  metricsNamespace: "POWERTOOLS_METRICS_NAMESPACE",
  /** Optional service name (log field and metric dimension), default `deprovisioning`. */
  serviceName: "POWERTOOLS_SERVICE_NAME",
} as const;

/** `report`: log, metric, alarm, change nothing; `remove-memberships`: drop managed memberships; `delete-user`. */
export const DEPROVISION_MODES = ["report", "remove-memberships", "delete-user"] as const;
export type DeprovisionMode = (typeof DEPROVISION_MODES)[number];

/** The deletion budget's defaults (config `cognito.provisioning.deprovisionBudget`). */
export const DEFAULT_DEPROVISION_BUDGET = { maxUsers: 10, windowHours: 24 } as const;
export const DEPROVISION_BUDGET_LIMITS = {
  maxUsers: { min: 1, max: 1000 },
  windowHours: { min: 1, max: 720 },
} as const;

/**
 * The budget table's shape, shared by the Lambda and the construct that creates it: string partition and sort
 * keys, on-demand billing, encryption, point-in-time recovery, TTL on `ttlAttribute` (epoch seconds) so old
 * entries expire by themselves.
 */
export const BUDGET_TABLE = {
  partitionKey: "pk",
  sortKey: "sk",
  ttlAttribute: "expiresAt",
} as const;

/** DynamoDB actions the function calls, on the budget table only (not in `report` mode). */
export const BUDGET_TABLE_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:Query",
] as const;

/**
 * CloudTrail events reach the function through an SQS queue (with a dead-letter queue): an event source mapping
 * with `ReportBatchItemFailures`, so the handler answers an SQS batch with `{ batchItemFailures }` and only the
 * failed records come back. The schedule still invokes the function directly with RECONCILE_EVENT.
 */
export const EVENT_QUEUE = {
  /** Records per invocation. */
  batchSize: 10,
  /** Seconds the mapping gathers a batch before invoking. */
  maximumBatchingWindowSeconds: 5,
  /** Deliveries before a message moves to the dead-letter queue (the DLQ alarm watches it). */
  maxReceiveCount: 5,
  /** The function's reserved concurrency: a burst queues up instead of running all at once. */
  reservedConcurrency: 2,
} as const;
/** SQS actions the function's role needs for the event source mapping, on the event queue only. */
export const EVENT_QUEUE_ACTIONS = [
  "sqs:ReceiveMessage",
  "sqs:DeleteMessage",
  "sqs:GetQueueAttributes",
] as const;

/**
 * Identity Store actions the function calls. Reads in every mode; DeleteGroupMembership only in
 * `remove-memberships` mode, DeleteUser only in `delete-user` mode (the role follows the mode).
 */
export const IDENTITY_STORE_READ_ACTIONS = [
  "identitystore:ListUsers",
  "identitystore:DescribeUser",
  "identitystore:GetUserId",
  "identitystore:ListGroupMembershipsForMember",
] as const;
export const IDENTITY_STORE_WRITE_ACTIONS = {
  report: [],
  "remove-memberships": ["identitystore:DeleteGroupMembership"],
  "delete-user": ["identitystore:DeleteUser"],
} as const satisfies Record<DeprovisionMode, readonly string[]>;
export const IDENTITY_STORE_ACTIONS = [
  ...IDENTITY_STORE_READ_ACTIONS,
  "identitystore:DeleteGroupMembership",
  "identitystore:DeleteUser",
] as const;

/** Cognito API actions the function calls, on its own user pool only (reads). */
export const COGNITO_ACTIONS = ["cognito-idp:AdminGetUser", "cognito-idp:ListUsers"] as const;

/** The CloudTrail events (Cognito API calls on the user pool) that trigger a targeted check. */
export const TRIGGER_EVENT_NAMES = ["AdminDisableUser", "AdminDeleteUser"] as const;

/** Input the schedule sends: run the full reconciliation. */
export const RECONCILE_EVENT = { action: "reconcile" } as const;

/** Namespace used when `POWERTOOLS_METRICS_NAMESPACE` is not set. */
export const DEFAULT_METRICS_NAMESPACE = "IdcOidcBridge";
/** Service name (the `service` metric dimension and log field) when `POWERTOOLS_SERVICE_NAME` is not set. */
export const DEFAULT_SERVICE_NAME = "deprovisioning";
/** The single dimension of every metric (value: the service name). */
export const METRIC_DIMENSION_SERVICE = "service";

/** CloudWatch metrics (EMF, unit Count) of a run. */
export const METRIC_NAMES = {
  /** Bridge-owned IdC users that are leavers (Cognito user gone, disabled, or inactive), in any mode. */
  LeaversFound: "LeaversFound",
  /** Leavers found in `report` mode: nothing was changed, someone must act (the alarm watches it). */
  LeaversReported: "LeaversReported",
  /** Managed group memberships deleted (`remove-memberships`). */
  MembershipsRemoved: "MembershipsRemoved",
  /** IdC users deleted (`delete-user`). */
  UsersDeleted: "UsersDeleted",
  /** Users not changed because the deletion budget was spent (the alarm watches it); each is named in an ERROR log. */
  UsersHeldBack: "UsersHeldBack",
  /** Runs that failed (an API error or the deadline), with whatever they changed before (the alarm watches it). */
  RunFailures: "RunFailures",
  /** Users skipped right before a change because they no longer carry the ownership mark. */
  OwnershipChecksFailed: "OwnershipChecksFailed",
} as const;
export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];
/** Every metric is a count. */
export const METRIC_UNITS = Object.fromEntries(
  Object.values(METRIC_NAMES).map((name) => [name, "Count"]),
) as Readonly<Record<MetricName, "Count">>;

/** The function's timeout: a reconciliation pages through both directories at the APIs' rate limits. */
export const DEPROVISIONING_TIMEOUT_SECONDS = 300;
