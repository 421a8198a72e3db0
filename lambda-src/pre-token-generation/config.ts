import { ENTERPRISE_ATTRIBUTE_FIELDS, ENV_VARS, type EnterpriseAttributeField } from "./contract";
import { ConfigError } from "./errors";
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
  /** Role in the IdC account to assume for Identity Store calls (cross-account mode). */
  readonly identityStoreRoleArn: string | undefined;
  readonly metricsNamespace: string;
  readonly serviceName: string;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** Identity Store id as the API accepts it: `d-` + 10 hex digits, or a UUID (lowercase). */
export const IDENTITY_STORE_ID_PATTERN =
  /^(?:d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
/** Identity Store group id (API pattern): optional 10-hex prefix, then a UUID. */
export const GROUP_ID_PATTERN =
  /^(?:[0-9a-f]{10}-)?[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;
/** AWS region names: us-east-1, eu-central-2, us-gov-west-1, cn-northwest-1, us-isob-east-1, ... */
export const REGION_PATTERN = /^[a-z]{2,4}(?:-[a-z]{2,12}){1,3}-\d{1,2}$/;
/** Cognito attribute names as AdminUpdateUserAttributes accepts them (1-32 characters, no whitespace). */
export const COGNITO_ATTRIBUTE_NAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,32}$/u;
/** A custom attribute: `custom:` and a name of 1-20 characters (Cognito's CustomAttributeNameType). */
const CUSTOM_ATTRIBUTE_PATTERN = /^custom:[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,20}$/u;
/** Cognito identity provider names (ProviderNameType): 1-32 characters. */
const PROVIDER_NAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,32}$/u;
/** Cognito app client ids (ClientIdType): 1-128 of [\w+]. */
const CLIENT_ID_PATTERN = /^[\w+]{1,128}$/;
/** An IAM role ARN in any partition. */
const ROLE_ARN_PATTERN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** Cognito group names: 1–128 letters, marks, symbols, numbers or punctuation. */
const COGNITO_GROUP_NAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
/** CloudWatch namespace characters; must not start with "AWS/". */
const NAMESPACE_PATTERN = /^(?!AWS\/)[A-Za-z0-9 ._\-/#:]{1,255}$/;
const SERVICE_NAME_PATTERN = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/;

/** Shows a configured value in an error message without echoing an arbitrarily long string. */
function show(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** Shows a parsed JSON value (of any type) in an error message. */
function showJson(value: unknown): string {
  if (typeof value === "string") return show(value);
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 80)}…` : json;
}

/**
 * Reads and validates the Lambda's configuration. Throws one ConfigError listing every problem,
 * each naming the variable, the bad value and the expected form.
 */
export function loadConfig(env: Environment): Config {
  const problems: string[] = [];
  const required = (name: string, pattern: RegExp, expected: string): string => {
    const value = env[name];
    if (value === undefined || value === "") {
      problems.push(`${name} is not set (expected ${expected})`);
      return "";
    }
    if (!pattern.test(value)) problems.push(`${name}=${show(value)} is invalid (expected ${expected})`);
    return value;
  };
  const optional = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === "" ? undefined : value;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = optional(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name}=${show(value)} is invalid (expected one of: ${allowed.join(", ")})`);
    return fallback;
  };

  const identityStoreId = required(
    ENV_VARS.identityStoreId,
    IDENTITY_STORE_ID_PATTERN,
    '"d-" followed by 10 lowercase hex digits, e.g. d-1234567890, or a lowercase UUID',
  );
  const identityStoreRegion = required(
    ENV_VARS.identityStoreRegion,
    REGION_PATTERN,
    "an AWS region name such as eu-west-1",
  );
  const requireVerifiedEmail = oneOf(ENV_VARS.requireVerifiedEmail, ["true", "false"], "true") === "true";
  const onSyncFailure = oneOf<OnSyncFailure>(ENV_VARS.onSyncFailure, ["deny", "allow"], "deny");
  const groupMap = parseGroupMap(optional(ENV_VARS.groupMap), problems);
  const adoptExistingUsers = oneOf(ENV_VARS.adoptExistingUsers, ["true", "false"], "false") === "true";
  const trustedEmailProviders = parseProviderList(optional(ENV_VARS.trustedEmailProviders), problems);
  const pattern = (name: string, regex: RegExp, expected: string): string | undefined => {
    const value = optional(name);
    if (value !== undefined && !regex.test(value)) {
      problems.push(`${name}=${show(value)} is invalid (expected ${expected})`);
      return undefined;
    }
    return value;
  };
  const groupsAttribute = pattern(
    ENV_VARS.groupsAttribute,
    CUSTOM_ATTRIBUTE_PATTERN,
    'a Cognito custom attribute such as "custom:groups" ("custom:" and 1-20 characters)',
  );
  const iamFederationClientId = pattern(
    ENV_VARS.iamFederationClientId,
    CLIENT_ID_PATTERN,
    "a Cognito app client id (1-128 letters, digits, _ or +)",
  );
  const enterpriseAttributes = parseEnterpriseAttributes(optional(ENV_VARS.enterpriseAttributes), problems);
  const recordLastSignIn = oneOf(ENV_VARS.recordLastSignIn, ["true", "false"], "false") === "true";
  const identityStoreRoleArn = pattern(
    ENV_VARS.identityStoreRoleArn,
    ROLE_ARN_PATTERN,
    "an IAM role ARN such as arn:aws:iam::111111111111:role/identity-store-access",
  );

  const metricsNamespace = optional(ENV_VARS.metricsNamespace) ?? DEFAULT_METRICS_NAMESPACE;
  if (!NAMESPACE_PATTERN.test(metricsNamespace)) {
    problems.push(
      `${ENV_VARS.metricsNamespace}=${show(metricsNamespace)} is invalid (expected 1-255 characters from ` +
        'A-Z a-z 0-9 space . _ - / # :, not starting with "AWS/")',
    );
  }
  const serviceName = optional(ENV_VARS.serviceName) ?? DEFAULT_SERVICE_NAME;
  if (!SERVICE_NAME_PATTERN.test(serviceName)) {
    problems.push(
      `${ENV_VARS.serviceName}=${show(serviceName)} is invalid (expected 1-255 printable ASCII characters)`,
    );
  }

  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration of the pre-token-generation Lambda: ${problems.join("; ")}`);
  }
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
    identityStoreRoleArn,
    metricsNamespace,
    serviceName,
  };
}

/** Parses `raw` as JSON, recording a problem (and returning undefined) when it is not valid JSON. */
function parseJson(name: string, raw: string, expected: string, problems: string[]): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    problems.push(`${name}=${show(raw)} is not valid JSON (${expected})`);
    return undefined;
  }
}

function parseProviderList(raw: string | undefined, problems: string[]): ReadonlySet<string> {
  const name = ENV_VARS.trustedEmailProviders;
  const providers = new Set<string>();
  if (raw === undefined) return providers;
  const expected = 'expected a JSON array of Cognito identity provider names, e.g. ["Okta","Google"]';
  const parsed = parseJson(name, raw, expected, problems);
  if (parsed === undefined) return providers;
  if (!Array.isArray(parsed)) {
    problems.push(`${name}=${show(raw)} is invalid (${expected})`);
    return providers;
  }
  for (const provider of parsed) {
    if (typeof provider !== "string" || !PROVIDER_NAME_PATTERN.test(provider)) {
      problems.push(
        `${name} entry ${showJson(provider)} is invalid (expected a provider name of 1-32 characters)`,
      );
    } else providers.add(provider);
  }
  return providers;
}

function parseEnterpriseAttributes(
  raw: string | undefined,
  problems: string[],
): ReadonlyMap<EnterpriseAttributeField, string> {
  const name = ENV_VARS.enterpriseAttributes;
  const mapping = new Map<EnterpriseAttributeField, string>();
  if (raw === undefined) return mapping;
  const expected = `expected a JSON object mapping enterprise fields (${ENTERPRISE_ATTRIBUTE_FIELDS.join(", ")}) to Cognito attributes, e.g. {"department":"custom:department"}`;
  const parsed = parseJson(name, raw, expected, problems);
  if (parsed === undefined) return mapping;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    problems.push(`${name}=${show(raw)} is invalid (${expected})`);
    return mapping;
  }
  for (const [field, attribute] of Object.entries(parsed)) {
    if (!(ENTERPRISE_ATTRIBUTE_FIELDS as readonly string[]).includes(field)) {
      problems.push(
        `${name} key ${show(field)} is invalid (expected one of: ${ENTERPRISE_ATTRIBUTE_FIELDS.join(", ")})`,
      );
    } else if (typeof attribute !== "string" || !COGNITO_ATTRIBUTE_NAME_PATTERN.test(attribute)) {
      problems.push(
        `${name}[${show(field)}]=${showJson(attribute)} is invalid (expected a Cognito attribute name such as "custom:department")`,
      );
    } else mapping.set(field as EnterpriseAttributeField, attribute);
  }
  return mapping;
}

function parseGroupMap(raw: string | undefined, problems: string[]): ReadonlyMap<string, string> {
  const name = ENV_VARS.groupMap;
  const groupMap = new Map<string, string>();
  if (raw === undefined) return groupMap;
  const expected =
    'expected a JSON object mapping Cognito group names to Identity Store group ids, e.g. {"admins":"9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b"}';
  const parsed = parseJson(name, raw, expected, problems);
  if (parsed === undefined) return groupMap;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    problems.push(`${name}=${show(raw)} is invalid (${expected})`);
    return groupMap;
  }
  for (const [group, groupId] of Object.entries(parsed)) {
    if (!COGNITO_GROUP_NAME_PATTERN.test(group)) {
      problems.push(
        `${name} key ${show(group)} is invalid (expected a Cognito group name: 1-128 characters, no spaces or control characters)`,
      );
      continue;
    }
    if (typeof groupId !== "string" || !GROUP_ID_PATTERN.test(groupId)) {
      problems.push(
        `${name}[${show(group)}]=${showJson(groupId)} is invalid ` +
          "(expected an Identity Store group id: a UUID, optionally prefixed by 10 hex digits and a dash)",
      );
      continue;
    }
    groupMap.set(group, groupId);
  }
  return groupMap;
}
