import { readFileSync } from "node:fs";
import * as path from "node:path";
import { App, Testing } from "cdktf";
import { parseConfig, type BridgeConfig, type BridgeConfigInput } from "../../config";
import { tempDir } from "./temp-dirs";
import type { BridgeStacks } from "../../stacks";
import { restoreSynth, storeSynth, synthCacheKey } from "./synth-cache";

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

export interface SynthOptions {
  /** Skips cdktf's own synth-time checks, one of which runs `terraform version` for a cloud backend. */
  readonly skipValidation?: boolean;
  /** Synthesize into this directory (never shared: always a synth of its own). */
  readonly outdir?: string;
  /** Synthesize for real even if this run already synthesized the same config (tests of reproducibility). */
  readonly fresh?: boolean;
}

/** Builds the stacks of `config` in a new app and synthesizes them into `outdir`. */
function synthInto(
  config: BridgeConfig,
  bundleDir: string,
  outdir: string,
  skipValidation?: boolean,
): BridgeStacks {
  const app = Testing.stubVersion(new App({ outdir, stackTraces: false, skipValidation }));
  // Required here, not imported: a test file whose synths all come from the run's cache never loads the
  // stacks (and the providers' bindings under them).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildStacks } = require("../../stacks") as typeof import("../../stacks");
  const stacks = buildStacks(app, config, {
    preTokenGenerationBundleDir: bundleDir,
    deprovisioningBundleDir: bundleDir,
    projectRoot: outdir,
  });
  app.synth();
  return stacks;
}

/**
 * Builds and synthesizes all three stacks of a config into a temp dir. Synths are shared within a Jest run
 * (synth-cache.ts): the same config, bundle and options give a copy of the first synth's output tree, in a
 * directory of the caller's own; `stacks` (the constructs) are built by a synth of their own when first read.
 */
export function synthBridge(
  config: BridgeConfig,
  bundleDir = FIXTURE_BUNDLE_DIR,
  options: SynthOptions = {},
): SynthesizedBridge {
  const outdir = options.outdir ?? tempDir("bridge-synth-");
  const key =
    options.outdir === undefined && !options.fresh
      ? synthCacheKey(config, bundleDir, { skipValidation: options.skipValidation ?? false })
      : undefined;
  let stacks: BridgeStacks | undefined;
  let stackIds = key === undefined ? undefined : restoreSynth(key, outdir)?.stackIds;
  if (stackIds === undefined) {
    stacks = synthInto(config, bundleDir, outdir, options.skipValidation);
    stackIds = Object.fromEntries(
      Object.entries(stacks).flatMap(([role, stack]) => (stack ? [[role, stack.node.id]] : [])),
    );
    if (key !== undefined) storeSynth(key, outdir, { stackIds }, () => tempDir("bridge-synth-cache-"));
  }
  const read = (role: string) =>
    readFileSync(path.join(outdir, "stacks", stackIds[role], "cdk.tf.json"), "utf8");
  return {
    get stacks(): BridgeStacks {
      stacks ??= synthInto(config, bundleDir, tempDir("bridge-synth-"), options.skipValidation);
      return stacks;
    },
    identityCenter: read("identityCenter"),
    cognito: read("cognito"),
    cloudflareAccess: read("cloudflareAccess"),
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
