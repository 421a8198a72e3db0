/**
 * `npm run graph`: the stack diagram comes from the synthesized JSON (stacks, remote-state reads, resources),
 * and README.md's copy is the current one (regenerate with `npm run graph -- --write`).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { GRAPH_END, GRAPH_START, README, readmeGraph, stackGraph, withGraph } from "../scripts/graph";
import { readManifest } from "../scripts/synth-output";
import { configWith, synthBridge } from "./helpers/stacks";

const ROOT = path.join(__dirname, "..");

describe("npm run graph", () => {
  const example = synthBridge(configWith());
  const graph = stackGraph(example.outdir);

  it("README.md shows the current graph of the example config (else: npm run graph -- --write)", () => {
    expect(readmeGraph(readFileSync(README, "utf8"))).toBe(graph);
  });

  it("draws every stack with its resource types, and an arrow per dependency labelled with what crosses", () => {
    expect(graph).toMatch(/^flowchart LR\n {2}subgraph s0\["prod-identity-center"\]/);
    expect(graph).toContain('    s0r0["aws_identitystore_group ×3"]');
    expect(graph).toMatch(/^ {4}s1r\d+\["aws_lambda_function ×2"\]$/m);
    const arrows = [...graph.matchAll(/^ {2}(s\d) -->\|"([^"]*)"\| (s\d)$/gm)].map((m) => [
      m[1],
      m[3],
      m[2].split("<br/>"),
    ]);
    const stacks = ["prod-identity-center", "prod-cognito", "prod-cloudflare-access"];
    // Exactly the dependencies cdktf recorded in the manifest.
    const manifest = readManifest(example.outdir);
    const dependencies = stacks.flatMap((consumer, c) =>
      manifest.stacks[consumer].dependencies.map((producer) => [`s${stacks.indexOf(producer)}`, `s${c}`]),
    );
    expect(arrows.map(([from, to]) => [from, to]).sort()).toEqual(dependencies.sort());
    expect(arrows).toContainEqual(["s0", "s1", expect.arrayContaining(["aws_identitystore_group.group_id"])]);
    expect(arrows).toContainEqual([
      "s1",
      "s2",
      [
        "aws_cognito_user_pool.endpoint",
        "aws_cognito_user_pool_client.id",
        "aws_cognito_user_pool_domain.domain",
        "aws_secretsmanager_secret.arn",
      ],
    ]);
  });

  it("follows the config: a stack without group mappings reads no group ids", () => {
    const noGroups = stackGraph(
      synthBridge(configWith((c) => (c.cognito.provisioning!.groupMap = {}))).outdir,
    );
    expect(noGroups).not.toContain("aws_identitystore_group.group_id");
    expect(noGroups).toContain("s0 -->|");
  });

  it("prints the graph of a synthesized directory", () => {
    const run = spawnSync(
      process.execPath,
      [
        path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"),
        "scripts/graph.ts",
        "--outdir",
        example.outdir,
      ],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(graph);
  });

  it("--write replaces what is between the markers, and refuses a README without them", () => {
    const readme = `# x\n\n${GRAPH_START}\nold\n${GRAPH_END}\n\nrest\n`;
    const updated = withGraph(readme, "flowchart LR\n  a --> b\n");
    expect(updated).toBe(
      `# x\n\n${GRAPH_START}\n\n\`\`\`mermaid\nflowchart LR\n  a --> b\n\`\`\`\n\n${GRAPH_END}\n\nrest\n`,
    );
    expect(withGraph(updated, "flowchart LR\n  a --> b\n")).toBe(updated);
    expect(readmeGraph(updated)).toBe("flowchart LR\n  a --> b\n");
    expect(() => withGraph("# no markers\n", "x")).toThrow(/no stack graph section/);
  });
});
