/**
 * What the deprovisioning stack tests share: the example config's cognito stack per mode (synthesized once
 * per test file and arguments), the test values its Terraform expressions stand for in the IAM policy
 * simulator, and the Identity Store ARNs the simulator is asked about.
 */
import { configWith, synthBridge } from "../../../__tests__/helpers/stacks";
import {
  simulateAction,
  type NamedPolicy,
  type Substitution,
} from "../../../__tests__/helpers/iam-simulator";
import type { DeprovisionMode } from "../../../lambda-src/deprovisioning/contract";

export const ACCOUNT = "111111111111";
/** The deprovisioning function's (and its role's) name in the example config. */
export const ROLE = "prod-idc-oidc-bridge-deprovisioning";
export const arn = (service: string, resource: string) =>
  `arn:aws:${service}:eu-west-1:${ACCOUNT}:${resource}`;

export const STORE_ID = "d-1234567890";
export const STORE = `arn:aws:identitystore::${ACCOUNT}:identitystore/${STORE_ID}`;
export const POOL = arn("cognito-idp", "userpool/eu-west-1_AbC123");
/** Group ids as the identity-center stack's remote state would give them (see COGNITO_VALUES). */
export const groupId = (name: string) =>
  `a1b2c3d4e5-0000-0000-0000-${name.padEnd(12, "0").slice(0, 12)}`.replace(/[^0-9a-f-]/g, "0");

/** Terraform expressions of the cognito stack → test values, for what every deprovisioning policy names. */
export const COGNITO_VALUES: readonly Substitution[] = [
  [/partition$/, "aws"],
  [/account_id$/, ACCOUNT],
  [/identity_store_arn/, STORE],
  [/identity_store_id/, STORE_ID],
  [/group_id$/, groupId("aa")],
  [/aws_cognito_user_pool\..*\.arn$/, POOL],
  [/aws_cloudwatch_log_group\..*\.arn$/, arn("logs", `log-group:/aws/lambda/${ROLE}`)],
];

/** The cognito stack of the example config in `mode`, with `groupMap` if given. */
export function synthMode(mode: DeprovisionMode, groupMap?: Record<string, string>): string {
  return synthBridge(
    configWith((c) => {
      c.cognito.provisioning = { ...c.cognito.provisioning, deprovision: mode };
      if (groupMap !== undefined) c.cognito.provisioning.groupMap = groupMap;
    }),
  ).cognito;
}

const synthesized = new Map<string, string>();
/** `synthMode`, synthesized once per test file and arguments. */
export function stackFor(mode: DeprovisionMode, groupMap?: Record<string, string>): string {
  const key = JSON.stringify([mode, groupMap]);
  if (!synthesized.has(key)) synthesized.set(key, synthMode(mode, groupMap));
  return synthesized.get(key)!;
}

export const user = (id: string) => `arn:aws:identitystore:::user/${id}`;
export const group = (id: string) => `arn:aws:identitystore:::group/${id}`;
export const membership = (id: string) => `arn:aws:identitystore:::membership/${id}`;

/** Whether `policies` allow `action` on `resources` (as `principal` if given), by the IAM policy simulator. */
export async function allowed(
  policies: readonly NamedPolicy[],
  action: string,
  resources: Record<string, string>,
  principal?: string,
): Promise<boolean> {
  return (await simulateAction({ identityPolicies: policies, action, resources, principal })).allowed;
}
