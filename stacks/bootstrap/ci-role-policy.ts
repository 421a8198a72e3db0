import { ONLY_ON_ANY_RESOURCE } from "../policy-checks/iam-wildcards";
import type { PolicyStatement } from "../shared/nodejs-function";
import { ciActions } from "./terraform-actions";

export interface CiPolicyScope {
  readonly partition: string;
  /** The account of the role: IAM, KMS and Secrets Manager grants name only its resources. */
  readonly account: string;
  readonly environment: string;
}

/**
 * Resources of the services whose actions reach identities, keys or secrets: only the role's own account's
 * (the Identity Store's ARN names the instance owner's account, which a delegated administrator is not).
 * Every other service: `*` (CI manages whatever the stacks hold in the account).
 */
function serviceResources(service: string, s: CiPolicyScope): string[] {
  const { partition: p, account: a } = s;
  switch (service) {
    case "iam":
      return [
        `arn:${p}:iam::${a}:role/*`,
        `arn:${p}:iam::${a}:oidc-provider/*`,
        `arn:${p}:iam::${a}:saml-provider/*`,
      ];
    case "identitystore":
      return [
        `arn:${p}:identitystore::*:identitystore/*`,
        `arn:${p}:identitystore:::group/*`,
        `arn:${p}:identitystore:::user/*`,
        `arn:${p}:identitystore:::membership/*`,
      ];
    case "kms":
      return [`arn:${p}:kms:*:${a}:key/*`, `arn:${p}:kms:*:${a}:alias/*`];
    case "secretsmanager":
      // The bridge's secrets only (the cognito and identity-propagation client secrets).
      return [`arn:${p}:secretsmanager:*:${a}:secret:${s.environment}-idc-oidc-bridge/*`];
    default:
      return ["*"];
  }
}

const sidOf = (service: string) =>
  service
    .split("-")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");

/**
 * The statements of a CI role, one per service, from the action table: the plan role's reads, or the deploy
 * role's reads and writes.
 */
export function ciRoleStatements(mode: "plan" | "deploy", scope: CiPolicyScope): PolicyStatement[] {
  const byService = new Map<string, string[]>();
  const anyResource: string[] = [];
  for (const action of ciActions(mode)) {
    if (ONLY_ON_ANY_RESOURCE.has(action)) {
      anyResource.push(action);
      continue;
    }
    const service = action.split(":")[0];
    byService.set(service, [...(byService.get(service) ?? []), action]);
  }
  const statements: PolicyStatement[] = [...byService].map(([service, actions]) => ({
    sid: sidOf(service),
    actions,
    resources: serviceResources(service, scope),
  }));
  if (anyResource.length > 0)
    statements.push({ sid: "NoResourceLevel", actions: anyResource, resources: ["*"] });
  return statements;
}

/** IAM's size limit of a customer managed policy (characters, whitespace excluded). */
export const MANAGED_POLICY_MAX_CHARS = 6144;

/**
 * The statements split into as few policies as fit IAM's managed-policy size limit (estimated on the JSON
 * IAM stores; the CI-role test checks the synthesized documents).
 */
export function chunkStatements(statements: readonly PolicyStatement[]): PolicyStatement[][] {
  const size = (s: PolicyStatement) =>
    JSON.stringify({ Sid: s.sid, Effect: "Allow", Action: s.actions, Resource: s.resources }).length + 1;
  const budget = MANAGED_POLICY_MAX_CHARS - 200;
  const chunks: PolicyStatement[][] = [];
  let current: PolicyStatement[] = [];
  let used = 0;
  for (const s of statements) {
    if (current.length > 0 && used + size(s) > budget) {
      chunks.push(current);
      current = [];
      used = 0;
    }
    current.push(s);
    used += size(s);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
