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

export const IDENTITY_STORE_ACTIONS = [
  "identitystore:ListUsers",
  "identitystore:DescribeUser",
  "identitystore:ListGroupMembershipsForMember",
  "identitystore:DeleteGroupMembership",
  "identitystore:DeleteUser",
] as const;

export const COGNITO_ACTIONS = ["cognito-idp:AdminGetUser", "cognito-idp:ListUsers"] as const;
