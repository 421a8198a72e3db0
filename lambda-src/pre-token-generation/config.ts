import { ENTERPRISE_ATTRIBUTE_FIELDS, ENV_VARS, type EnterpriseAttributeField } from "./contract";
import { EnvReader, type Environment, show, showJson } from "../shared/env";
import { DEFAULT_METRICS_NAMESPACE, DEFAULT_SERVICE_NAME } from "./metric-names";

export type OnSyncFailure = "deny" | "allow";

export interface Config {
  readonly identityStoreId: string;
  readonly identityStoreRegion: string;
  readonly requireVerifiedEmail: boolean;
  readonly onSyncFailure: OnSyncFailure;
  /** Cognito group name → Identity Store group id. Empty: group sync is off. */
  readonly groupMap: ReadonlyMap<string, string>;
  /** Adopt an IdC user found only by email (rename it to the email and mark it as managed). */
  readonly adoptExistingUsers: boolean;
  /** Upstream provider names whose emails count as verified. */
  readonly trustedEmailProviders: ReadonlySet<string>;
  /** Cognito attribute holding an upstream's groups, unioned with `cognito:groups`. */
  readonly groupsAttribute: string | undefined;
  /** App client whose ID tokens get the IAM session-tags claim. */
  readonly iamFederationClientId: string | undefined;
  /** Enterprise-extension field → Cognito attribute it is synced from. */
  readonly enterpriseAttributes: ReadonlyMap<EnterpriseAttributeField, string>;
  /** Keep `custom:idc_last_sign_in` current (at most one write a day per person). */
  readonly recordLastSignIn: boolean;
  /** The KMS HMAC key the link key is derived from. */
  readonly linkKeyArn: string;
  /** Role in the IdC account to assume for Identity Store calls (cross-account mode). */
  readonly identityStoreRoleArn: string | undefined;
  readonly metricsNamespace: string;
  readonly serviceName: string;
}

/** Cognito attribute names as AdminUpdateUserAttributes accepts them (1-32 characters, no whitespace). */
export const COGNITO_ATTRIBUTE_NAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,32}$/u;
/** A custom attribute: `custom:` and a name of 1-20 characters (Cognito's CustomAttributeNameType). */
const CUSTOM_ATTRIBUTE_PATTERN = /^custom:[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,20}$/u;
/** Cognito identity provider names (ProviderNameType): 1-32 characters. */
const PROVIDER_NAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,32}$/u;
/** Cognito app client ids (ClientIdType): 1-128 of [\w+]. */
const CLIENT_ID_PATTERN = /^[\w+]{1,128}$/;

/**
 * Reads and validates the Lambda's configuration. Throws one ConfigError listing every problem,
 * each naming the variable, the bad value and the expected form.
 */
export function loadConfig(env: Environment): Config {
  const reader = new EnvReader(env);
  const bool = (name: string, fallback: "true" | "false"): boolean =>
    reader.oneOf(name, ["true", "false"], fallback) === "true";

  const identityStoreId = reader.identityStoreId(ENV_VARS.identityStoreId);
  const identityStoreRegion = reader.region(ENV_VARS.identityStoreRegion);
  const requireVerifiedEmail = bool(ENV_VARS.requireVerifiedEmail, "true");
  const onSyncFailure = reader.oneOf<OnSyncFailure>(ENV_VARS.onSyncFailure, ["deny", "allow"], "deny");
  const groupMap = reader.groupMap(ENV_VARS.groupMap);
  const adoptExistingUsers = bool(ENV_VARS.adoptExistingUsers, "false");
  const trustedEmailProviders = parseProviderList(reader);
  const groupsAttribute = reader.matching(
    ENV_VARS.groupsAttribute,
    CUSTOM_ATTRIBUTE_PATTERN,
    'a Cognito custom attribute such as "custom:groups" ("custom:" and 1-20 characters)',
  );
  const iamFederationClientId = reader.matching(
    ENV_VARS.iamFederationClientId,
    CLIENT_ID_PATTERN,
    "a Cognito app client id (1-128 letters, digits, _ or +)",
  );
  const enterpriseAttributes = parseEnterpriseAttributes(reader);
  const recordLastSignIn = bool(ENV_VARS.recordLastSignIn, "false");
  const linkKeyArn = reader.kmsKeyArn(ENV_VARS.linkKeyArn);
  const identityStoreRoleArn = reader.roleArn(ENV_VARS.identityStoreRoleArn);
  const metricsNamespace = reader.metricsNamespace(ENV_VARS.metricsNamespace, DEFAULT_METRICS_NAMESPACE);
  const serviceName = reader.serviceName(ENV_VARS.serviceName, DEFAULT_SERVICE_NAME);

  reader.check("pre-token-generation");
  return {
    identityStoreId,
    identityStoreRegion,
    requireVerifiedEmail,
    onSyncFailure,
    groupMap,
    adoptExistingUsers,
    trustedEmailProviders,
    groupsAttribute,
    iamFederationClientId,
    enterpriseAttributes,
    recordLastSignIn,
    linkKeyArn,
    identityStoreRoleArn,
    metricsNamespace,
    serviceName,
  };
}

function parseProviderList(reader: EnvReader): ReadonlySet<string> {
  const name = ENV_VARS.trustedEmailProviders;
  const raw = reader.optional(name);
  const providers = new Set<string>();
  if (raw === undefined) return providers;
  const expected = 'expected a JSON array of Cognito identity provider names, e.g. ["Okta","Google"]';
  const parsed = reader.json(name, raw, expected);
  if (parsed === undefined) return providers;
  if (!Array.isArray(parsed)) {
    reader.problems.push(`${name}=${show(raw)} is invalid (${expected})`);
    return providers;
  }
  for (const provider of parsed) {
    if (typeof provider !== "string" || !PROVIDER_NAME_PATTERN.test(provider)) {
      reader.problems.push(
        `${name} entry ${showJson(provider)} is invalid (expected a provider name of 1-32 characters)`,
      );
    } else providers.add(provider);
  }
  return providers;
}

function parseEnterpriseAttributes(reader: EnvReader): ReadonlyMap<EnterpriseAttributeField, string> {
  const name = ENV_VARS.enterpriseAttributes;
  const mapping = new Map<EnterpriseAttributeField, string>();
  const parsed = reader.jsonObject(
    name,
    `expected a JSON object mapping enterprise fields (${ENTERPRISE_ATTRIBUTE_FIELDS.join(", ")}) to Cognito attributes, e.g. {"department":"custom:department"}`,
  );
  for (const [field, attribute] of Object.entries(parsed ?? {})) {
    if (!(ENTERPRISE_ATTRIBUTE_FIELDS as readonly string[]).includes(field)) {
      reader.problems.push(
        `${name} key ${show(field)} is invalid (expected one of: ${ENTERPRISE_ATTRIBUTE_FIELDS.join(", ")})`,
      );
    } else if (typeof attribute !== "string" || !COGNITO_ATTRIBUTE_NAME_PATTERN.test(attribute)) {
      reader.problems.push(
        `${name}[${show(field)}]=${showJson(attribute)} is invalid (expected a Cognito attribute name such as "custom:department")`,
      );
    } else mapping.set(field as EnterpriseAttributeField, attribute);
  }
  return mapping;
}
