/**
 * Reading a synthesized cdktf output directory (`cdktf.out/`): its manifest and each stack's Terraform JSON,
 * shared by the CI plan (`scripts/ci/stack-matrix.ts`) and the stack graph (`scripts/graph.ts`).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";

export interface ManifestStack {
  readonly name: string;
  readonly dependencies: readonly string[];
  readonly workingDirectory: string;
  readonly synthesizedStackPath: string;
}

export interface Manifest {
  readonly stacks: Readonly<Record<string, ManifestStack>>;
}

/** Terraform JSON of one stack, as cdktf writes `cdk.tf.json`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TerraformJson = Record<string, any>;

export function readManifest(outdir: string): Manifest {
  const file = path.join(outdir, "manifest.json");
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Manifest;
  } catch (e) {
    throw new Error(`cannot read ${file} (${(e as Error).message}): run \`npm run synth\` first`, {
      cause: e,
    });
  }
}

export function readStackJson(outdir: string, stack: ManifestStack): TerraformJson {
  return JSON.parse(readFileSync(path.join(outdir, stack.synthesizedStackPath), "utf8")) as TerraformJson;
}

/**
 * The stacks in apply order: every stack after the stacks it depends on; among stacks that are ready at the
 * same time, by name, so the order is the same on every run. Throws on a dependency cycle or unknown stack.
 */
export function applyOrder(manifest: Manifest): string[] {
  const stacks = manifest.stacks;
  const pending = new Map(
    Object.values(stacks).map((s) => {
      for (const d of s.dependencies) {
        if (stacks[d] === undefined) throw new Error(`stack ${s.name} depends on unknown stack ${d}`);
      }
      return [s.name, new Set(s.dependencies)] as const;
    }),
  );
  const order: string[] = [];
  while (pending.size > 0) {
    const ready = [...pending].filter(([, deps]) => deps.size === 0).map(([name]) => name);
    if (ready.length === 0) {
      throw new Error(`dependency cycle between the stacks ${[...pending.keys()].sort().join(", ")}`);
    }
    const next = ready.sort()[0];
    order.push(next);
    pending.delete(next);
    for (const deps of pending.values()) deps.delete(next);
  }
  return order;
}
