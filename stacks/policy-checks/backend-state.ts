import type { PolicyRule, TerraformJson } from "./rule";

/** Backends that always encrypt state at rest and lock it (HCP Terraform, Terraform Enterprise, GCS, Azure). */
const ENCRYPTED_AND_LOCKED = new Set(["remote", "gcs", "azurerm"]);

/**
 * The state is encrypted and locked. S3 only when asked: `encrypt = true` and S3-native locking
 * (`use_lockfile`, Terraform >= 1.10) or a DynamoDB table. The local backend is exempt: it is for trying the
 * app out and for the bootstrap stack, which creates the bucket every other stack uses.
 */
export const backendState: PolicyRule = {
  id: "backend-state",
  check(stack) {
    const terraform = (stack.terraform ?? {}) as TerraformJson;
    if (terraform.cloud !== undefined) return [];
    const [type, config] =
      Object.entries((terraform.backend ?? {}) as Record<string, TerraformJson>)[0] ?? [];
    if (type === undefined || type === "local" || ENCRYPTED_AND_LOCKED.has(type)) return [];
    const address = `terraform.backend.${type}`;
    if (type !== "s3") {
      return [
        { address, message: "cannot be checked for encryption and locking: expected s3, cloud or local" },
      ];
    }
    const problems = [];
    if (config.encrypt !== true)
      problems.push({ address, message: "stores the state unencrypted: expected encrypt = true" });
    if (config.use_lockfile !== true && !config.dynamodb_table) {
      problems.push({ address, message: "does not lock the state: expected use_lockfile = true" });
    }
    return problems;
  },
};
