import { Annotations, Aspects, TerraformOutput, TerraformStack, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { backendState } from "./backend-state";
import { cloudflareSaasApp } from "./cloudflare-saas-app";
import { cognitoSelfSignUp } from "./cognito-self-sign-up";
import { cognitoTriggerLambda } from "./cognito-trigger-lambda";
import { iamWildcards } from "./iam-wildcards";
import { logGroupRetention } from "./log-group-retention";
import type { PolicyRule, TerraformJson, Violation } from "./rule";
import { sensitiveOutputs } from "./sensitive-outputs";

export type { PolicyRule, Violation };

/** Every rule, in the order their messages are listed. */
export const POLICY_RULES: readonly PolicyRule[] = [
  cognitoTriggerLambda,
  logGroupRetention,
  iamWildcards,
  backendState,
  cloudflareSaasApp,
  cognitoSelfSignUp,
  sensitiveOutputs,
];

/** The violations of `rules` in one stack's resolved Terraform JSON, each with its rule. */
export function findViolations(
  stack: TerraformJson,
  rules: readonly PolicyRule[] = POLICY_RULES,
): (Violation & { readonly rule: string })[] {
  return rules.flatMap((rule) => rule.check(stack).map((v) => ({ ...v, rule: rule.id })));
}

/**
 * Synth-time policy checks as a cdktf Aspect: on each stack it reads the stack's resolved Terraform JSON (what
 * synth writes, overrides included) and adds an error annotation per violation to the construct that made
 * the block, so synth fails listing every violation as `[construct path] policy check <rule>: <address> …`.
 */
export class PolicyChecks implements IAspect {
  constructor(private readonly rules: readonly PolicyRule[] = POLICY_RULES) {}

  public visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node)) return;
    const stack = node as TerraformStack;
    const json = stack.toTerraform() as TerraformJson;
    const constructs = stack.node.findAll();
    const byPath = new Map(constructs.map((c) => [c.node.path, c]));
    // Outputs carry no metadata in the JSON: find them by their name.
    for (const c of constructs) {
      if (TerraformOutput.isTerraformOutput(c))
        byPath.set(`output.${(c as TerraformOutput).friendlyUniqueId}`, c);
    }
    for (const v of findViolations(json, this.rules)) {
      const path = v.address.startsWith("output.") ? v.address : blockPath(json, v.address);
      const construct = (path !== undefined ? byPath.get(path) : undefined) ?? stack;
      Annotations.of(construct).addError(`policy check ${v.rule}: ${v.address} ${v.message}`);
    }
  }
}

/** The construct path cdktf records in a block's `//` metadata. */
function blockPath(json: TerraformJson, address: string): string | undefined {
  const parts = address.split(".");
  const [kind, type, id] =
    parts[0] === "data" ? ["data", parts[1], parts[2]] : ["resource", parts[0], parts[1]];
  return json[kind]?.[type]?.[id]?.["//"]?.metadata?.path;
}

/**
 * Applies the policy checks to every stack in `scope` (an App or a stack). cdktf runs a stack's own aspects
 * only, not its App's, so each stack gets the aspect.
 */
export function applyPolicyChecks(scope: IConstruct, rules: readonly PolicyRule[] = POLICY_RULES): void {
  const aspect = new PolicyChecks(rules);
  for (const stack of scope.node.findAll().filter((c) => TerraformStack.isStack(c)))
    Aspects.of(stack).add(aspect);
}
