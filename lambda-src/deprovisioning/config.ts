import { GROUP_ID_PATTERN, IDENTITY_STORE_ID_PATTERN, REGION_PATTERN } from "../pre-token-generation/config";
import {
  DEFAULT_MAX_DEPROVISION_PER_RUN,
  DEFAULT_METRICS_NAMESPACE,
  DEFAULT_SERVICE_NAME,
  DEPROVISION_MODES,
  ENV_VARS,
  type DeprovisionMode,
} from "./contract";

export interface Config {
  readonly identityStoreId: string;
  readonly identityStoreRegion: string;
  /** Cross-account mode: the role in the IdC account every Identity Store call goes through. */
  readonly identityStoreRoleArn: string | undefined;
  readonly userPoolId: string;
  /** The pool's region, from its id (`eu-west-1_AbC123`). */
  readonly userPoolRegion: string;
  readonly mode: DeprovisionMode;
  readonly maxPerRun: number;
  readonly inactiveDays: number | undefined;
  /** Identity Store ids of the managed groups (GROUP_MAP's values): the only memberships ever removed. */
  readonly managedGroupIds: ReadonlySet<string>;
  readonly metricsNamespace: string;
  readonly serviceName: string;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** Invalid environment configuration; thrown at cold start. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Cognito user pool id (API pattern `[\w-]+_[0-9a-zA-Z]+`, 1-55 characters), region first. */
const USER_POOL_ID_PATTERN = /^([a-z]{2,4}(?:-[a-z]{2,12}){1,3}-\d{1,2})_[0-9a-zA-Z]+$/;
const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const NAMESPACE_PATTERN = /^(?!AWS\/)[A-Za-z0-9 ._\-/#:]{1,255}$/;
const SERVICE_NAME_PATTERN = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/;

function show(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** Reads and validates the configuration; one ConfigError lists every problem (variable, value, expected form). */
export function loadConfig(env: Environment): Config {
  const problems: string[] = [];
  const optional = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === "" ? undefined : value;
  };
  const required = (name: string, pattern: RegExp, expected: string): string => {
    const value = optional(name);
    if (value === undefined) {
      problems.push(`${name} is not set (expected ${expected})`);
      return "";
    }
    if (!pattern.test(value)) problems.push(`${name}=${show(value)} is invalid (expected ${expected})`);
    return value;
  };
  const positiveInteger = (name: string, max: number): number | undefined => {
    const value = optional(name);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < 1 || parsed > max) {
      problems.push(`${name}=${show(value)} is invalid (expected an integer from 1 to ${max})`);
      return undefined;
    }
    return parsed;
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
  const identityStoreRoleArn = optional(ENV_VARS.identityStoreRoleArn);
  if (identityStoreRoleArn !== undefined && !ROLE_ARN_PATTERN.test(identityStoreRoleArn)) {
    problems.push(
      `${ENV_VARS.identityStoreRoleArn}=${show(identityStoreRoleArn)} is invalid (expected an IAM role ARN such as arn:aws:iam::111111111111:role/identity-store-access)`,
    );
  }
  const userPoolId = required(
    ENV_VARS.userPoolId,
    USER_POOL_ID_PATTERN,
    "a Cognito user pool id such as eu-west-1_AbCdEf123",
  );
  const userPoolRegion = USER_POOL_ID_PATTERN.exec(userPoolId)?.[1] ?? "";

  const rawMode = optional(ENV_VARS.mode) ?? "report";
  let mode: DeprovisionMode = "report";
  if ((DEPROVISION_MODES as readonly string[]).includes(rawMode)) mode = rawMode as DeprovisionMode;
  else {
    problems.push(
      `${ENV_VARS.mode}=${show(rawMode)} is invalid (expected one of: ${DEPROVISION_MODES.join(", ")})`,
    );
  }
  const maxPerRun = positiveInteger(ENV_VARS.maxPerRun, 1000) ?? DEFAULT_MAX_DEPROVISION_PER_RUN;
  const inactiveDays = positiveInteger(ENV_VARS.inactiveDays, 3650);
  const managedGroupIds = parseManagedGroups(optional(ENV_VARS.groupMap), problems);

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
    throw new ConfigError(`Invalid configuration of the deprovisioning Lambda: ${problems.join("; ")}`);
  }
  return {
    identityStoreId,
    identityStoreRegion,
    identityStoreRoleArn,
    userPoolId,
    userPoolRegion,
    mode,
    maxPerRun,
    inactiveDays,
    managedGroupIds,
    metricsNamespace,
    serviceName,
  };
}

/** GROUP_MAP as the JIT Lambda reads it; only the group ids matter here. */
function parseManagedGroups(raw: string | undefined, problems: string[]): ReadonlySet<string> {
  const name = ENV_VARS.groupMap;
  const ids = new Set<string>();
  if (raw === undefined) return ids;
  const expected =
    'expected a JSON object mapping Cognito group names to Identity Store group ids, e.g. {"admins":"9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b"}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push(`${name}=${show(raw)} is not valid JSON (${expected})`);
    return ids;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    problems.push(`${name}=${show(raw)} is invalid (${expected})`);
    return ids;
  }
  for (const [group, groupId] of Object.entries(parsed)) {
    if (typeof groupId !== "string" || !GROUP_ID_PATTERN.test(groupId)) {
      problems.push(
        `${name}[${show(group)}]=${show(JSON.stringify(groupId) ?? "undefined")} is invalid (expected an Identity Store group id)`,
      );
      continue;
    }
    ids.add(groupId);
  }
  return ids;
}
