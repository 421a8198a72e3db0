import {
  blocksOf,
  isExpression,
  list,
  single,
  type PolicyRule,
  type TerraformJson,
  type Violation,
} from "./rule";

/** Cognito stops waiting for a trigger after 5 s (Cognito Developer Guide, "Customizing user pool workflows with Lambda triggers"). */
export const COGNITO_TRIGGER_TIMEOUT_SECONDS = 5;

/** Every `aws_lambda_function` logical id that a value (a user pool's lambda_config) references. */
function referencedFunctions(value: unknown, out: Set<string>): Set<string> {
  if (typeof value === "string") {
    for (const m of value.matchAll(/\baws_lambda_function\.([\w-]+)\.(?:arn|qualified_arn|invoke_arn)\b/g)) {
      out.add(m[1]);
    }
  } else if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) referencedFunctions(v, out);
  }
  return out;
}

/**
 * A Lambda that a user pool in the same stack calls as a trigger (any `lambda_config` entry) must time out
 * within Cognito's 5 s and trace actively (X-Ray), so a slow sign-in shows where the time went.
 */
export const cognitoTriggerLambda: PolicyRule = {
  id: "cognito-trigger-lambda",
  check(stack: TerraformJson): Violation[] {
    const functions = Object.fromEntries(blocksOf(stack, "resource", "aws_lambda_function"));
    const triggers = new Map<string, string>();
    for (const [poolId, pool] of blocksOf(stack, "resource", "aws_cognito_user_pool")) {
      for (const fn of referencedFunctions(list(pool.lambda_config), new Set())) {
        if (!triggers.has(fn)) triggers.set(fn, `aws_cognito_user_pool.${poolId}`);
      }
    }
    const violations: Violation[] = [];
    for (const [fnId, poolAddress] of [...triggers].sort()) {
      const fn = functions[fnId];
      if (fn === undefined) continue;
      const address = `aws_lambda_function.${fnId}`;
      const timeout = fn.timeout ?? 3; // the provider's default
      if (isExpression(timeout) || typeof timeout !== "number" || timeout > COGNITO_TRIGGER_TIMEOUT_SECONDS) {
        violations.push({
          address,
          message: `timeout is ${JSON.stringify(timeout)} s, but ${poolAddress} invokes it as a trigger and Cognito waits at most ${COGNITO_TRIGGER_TIMEOUT_SECONDS} s: expected a timeout of at most ${COGNITO_TRIGGER_TIMEOUT_SECONDS}`,
        });
      }
      const mode = single(fn.tracing_config)?.mode;
      if (mode !== "Active") {
        violations.push({
          address,
          message: `tracing is ${mode === undefined ? "off" : JSON.stringify(mode)}, but ${poolAddress} invokes it as a trigger: expected tracing_config { mode = "Active" }`,
        });
      }
    }
    return violations;
  },
};
