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

/** Every string in a value (a user pool's lambda_config). */
function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}

/** The logical ids of the functions a string refers to by reference (`aws_lambda_function.<id>.<attribute>`). */
function referencedIds(text: string): string[] {
  return [...text.matchAll(/\baws_lambda_function\.([\w-]+)\.[a-z_]+\b/g)].map((m) => m[1]);
}

/**
 * The functions a user pool invokes, however it names them: by a reference to the function (`arn`,
 * `qualified_arn`, `function_name`, …), by an ARN built from the function's name (`arn:${partition}:lambda:
 * <region>:${account}:function:<name>[:qualifier]`, which the stack writes when the function's ARN would
 * otherwise make a cycle), or through the `aws_lambda_permission` that lets Cognito invoke it from this pool.
 */
function poolTriggers(stack: TerraformJson, poolId: string, pool: TerraformJson): Set<string> {
  const functions = blocksOf(stack, "resource", "aws_lambda_function");
  const byName = new Map(functions.map(([id, fn]) => [String(fn.function_name ?? ""), id]));
  const found = new Set<string>();
  for (const text of stringsIn(list(pool.lambda_config))) {
    for (const id of referencedIds(text)) found.add(id);
    const named = /:function:([^:]+)(?::[^:]+)?$/.exec(text)?.[1];
    if (named !== undefined && byName.has(named)) found.add(byName.get(named)!);
  }
  for (const [, permission] of blocksOf(stack, "resource", "aws_lambda_permission")) {
    const fromThisPool = new RegExp(`\\baws_cognito_user_pool\\.${poolId}\\.arn\\b`).test(
      String(permission.source_arn ?? ""),
    );
    if (permission.principal !== "cognito-idp.amazonaws.com" || !fromThisPool) continue;
    const target = String(permission.function_name ?? "");
    for (const id of referencedIds(target)) found.add(id);
    const named = /(?:^|:function:)([^:]+)(?::[^:]+)?$/.exec(target)?.[1];
    if (named !== undefined && byName.has(named)) found.add(byName.get(named)!);
  }
  return found;
}

/**
 * A Lambda that a user pool in the same stack calls as a trigger (any `lambda_config` entry, however it names
 * the function) must time out
 * within Cognito's 5 s and trace actively (X-Ray), so a slow sign-in shows where the time went.
 */
export const cognitoTriggerLambda: PolicyRule = {
  id: "cognito-trigger-lambda",
  check(stack: TerraformJson): Violation[] {
    const functions = Object.fromEntries(blocksOf(stack, "resource", "aws_lambda_function"));
    const triggers = new Map<string, string>();
    for (const [poolId, pool] of blocksOf(stack, "resource", "aws_cognito_user_pool")) {
      for (const fn of poolTriggers(stack, poolId, pool)) {
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
