/**
 * CloudWatch metric names emitted (as EMF) by the Pre Token Generation Lambda.
 *
 * This module is part of the contract with the infrastructure code (alarms, dashboard):
 * keep it free of runtime dependencies so `stacks/` can import it without pulling in the
 * AWS SDK or Powertools.
 */

/** Namespace used when `POWERTOOLS_METRICS_NAMESPACE` is not set. */
export const DEFAULT_METRICS_NAMESPACE = "IdcOidcBridge";

/** Service name (the `service` metric dimension and log field) when `POWERTOOLS_SERVICE_NAME` is not set. */
export const DEFAULT_SERVICE_NAME = "pre-token-generation";

/** Name of the single dimension Powertools adds to every metric (value: the service name). */
export const METRIC_DIMENSION_SERVICE = "service";

export const METRIC_NAMES = {
  /** A person signed in for the first time and was created in the Identity Store (Count). */
  UsersCreated: "UsersCreated",
  /** A person was already in the Identity Store (Count). */
  UsersFound: "UsersFound",
  /** CreateUser lost a race with a concurrent sign-in and the existing user was used (Count). */
  ConflictsResolved: "ConflictsResolved",
  /** Group memberships created by group sync (Count). */
  GroupMembershipsAdded: "GroupMembershipsAdded",
  /** Group memberships deleted by group sync (Count). */
  GroupMembershipsRemoved: "GroupMembershipsRemoved",
  /** Invocations where the Identity Store failed or did not answer in time (Count). */
  SyncFailures: "SyncFailures",
  /** Invocations that refused the sign-in, for any reason: the person cannot sign in (Count). */
  LoginsDenied: "LoginsDenied",
  /** Duration of each Identity Store API call, retries included (Milliseconds). */
  IdentityStoreLatency: "IdentityStoreLatency",
  /** An IdC user found only by email was adopted: renamed to the email and marked (Count). */
  UsersAdopted: "UsersAdopted",
  /** A mapped IdC group no longer exists: skipped, the sign-in went on (Count, one per group). */
  MappedGroupsMissing: "MappedGroupsMissing",
  /** A bridge-owned IdC user's UserName changed in place because the person's email changed (Count). */
  UsersRenamed: "UsersRenamed",
  /** A bridge-owned IdC user's names, email or enterprise attributes were updated in place (Count). */
  UserAttributesUpdated: "UserAttributesUpdated",
  /** The IdC user a Cognito user was linked to no longer exists: provisioned afresh (Count). */
  LinkedUsersMissing: "LinkedUsersMissing",
  /** A link whose signature did not verify (forged, or written before links were signed) was ignored (Count). */
  LinksIgnored: "LinksIgnored",
  /** Writing custom:idc_user_id or custom:idc_last_sign_in to Cognito failed (tolerated) (Count). */
  CognitoWriteFailures: "CognitoWriteFailures",
} as const;

export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];

/** CloudWatch unit of each metric. */
export const METRIC_UNITS: Readonly<Record<MetricName, "Count" | "Milliseconds">> = {
  UsersCreated: "Count",
  UsersFound: "Count",
  ConflictsResolved: "Count",
  GroupMembershipsAdded: "Count",
  GroupMembershipsRemoved: "Count",
  SyncFailures: "Count",
  LoginsDenied: "Count",
  IdentityStoreLatency: "Milliseconds",
  UsersAdopted: "Count",
  MappedGroupsMissing: "Count",
  UsersRenamed: "Count",
  UserAttributesUpdated: "Count",
  LinkedUsersMissing: "Count",
  CognitoWriteFailures: "Count",
  LinksIgnored: "Count",
};
