import { EnvReader, type Environment } from "../shared/env";
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

/** Cognito user pool id (API pattern `[\w-]+_[0-9a-zA-Z]+`, 1-55 characters), region first. */
const USER_POOL_ID_PATTERN = /^([a-z]{2,4}(?:-[a-z]{2,12}){1,3}-\d{1,2})_[0-9a-zA-Z]+$/;

/** Reads and validates the configuration; one ConfigError lists every problem (variable, value, expected form). */
export function loadConfig(env: Environment): Config {
  const reader = new EnvReader(env);
  const identityStoreId = reader.identityStoreId(ENV_VARS.identityStoreId);
  const identityStoreRegion = reader.region(ENV_VARS.identityStoreRegion);
  const identityStoreRoleArn = reader.roleArn(ENV_VARS.identityStoreRoleArn);
  const userPoolId = reader.required(
    ENV_VARS.userPoolId,
    USER_POOL_ID_PATTERN,
    "a Cognito user pool id such as eu-west-1_AbCdEf123",
  );
  const userPoolRegion = USER_POOL_ID_PATTERN.exec(userPoolId)?.[1] ?? "";
  const mode = reader.oneOf<DeprovisionMode>(ENV_VARS.mode, DEPROVISION_MODES, "report");
  const maxPerRun = reader.positiveInteger(ENV_VARS.maxPerRun, 1000) ?? DEFAULT_MAX_DEPROVISION_PER_RUN;
  const inactiveDays = reader.positiveInteger(ENV_VARS.inactiveDays, 3650);
  // GROUP_MAP as the JIT Lambda reads it; only the group ids matter here.
  const managedGroupIds: ReadonlySet<string> = new Set(reader.groupMap(ENV_VARS.groupMap).values());
  const metricsNamespace = reader.metricsNamespace(ENV_VARS.metricsNamespace, DEFAULT_METRICS_NAMESPACE);
  const serviceName = reader.serviceName(ENV_VARS.serviceName, DEFAULT_SERVICE_NAME);

  reader.check("deprovisioning");
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
