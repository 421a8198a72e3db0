/**
 * The Lambda's contract with the infrastructure code: environment variable names, the claim it
 * adds and the Identity Store actions it calls. Free of runtime dependencies on purpose.
 */

/** Environment variables read at cold start (see config.ts for the accepted values). */
export const ENV_VARS = {
  /** Required. `d-` followed by 10 lowercase hex digits, or a UUID. */
  identityStoreId: "IDENTITY_STORE_ID",
  /** Required. Region of the IAM Identity Center instance, e.g. `eu-west-1`. */
  identityStoreRegion: "IDENTITY_STORE_REGION",
  /** Optional, `true` (default) or `false`. */
  requireVerifiedEmail: "REQUIRE_VERIFIED_EMAIL",
  /** Optional, `deny` (default) or `allow`. */
  onSyncFailure: "ON_SYNC_FAILURE",
  /** Optional JSON object: Cognito group name → Identity Store group id. Default `{}` (group sync off). */
  groupMap: "GROUP_MAP",
  /** Optional CloudWatch namespace for the metrics, default `IdcOidcBridge`. */
  metricsNamespace: "POWERTOOLS_METRICS_NAMESPACE",
  /** Optional service name (log field and metric dimension), default `pre-token-generation`. */
  serviceName: "POWERTOOLS_SERVICE_NAME",
} as const;

/** Claim added to both the ID token and the access token. */
export const IDENTITY_STORE_USER_ID_CLAIM = "identity_store_user_id";

/**
 * Identity Store API actions the function calls (for its least-privilege role).
 * The List/Create/Delete membership actions are only used when GROUP_MAP is not empty.
 */
export const IDENTITY_STORE_ACTIONS = [
  "identitystore:GetUserId",
  "identitystore:CreateUser",
  "identitystore:ListGroupMembershipsForMember",
  "identitystore:CreateGroupMembership",
  "identitystore:DeleteGroupMembership",
] as const;
