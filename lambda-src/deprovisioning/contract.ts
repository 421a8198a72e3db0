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
  /** Optional positive integer (default 10): a run that would touch more users stops and alarms instead. */
  maxPerRun: "MAX_DEPROVISION_PER_RUN",
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

export const DEFAULT_MAX_DEPROVISION_PER_RUN = 10;

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
  /** Runs stopped by the circuit breaker: more than MAX_DEPROVISION_PER_RUN users to change (the alarm watches it). */
  CircuitBreakerTripped: "CircuitBreakerTripped",
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
