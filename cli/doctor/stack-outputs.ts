/** The first checks: each stack's outputs can be read; later checks take their ids from them. */
import { fail, pass, type CheckResult, type DeployedOutputs, type DoctorDependencies } from "./check";

export const STACK_KINDS = ["identity-center", "cognito", "cloudflare-access"] as const;

export function readDeployedOutputs(deps: DoctorDependencies): {
  results: CheckResult[];
  outputs: DeployedOutputs;
} {
  const env = deps.config.environment;
  const results: CheckResult[] = [];
  const byKind: Record<string, Record<string, unknown> | undefined> = {};
  for (const kind of STACK_KINDS) {
    const stack = `${env}-${kind}`;
    try {
      byKind[kind] = deps.readOutputs(stack);
      results.push(pass(`stack ${stack}: outputs readable`));
    } catch (error) {
      results.push(
        fail(
          `stack ${stack}: outputs readable`,
          (error as Error).message.split("\n")[0]!,
          `deploy it (npx cdktf deploy ${stack}) from this checkout, or run terraform -chdir=cdktf.out/stacks/${stack} init`,
        ),
      );
    }
  }
  const output = (kind: string, name: string): string | undefined => {
    const value = byKind[kind]?.[name];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const needs = (title: string, kind: string, names: string[]): string[] | CheckResult => {
    const values = names.map((n) => output(kind, n));
    if (values.every((v) => v !== undefined)) return values as string[];
    const missing = names.filter((_, i) => values[i] === undefined);
    return fail(
      title,
      `not checked: stack ${env}-${kind} has no output ${missing.join(", ")}`,
      `fix the outputs of ${env}-${kind} first (see above), then run the doctor again`,
    );
  };
  return { results, outputs: { output, needs } };
}
