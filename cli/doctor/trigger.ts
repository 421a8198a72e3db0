import { DescribeUserPoolCommand } from "@aws-sdk/client-cognito-identity-provider";
import { fail, message, pass, type Check, type CheckResult, type DoctorDependencies } from "./check";

const TITLE = "user pool: pre token generation trigger is the JIT Lambda (V2_0)";

/** The pool's pre token generation trigger is the JIT Lambda, on event version V2_0. */
export const triggerCheck: Check = async (deps, outputs) => [
  await checkTrigger(
    deps,
    outputs.needs(TITLE, "cognito", ["user_pool_id", "pre_token_generation_function"]),
  ),
];

async function checkTrigger(deps: DoctorDependencies, values: string[] | CheckResult): Promise<CheckResult> {
  const title = TITLE;
  if (!Array.isArray(values)) return values;
  const [userPoolId, functionName] = values as [string, string];
  try {
    const pool = (await deps.cognito.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }))).UserPool;
    const trigger = pool?.LambdaConfig?.PreTokenGenerationConfig;
    const arn = trigger?.LambdaArn ?? pool?.LambdaConfig?.PreTokenGeneration;
    const hint = `apply the cognito stack again (npx cdktf deploy ${deps.config.environment}-cognito); someone changed the trigger outside Terraform`;
    if (arn === undefined) return fail(title, `${userPoolId} has no pre token generation trigger`, hint);
    if (!arn.endsWith(`:function:${functionName}`)) {
      return fail(title, `${userPoolId} invokes ${arn}, not ${functionName}`, hint);
    }
    if (trigger?.LambdaVersion !== "V2_0") {
      return fail(
        title,
        `event version is ${trigger?.LambdaVersion ?? "V1_0 (legacy PreTokenGeneration)"}, not V2_0: access-token claims are lost`,
        hint,
      );
    }
    return pass(title, `${functionName}, V2_0`);
  } catch (error) {
    return fail(title, message(error), "needs cognito-idp:DescribeUserPool on the pool, in cognito.region");
  }
}
