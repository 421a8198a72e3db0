import { EnvReader, type Environment } from "../shared/env";
import {
  DEFAULT_DEPROVISION_BUDGET,
  DEFAULT_METRICS_NAMESPACE,
  DEPROVISION_BUDGET_LIMITS,
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
  /** The deletion budget shared by every invocation (tableName undefined only in `report` mode). */
  readonly budget: BudgetConfig;
  readonly inactiveDays: number | undefined;
  /** Identity Store ids of the managed groups (GROUP_MAP's values): the only memberships ever removed. */
  readonly managedGroupIds: ReadonlySet<string>;
  readonly metricsNamespace: string;
  readonly serviceName: string;
}

export interface BudgetConfig {
  readonly tableName: string | undefined;
  /** Users changed destructively per rolling window, across all invocations. */
  readonly maxUsers: number;
  readonly windowHours: number;
}

/** DynamoDB table names: 3-255 of `[a-zA-Z0-9_.-]` (CreateTable, TableName). */
const TABLE_NAME_PATTERN = /^[a-zA-Z0-9_.-]{3,255}$/;
/** The per-run circuit breaker's variable, replaced by the deletion budget: refused, naming its replacement. */
const RETIRED_MAX_PER_RUN = "MAX_DEPROVISION_PER_RUN";

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
  const budget = readBudget(reader, mode);
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
    budget,
    inactiveDays,
    managedGroupIds,
    metricsNamespace,
    serviceName,
  };
}

function readBudget(reader: EnvReader, mode: DeprovisionMode): BudgetConfig {
  if (reader.optional(RETIRED_MAX_PER_RUN) !== undefined) {
    reader.problems.push(
      `${RETIRED_MAX_PER_RUN} is no longer read: the per-run circuit breaker was replaced by the deletion budget ` +
        `shared by every invocation (set ${ENV_VARS.budgetMaxUsers} and ${ENV_VARS.budgetWindowHours}; ` +
        "config cognito.provisioning.deprovisionBudget.maxUsers)",
    );
  }
  const tableName =
    mode === "report"
      ? reader.matching(
          ENV_VARS.budgetTable,
          TABLE_NAME_PATTERN,
          "a DynamoDB table name, 3-255 of a-z A-Z 0-9 _ . -",
        )
      : reader.required(
          ENV_VARS.budgetTable,
          TABLE_NAME_PATTERN,
          `the deletion budget's DynamoDB table name (required in ${mode} mode)`,
        );
  // Both limits start at 1 (DEPROVISION_BUDGET_LIMITS), as positiveInteger does.
  const { maxUsers, windowHours } = DEPROVISION_BUDGET_LIMITS;
  return {
    tableName,
    maxUsers:
      reader.positiveInteger(ENV_VARS.budgetMaxUsers, maxUsers.max) ?? DEFAULT_DEPROVISION_BUDGET.maxUsers,
    windowHours:
      reader.positiveInteger(ENV_VARS.budgetWindowHours, windowHours.max) ??
      DEFAULT_DEPROVISION_BUDGET.windowHours,
  };
}
