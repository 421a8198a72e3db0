/** A synth-time policy rule: reads a stack's resolved Terraform JSON, returns what breaks the rule. */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TerraformJson = Record<string, any>;

export interface Violation {
  /** Terraform address of the offending block, e.g. `aws_lambda_function.fn_ABC123`. */
  readonly address: string;
  /** What is wrong and what is expected. */
  readonly message: string;
}

export interface PolicyRule {
  /** Short, stable name shown in every message, e.g. `cognito-trigger-lambda`. */
  readonly id: string;
  readonly check: (stack: TerraformJson) => Violation[];
}

/** `[logicalId, block]` of every resource (or data source) of a type. */
export function blocksOf(
  stack: TerraformJson,
  kind: "resource" | "data",
  type: string,
): [string, TerraformJson][] {
  return Object.entries((stack[kind]?.[type] ?? {}) as Record<string, TerraformJson>);
}

/** A nested block as cdktf writes it: an object for single blocks, a list for repeated ones. */
export function single(block: unknown): TerraformJson | undefined {
  if (Array.isArray(block)) return block.length === 1 ? (block[0] as TerraformJson) : undefined;
  return block !== null && typeof block === "object" ? (block as TerraformJson) : undefined;
}

export function list<T = unknown>(value: unknown): T[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}

/** True for a value Terraform computes (`${…}`): a rule cannot see what it will be. */
export function isExpression(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}
