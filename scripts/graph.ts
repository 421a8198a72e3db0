/**
 * `npm run graph [-- --write] [-- --outdir DIR]`: a mermaid diagram of the stacks, the values that cross
 * between them and their resources, generated from the synthesized Terraform JSON:
 *
 * - one subgraph per stack (in apply order) with its resource types and how many of each;
 * - one arrow per cross-stack reference, producer → consumer, labelled with the producer's values the
 *   consumer reads: cdktf turns each into an output `cross-stack-output-…` of the producer and a
 *   `data.terraform_remote_state` read in the consumer, so both ends are in the JSON.
 *
 * Without --outdir it synthesizes the config in BRIDGE_CONFIG (default config/example.json; `--env ENV` must be
 * its environment, as for every command) into a temporary directory; --write puts the example's diagram into
 * README.md between the stack-graph markers (a test keeps that copy current).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_CONFIG_PATH } from "../config";
import { commandConfig } from "../cli/shared/command";
import { applyOrder, readManifest, readStackJson, type TerraformJson } from "./synth-output";

const ROOT = path.join(__dirname, "..");
export const README = path.join(ROOT, "README.md");
export const GRAPH_START = "<!-- stack-graph:start (npm run graph -- --write) -->";
export const GRAPH_END = "<!-- stack-graph:end -->";

const REMOTE_READ = /\bdata\.terraform_remote_state\.([\w-]+)\.outputs\.([\w-]+)/g;

/** The `type.attribute` a producer's cross-stack output holds (`aws_identitystore_group.group_id`). */
function exportedValue(producer: TerraformJson, output: string): string {
  const value = String(producer.output?.[output]?.value ?? "");
  const refs = [...value.matchAll(/\b((?:data\.)?[a-z][\w]*)\.[\w-]+\.([\w]+)\b/g)].map(
    (m) => `${m[1]}.${m[2]}`,
  );
  if (refs.length > 0) return [...new Set(refs)].join(" + ");
  const local = /\blocal\.([\w-]+)/.exec(value);
  return local ? `local.${local[1].replace(/_[0-9A-F]{8}$/, "")}` : output;
}

/** The producer stack of a `terraform_remote_state` data source cdktf generated. */
function producerOf(name: string, remote: TerraformJson, stacks: string[]): string | undefined {
  const fromName = name.replace(/^cross-stack-reference-input-/, "");
  if (stacks.includes(fromName)) return fromName;
  const key = String(remote.config?.key ?? remote.config?.path ?? "");
  return stacks.find((s) => key.includes(s) || key.endsWith(`/${s.split("-").slice(1).join("-")}.tfstate`));
}

const label = (text: string) => `"${text.replace(/"/g, "#quot;")}"`;

/** The mermaid flowchart of a synthesized output directory. */
export function stackGraph(outdir: string): string {
  const manifest = readManifest(outdir);
  const order = applyOrder(manifest);
  const json = Object.fromEntries(order.map((s) => [s, readStackJson(outdir, manifest.stacks[s])]));
  const id = (stack: string) => `s${order.indexOf(stack)}`;
  const lines = ["flowchart LR"];

  for (const stack of order) {
    lines.push(`  subgraph ${id(stack)}[${label(stack)}]`, "    direction TB");
    const counts = Object.entries((json[stack].resource ?? {}) as Record<string, object>)
      .map(([type, blocks]) => [type, Object.keys(blocks).length] as const)
      .sort(([a], [b]) => a.localeCompare(b));
    counts.forEach(([type, n], i) =>
      lines.push(`    ${id(stack)}r${i}[${label(n > 1 ? `${type} ×${n}` : type)}]`),
    );
    if (counts.length === 0) lines.push(`    ${id(stack)}none[${label("(no resources)")}]`);
    lines.push("  end");
  }

  for (const consumer of order) {
    const text = JSON.stringify(json[consumer]);
    const remotes = (json[consumer].data?.terraform_remote_state ?? {}) as Record<string, TerraformJson>;
    const reads = new Map<string, Set<string>>();
    for (const m of text.matchAll(REMOTE_READ)) {
      const producer = producerOf(m[1], remotes[m[1]] ?? {}, order);
      if (producer === undefined) continue;
      const values = reads.get(producer) ?? new Set<string>();
      values.add(exportedValue(json[producer], m[2]));
      reads.set(producer, values);
    }
    for (const producer of order.filter((p) => reads.has(p))) {
      const values = [...reads.get(producer)!].sort();
      lines.push(`  ${id(producer)} -->|${label(values.join("<br/>"))}| ${id(consumer)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** README.md with `graph` between the stack-graph markers, as a mermaid code block. */
export function withGraph(readme: string, graph: string): string {
  const start = readme.indexOf(GRAPH_START);
  const end = readme.indexOf(GRAPH_END);
  if (start < 0 || end < start) {
    throw new Error(`README.md has no stack graph section: expected the lines\n${GRAPH_START}\n${GRAPH_END}`);
  }
  return `${readme.slice(0, start + GRAPH_START.length)}\n\n\`\`\`mermaid\n${graph}\`\`\`\n\n${readme.slice(end)}`;
}

/** The diagram in README.md (between the markers), or undefined. */
export function readmeGraph(readme: string): string | undefined {
  const start = readme.indexOf(GRAPH_START);
  const end = readme.indexOf(GRAPH_END);
  if (start < 0 || end < start) return undefined;
  const m = /```mermaid\n([^]*?)```/.exec(readme.slice(start, end));
  return m?.[1];
}

/** Synthesizes the config in BRIDGE_CONFIG into a temporary directory (the real bundle, built when stale). */
function synthesizeConfig(env: NodeJS.ProcessEnv): string {
  const build = spawnSync(process.execPath, [path.join(ROOT, "scripts", "build-lambda.mjs"), "--if-stale"], {
    stdio: "inherit",
  });
  if (build.status !== 0) throw new Error("npm run build:lambda failed");
  const outdir = mkdtempSync(path.join(os.tmpdir(), "bridge-graph-"));
  const synth = spawnSync(
    process.execPath,
    [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), path.join(ROOT, "main.ts")],
    {
      stdio: "inherit",
      env: { ...env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
    },
  );
  if (synth.status !== 0) throw new Error(`synth of ${env.BRIDGE_CONFIG || "config/example.json"} failed`);
  return outdir;
}

function main(argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  const write = argv.includes("--write");
  const flag = argv.indexOf("--outdir");
  const envFlag = argv.indexOf("--env");
  const unknown = argv.filter(
    (a, i) =>
      a !== "--write" &&
      a !== "--outdir" &&
      a !== "--env" &&
      !(flag >= 0 && i === flag + 1) &&
      !(envFlag >= 0 && i === envFlag + 1),
  );
  if (
    unknown.length > 0 ||
    (flag >= 0 && !argv[flag + 1]) ||
    (envFlag >= 0 && !argv[envFlag + 1]) ||
    (write && flag >= 0)
  ) {
    console.error(
      "usage: npm run graph [-- --env ENV] [-- --write]  the graph of the config in BRIDGE_CONFIG (default\n" +
        "                                                config/example.json; --write: the example's, into README.md)\n" +
        "       npm run graph -- --outdir DIR             the graph of a synthesized output directory",
    );
    return 2;
  }
  const { file } = commandConfig(env, envFlag >= 0 ? argv[envFlag + 1] : undefined);
  if (write && path.resolve(file) !== DEFAULT_CONFIG_PATH) {
    throw new Error(`--write puts the example config's graph into README.md: unset BRIDGE_CONFIG (${file})`);
  }
  const outdir = flag >= 0 ? path.resolve(argv[flag + 1]) : synthesizeConfig(env);
  try {
    const graph = stackGraph(outdir);
    if (write) {
      writeFileSync(README, withGraph(readFileSync(README, "utf8"), graph));
      console.log("Updated the stack graph in README.md");
    } else {
      process.stdout.write(graph);
    }
    return 0;
  } finally {
    if (flag < 0) rmSync(outdir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(`graph: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
