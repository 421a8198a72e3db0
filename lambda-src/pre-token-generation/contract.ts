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
  /** Optional, `true` or `false` (default): adopt a person found only by email (rename + mark as managed). */
  adoptExistingUsers: "ADOPT_EXISTING_USERS",
  /** Optional JSON array of upstream provider names whose emails count as verified (`trustEmail`). Default `[]`. */
  trustedEmailProviders: "TRUSTED_EMAIL_PROVIDERS",
  /** Optional Cognito attribute (e.g. `custom:groups`) whose values are unioned with `cognito:groups`. */
  groupsAttribute: "GROUPS_ATTRIBUTE",
  /** Optional app client id of the IAM federation client: its ID tokens get the session-tags claim. */
  iamFederationClientId: "IAM_FEDERATION_CLIENT_ID",
  /** Optional JSON object: enterprise-extension field (department, costCenter, …) → Cognito attribute. */
  enterpriseAttributes: "ENTERPRISE_ATTRIBUTES",
  /** Optional, `true` or `false` (default): keep `custom:idc_last_sign_in` current (at most one write a day). */
  recordLastSignIn: "RECORD_LAST_SIGN_IN",
  /**
   * Required. ARN of the KMS HMAC key (HMAC_256, GENERATE_VERIFY_MAC) the link key is derived from, with one
   * kms:GenerateMac call per container (see lambda-src/shared/link.ts).
   */
  linkKeyArn: "LINK_KEY_ARN",
  /** Optional role ARN in the IdC account to assume for every Identity Store call (cross-account mode). */
  identityStoreRoleArn: "IDENTITY_STORE_ROLE_ARN",
  /** Optional CloudWatch namespace for the metrics, default `IdcOidcBridge`. */
  metricsNamespace: "POWERTOOLS_METRICS_NAMESPACE",
  /** Optional service name (log field and metric dimension), default `pre-token-generation`. */
  serviceName: "POWERTOOLS_SERVICE_NAME",
} as const;

/** Claim added to both the ID token and the access token. */
export const IDENTITY_STORE_USER_ID_CLAIM = "identity_store_user_id";
/** The exact IdC UserName, in the ID and access tokens (the trusted token issuer matches it to `userName`). */
export const IDC_USER_NAME_CLAIM = "idc_user_name";
/** ID-token claim with IAM session tags, only for tokens issued to the IAM federation client. */
export const AWS_SESSION_TAGS_CLAIM = "https://aws.amazon.com/tags";
/** Session tag keys inside `principal_tags`: groups as `:g1:g2:` and the email. */
export const SESSION_TAG_KEYS = { groups: "groups", email: "email" } as const;

/** Fields of the Identity Store enterprise extension (`aws:identitystore:enterprise`) ENTERPRISE_ATTRIBUTES may set. */
export const ENTERPRISE_ATTRIBUTE_FIELDS = [
  "department",
  "costCenter",
  "organization",
  "division",
  "employeeNumber",
] as const;
export type EnterpriseAttributeField = (typeof ENTERPRISE_ATTRIBUTE_FIELDS)[number];

/** Cognito custom attribute (declared in the pool schema, writable by no app client) with the linked IdC user id. */
export const IDC_USER_ID_ATTRIBUTE = "custom:idc_user_id";
/**
 * Cognito custom attribute (declared in the pool schema, writable by no app client) with the link's signature:
 * an HMAC over (user pool id, sub, IdC user id). A link without a valid signature is ignored.
 */
export const LINK_SIGNATURE_ATTRIBUTE = "custom:idc_link_sig";
/** Cognito custom attribute with the day (YYYY-MM-DD, UTC) of the person's last sign-in, when recorded. */
export const LAST_SIGN_IN_ATTRIBUTE = "custom:idc_last_sign_in";
/** Ownership mark: the IdC `UserType` of every user the bridge created. Only these may ever be deleted. */
export const BRIDGE_USER_TYPE = "idc-oidc-bridge";
/**
 * The mark of a user the bridge adopted (ADOPT_EXISTING_USERS): managed (renamed, updated, memberships kept in
 * step) like a created one, but never deleted. Only a user whose UserType is unset is ever adopted.
 */
export const BRIDGE_ADOPTED_USER_TYPE = "idc-oidc-bridge-adopted";

/**
 * Identity Store API actions the function calls (for its least-privilege role).
 * The List/Create/Delete membership actions are only used when GROUP_MAP is not empty.
 */
export const IDENTITY_STORE_ACTIONS = [
  "identitystore:GetUserId",
  "identitystore:DescribeUser",
  "identitystore:CreateUser",
  "identitystore:UpdateUser",
  "identitystore:ListGroupMembershipsForMember",
  "identitystore:CreateGroupMembership",
  "identitystore:DeleteGroupMembership",
] as const;

/** KMS actions on the link key (and on nothing else): deriving the link key, once per container. */
export const LINK_KEY_ACTIONS = ["kms:GenerateMac"] as const;

/** Cognito API actions the function calls, on its own user pool only (linking the IdC user id). */
export const COGNITO_ACTIONS = ["cognito-idp:AdminUpdateUserAttributes"] as const;
