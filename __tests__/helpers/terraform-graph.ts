/**
 * The dependency graph Terraform builds from a synthesized stack: an edge from each resource, data source,
 * output or local to every resource/data source/local its arguments reference (inside `${…}`) or its
 * `depends_on` names. Terraform refuses a configuration whose graph has a cycle ("Error: Cycle: …"); the
 * providers cannot be installed here, so tests check the same property on the JSON.
 */

import { terraformExpressions } from "./iam-simulator";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** Node address → addresses it depends on. Addresses as Terraform writes them: `aws_iam_role.x`, `data.aws_partition.p`. */
export type DependencyGraph = ReadonlyMap<string, ReadonlySet<string>>;

export function dependencyGraph(stack: string | Json): DependencyGraph {
  const doc = typeof stack === "string" ? JSON.parse(stack) : stack;
  const blocks = new Map<string, Json>();
  for (const [type, byName] of Object.entries((doc.resource ?? {}) as Record<string, Json>)) {
    for (const [name, body] of Object.entries(byName as Record<string, Json>))
      blocks.set(`${type}.${name}`, body);
  }
  for (const [type, byName] of Object.entries((doc.data ?? {}) as Record<string, Json>)) {
    for (const [name, body] of Object.entries(byName as Record<string, Json>))
      blocks.set(`data.${type}.${name}`, body);
  }
  for (const [name, body] of Object.entries((doc.locals ?? {}) as Record<string, Json>))
    blocks.set(`local.${name}`, body);
  for (const [name, body] of Object.entries((doc.output ?? {}) as Record<string, Json>))
    blocks.set(`output.${name}`, body);

  const graph = new Map<string, Set<string>>();
  for (const [address, body] of blocks) {
    const edges = new Set<string>();
    const expressions = stringsOf(body).flatMap(terraformExpressions).join("\n");
    for (const other of blocks.keys()) {
      if (other === address || other.startsWith("output.")) continue;
      const pattern = new RegExp(`(?<![\\w.-])${other.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w-])`);
      if (pattern.test(expressions)) edges.add(other);
    }
    for (const dependency of (body?.depends_on ?? []) as string[]) {
      edges.add(String(dependency).replace(/^\$\{(.*)\}$/, "$1"));
    }
    graph.set(address, edges);
  }
  return graph;
}

function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => stringsOf(v, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) if (k !== "//") stringsOf(v, out);
  }
  return out;
}

/** Every cycle (as the list of addresses around it), empty when Terraform can order the stack. */
export function dependencyCycles(graph: DependencyGraph): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "visiting");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "visiting") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

/** Whether `from` depends on `to`, directly or through other nodes. */
export function dependsOn(graph: DependencyGraph, from: string, to: string): boolean {
  const seen = new Set<string>();
  const pending = [...(graph.get(from) ?? [])];
  while (pending.length > 0) {
    const node = pending.pop() as string;
    if (node === to) return true;
    if (seen.has(node)) continue;
    seen.add(node);
    pending.push(...(graph.get(node) ?? []));
  }
  return false;
}
