import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";

export interface OutputSpec {
  readonly value: unknown;
  readonly description: string;
  readonly sensitive?: boolean;
}

/** Named stack outputs (what `cdktf output` shows people), declared in one table per stack. */
export function addOutputs<K extends string>(
  scope: Construct,
  specs: Record<K, OutputSpec>,
): Record<K, TerraformOutput> {
  const entries = Object.entries<OutputSpec>(specs).map(([name, spec]) => [
    name,
    new TerraformOutput(scope, name, spec),
  ]);
  return Object.fromEntries(entries) as Record<K, TerraformOutput>;
}
