import { configProblem } from "../shared/test-support/config-problem";
import { loadConfig } from "./config";
import { DEFAULT_DEPROVISION_BUDGET, DEFAULT_METRICS_NAMESPACE, DEFAULT_SERVICE_NAME } from "./contract";

const valid = {
  IDENTITY_STORE_ID: "d-1234567890",
  IDENTITY_STORE_REGION: "eu-west-1",
  USER_POOL_ID: "eu-central-1_AbCdEf123",
};
const GROUP = "9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b";

const problem = (env: Record<string, string | undefined>): string => configProblem(loadConfig, env);

describe("loadConfig (deprovisioning)", () => {
  it("applies the documented defaults and takes the pool's region from its id", () => {
    expect(loadConfig(valid)).toEqual({
      identityStoreId: "d-1234567890",
      identityStoreRegion: "eu-west-1",
      identityStoreRoleArn: undefined,
      userPoolId: "eu-central-1_AbCdEf123",
      userPoolRegion: "eu-central-1",
      mode: "report",
      budget: { tableName: undefined, ...DEFAULT_DEPROVISION_BUDGET },
      inactiveDays: undefined,
      managedGroupIds: new Set(),
      metricsNamespace: DEFAULT_METRICS_NAMESPACE,
      serviceName: DEFAULT_SERVICE_NAME,
    });
  });

  it("reads every variable; the managed groups are GROUP_MAP's values", () => {
    const config = loadConfig({
      ...valid,
      IDENTITY_STORE_ROLE_ARN: "arn:aws:iam::222222222222:role/bridge/identity-store-access",
      DEPROVISION_MODE: "delete-user",
      BUDGET_TABLE_NAME: "stage-deprovision-budget",
      BUDGET_MAX_USERS: "25",
      BUDGET_WINDOW_HOURS: "72",
      INACTIVE_DAYS: "90",
      GROUP_MAP: JSON.stringify({ admins: GROUP, devs: GROUP }),
      POWERTOOLS_METRICS_NAMESPACE: "Bridge/Stage",
      POWERTOOLS_SERVICE_NAME: "stage-deprovisioning",
    });
    expect(config).toMatchObject({
      identityStoreRoleArn: "arn:aws:iam::222222222222:role/bridge/identity-store-access",
      mode: "delete-user",
      budget: { tableName: "stage-deprovision-budget", maxUsers: 25, windowHours: 72 },
      inactiveDays: 90,
      managedGroupIds: new Set([GROUP]),
      metricsNamespace: "Bridge/Stage",
      serviceName: "stage-deprovisioning",
    });
  });

  it("lists every problem at once, each naming the variable, the value and the expected form", () => {
    const message = problem({
      IDENTITY_STORE_REGION: "Europe",
      IDENTITY_STORE_ROLE_ARN: "arn:aws:iam::123:user/bob",
      USER_POOL_ID: "AbCdEf123",
      DEPROVISION_MODE: "purge",
      BUDGET_MAX_USERS: "0",
      BUDGET_WINDOW_HOURS: "721",
      INACTIVE_DAYS: "1.5",
      GROUP_MAP: JSON.stringify({ admins: "not-a-group" }),
      POWERTOOLS_METRICS_NAMESPACE: "AWS/Lambda",
    });
    expect(message).toMatch(/^Invalid configuration of the deprovisioning Lambda: /);
    for (const expected of [
      "IDENTITY_STORE_ID is not set (expected",
      'IDENTITY_STORE_REGION="Europe" is invalid (expected an AWS region name',
      'IDENTITY_STORE_ROLE_ARN="arn:aws:iam::123:user/bob" is invalid (expected an IAM role ARN',
      'USER_POOL_ID="AbCdEf123" is invalid (expected a Cognito user pool id',
      'DEPROVISION_MODE="purge" is invalid (expected one of: report, remove-memberships, delete-user)',
      'BUDGET_MAX_USERS="0" is invalid (expected an integer from 1 to 1000)',
      'BUDGET_WINDOW_HOURS="721" is invalid (expected an integer from 1 to 720)',
      'INACTIVE_DAYS="1.5" is invalid (expected an integer from 1 to 3650)',
      'GROUP_MAP["admins"]="not-a-group" is invalid (expected an Identity Store group id',
      'POWERTOOLS_METRICS_NAMESPACE="AWS/Lambda" is invalid',
    ]) {
      expect(message).toContain(expected);
    }
  });

  it("rejects a GROUP_MAP that is not a JSON object", () => {
    expect(problem({ ...valid, GROUP_MAP: "{admins:1}" })).toContain(
      'GROUP_MAP="{admins:1}" is not valid JSON',
    );
    expect(problem({ ...valid, GROUP_MAP: "[]" })).toContain(
      'GROUP_MAP="[]" is invalid (expected a JSON object',
    );
  });

  it("requires the budget table in every mode that changes users", () => {
    for (const mode of ["remove-memberships", "delete-user"]) {
      expect(problem({ ...valid, DEPROVISION_MODE: mode })).toContain(
        `BUDGET_TABLE_NAME is not set (expected the deletion budget's DynamoDB table name (required in ${mode} mode))`,
      );
    }
    expect(problem({ ...valid, BUDGET_TABLE_NAME: "a b" })).toContain('BUDGET_TABLE_NAME="a b" is invalid');
  });

  it("refuses the retired MAX_DEPROVISION_PER_RUN, naming its replacement", () => {
    const message = problem({ ...valid, MAX_DEPROVISION_PER_RUN: "3" });
    expect(message).toContain("MAX_DEPROVISION_PER_RUN is no longer read");
    expect(message).toContain("BUDGET_MAX_USERS");
    expect(message).toContain("cognito.provisioning.deprovisionBudget.maxUsers");
  });
});
