import { blocksOf, single, type PolicyRule, type Violation } from "./rule";

/** Only administrators (here: the JIT flow through upstream IdPs and admin-created users) create pool users. */
export const cognitoSelfSignUp: PolicyRule = {
  id: "cognito-self-sign-up",
  check(stack) {
    const violations: Violation[] = [];
    for (const [id, pool] of blocksOf(stack, "resource", "aws_cognito_user_pool")) {
      if (single(pool.admin_create_user_config)?.allow_admin_create_user_only !== true) {
        violations.push({
          address: `aws_cognito_user_pool.${id}`,
          message:
            "lets anyone sign themselves up (and so reach IAM Identity Center): expected admin_create_user_config { allow_admin_create_user_only = true }",
        });
      }
    }
    return violations;
  },
};
