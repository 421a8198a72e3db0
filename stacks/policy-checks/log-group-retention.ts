import { blocksOf, type PolicyRule, type Violation } from "./rule";

/** Every CloudWatch log group expires its events (retention_in_days unset or 0 keeps them forever). */
export const logGroupRetention: PolicyRule = {
  id: "log-group-retention",
  check(stack) {
    const violations: Violation[] = [];
    for (const [id, group] of blocksOf(stack, "resource", "aws_cloudwatch_log_group")) {
      const days = group.retention_in_days;
      if (days === undefined || days === null || days === 0) {
        violations.push({
          address: `aws_cloudwatch_log_group.${id}`,
          message: `keeps log events forever (retention_in_days ${days === 0 ? "0" : "unset"}): expected retention_in_days, e.g. 90`,
        });
      }
    }
    return violations;
  },
};
