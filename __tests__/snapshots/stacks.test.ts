/**
 * Reviewable snapshots: the synthesized Terraform JSON of every stack of the example config, so a pull request
 * shows its infrastructure diff in __snapshots__/stacks.test.ts.snap. Regenerate with `npx jest -u
 * __tests__/snapshots` after an intended change and review the diff like code.
 *
 * Deterministic by construction: the cdktf version is stubbed, the JIT Lambda is the fixture bundle and its
 * content-hashed asset directory is normalized, and no path of the machine or the output directory appears
 * (proven below by synthesizing from two different directories).
 */
import { mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { applyOrder, readManifest } from "../../scripts/synth-output";
import { configWith, synthBridge, type TerraformJson } from "../helpers/stacks";
import { tempDir } from "../helpers/temp-dirs";

const ROOT = path.join(__dirname, "..", "..");

/** Replaces what may differ between machines or bundle builds with stable placeholders. */
export function normalize(text: string): string {
  return text.replace(/\b(assets\/[\w-]+\/)[0-9A-F]{32}\b/g, "$1<content hash>");
}

/** Synthesizes the example config into `outdir`; returns each stack's normalized JSON, in apply order. */
function synthesizeExample(outdir?: string): Record<string, TerraformJson> {
  const { outdir: dir } = synthBridge(configWith(), undefined, { outdir });
  return Object.fromEntries(
    applyOrder(readManifest(dir)).map((stack) => [
      stack,
      JSON.parse(normalize(readFileSync(path.join(dir, "stacks", stack, "cdk.tf.json"), "utf8"))),
    ]),
  );
}

const stacks = synthesizeExample();

describe.each(Object.keys(stacks))("%s", (stack) => {
  it("matches its reviewed snapshot", () => {
    expect(stacks[stack]).toMatchSnapshot();
  });
});

describe("snapshot stability", () => {
  it("is the same when synthesized from another directory, at another depth", () => {
    const deep = path.join(tempDir("bridge-snapshot-"), "a", "much", "deeper", "folder");
    mkdirSync(deep, { recursive: true });
    const other = synthesizeExample(deep);
    expect(other).toEqual(stacks);
    const text = JSON.stringify(other);
    for (const machinePath of [deep, ROOT, path.dirname(ROOT)]) expect(text).not.toContain(machinePath);
  });

  it("normalizes only the asset's content hash", () => {
    const asset = "assets/pre-token-generation_function_bundle_FDCF5CFB/1475EA42B2D118F22A0F565213218B1F";
    expect(normalize(`"${asset}.zip"`)).toBe(
      '"assets/pre-token-generation_function_bundle_FDCF5CFB/<content hash>.zip"',
    );
    expect(normalize('"1475EA42B2D118F22A0F565213218B1F"')).toBe('"1475EA42B2D118F22A0F565213218B1F"');
  });
});
