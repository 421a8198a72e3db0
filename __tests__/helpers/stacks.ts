import { readFileSync } from "node:fs";
import * as path from "node:path";
import { App, Testing } from "cdktf";
import { parseConfig, type BridgeConfig, type BridgeConfigInput } from "../../config";
import { tempDir } from "./temp-dirs";
import { buildStacks, type BridgeStacks } from "../../stacks";

/** The example config, parsed, as a fresh object each call. */
export function exampleInput(): BridgeConfigInput {
  return JSON.parse(readFileSync(path.join(__dirname, "..", "..", "config", "example.json"), "utf8"));
}

/** A richer config than the example: Cognito groups, custom attributes, a groups attribute, SAML with trustEmail. */
export const RICH_CONFIG = path.join(__dirname, "..", "fixtures", "config", "rich.json");

/** A valid config built from the example with `change` applied to a deep copy. */
export function configWith(change: (c: BridgeConfigInput) => void = () => {}): BridgeConfig {
  const input = exampleInput();
  change(input);
  return parseConfig(input);
}

/** A tiny stand-in for the JIT Lambda bundle, so stack tests need no build. */
export const FIXTURE_BUNDLE_DIR = path.join(__dirname, "..", "fixtures", "lambda-bundle");

export interface SynthesizedBridge {
  readonly stacks: BridgeStacks;
  /** Synthesized Terraform JSON (as a string, what cdktf's matchers take) per stack role. */
  readonly identityCenter: string;
  readonly cognito: string;
  readonly cloudflareAccess: string;
  readonly outdir: string;
}

/**
 * Builds and synthesizes all three stacks of a config into a temp dir. `skipValidation` skips cdktf's own
 * synth-time checks, one of which runs `terraform version` for a cloud backend.
 */
export function synthBridge(
  config: BridgeConfig,
  bundleDir = FIXTURE_BUNDLE_DIR,
  options: { skipValidation?: boolean } = {},
): SynthesizedBridge {
  const outdir = tempDir("bridge-synth-");
  const app = Testing.stubVersion(
    new App({ outdir, stackTraces: false, skipValidation: options.skipValidation }),
  );
  const stacks = buildStacks(app, config, {
    preTokenGenerationBundleDir: bundleDir,
    deprovisioningBundleDir: bundleDir,
    projectRoot: outdir,
  });
  app.synth();
  const read = (stackId: string) => readFileSync(path.join(outdir, "stacks", stackId, "cdk.tf.json"), "utf8");
  return {
    stacks,
    identityCenter: read(stacks.identityCenter.node.id),
    cognito: read(stacks.cognito.node.id),
    cloudflareAccess: read(stacks.cloudflareAccess.node.id),
    outdir,
  };
}

/** Parsed Terraform JSON, for assertions the matchers cannot express. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TerraformJson = Record<string, any>;
export function json(synthesized: string): TerraformJson {
  return JSON.parse(synthesized);
}

/** All resources of one type in a synthesized stack, by logical id. */
export function resources(synthesized: string, type: string): TerraformJson {
  return json(synthesized).resource?.[type] ?? {};
}
