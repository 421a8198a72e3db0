/**
 * Synthesized stacks shared by every test of a Jest run. Synthesizing the bridge takes about a second of CPU
 * and the suite asks for the same configs in file after file, so each distinct (config, Lambda bundle,
 * options) is synthesized once per run: a worker keeps what it synthesized in memory, and the output tree is
 * also written to the run's cache directory (made by jest.global-setup.js, named in SYNTH_CACHE_ENV) so the
 * other workers and later files copy it instead of synthesizing again. Each caller gets its own copy of the
 * tree, so a test that writes into its output directory (terraform init, state) never touches another's.
 * The key is the content of everything the synth reads: the config as JSON, the bundle directory's path and
 * files, and the options; a value JSON cannot hold faithfully (a function, a Map …) turns the cache off.
 */
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import * as path from "node:path";

/** The environment variable naming the run's cache directory (set by jest.global-setup.js). */
export const SYNTH_CACHE_ENV = "BRIDGE_TEST_SYNTH_CACHE";

/** What a synth leaves behind, apart from the constructs: the stack ids of the output tree. */
export interface CachedSynth {
  /** Stack ids by role, as in BridgeStacks (identityPropagation only when the config has one). */
  readonly stackIds: Readonly<Record<string, string>>;
}

const inMemory = new Map<string, { readonly tree: string; readonly entry: CachedSynth }>();

/** JSON of `value` with object keys in insertion order; undefined when JSON would lose something. */
function faithfulJson(value: unknown): string | undefined {
  let faithful = true;
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === "function" || typeof item === "symbol" || typeof item === "bigint") faithful = false;
    else if (item instanceof Map || item instanceof Set || item instanceof RegExp || item instanceof Date)
      faithful = false;
    else if (typeof item === "number" && !Number.isFinite(item)) faithful = false;
    return item;
  });
  return faithful ? text : undefined;
}

/** sha256 over every file under `dir` (relative path and content); "" when it does not exist. */
function directoryDigest(dir: string): string {
  if (!existsSync(dir)) return "";
  const hash = createHash("sha256");
  for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" }).sort()) {
    const full = path.join(dir, file);
    if (!statSync(full).isFile()) continue;
    hash.update(file).update("\0").update(readFileSync(full)).update("\0");
  }
  return hash.digest("hex");
}

/** The cache key of one synth, or undefined when it cannot be cached. */
export function synthCacheKey(config: unknown, bundleDir: string, options: unknown): string | undefined {
  const configJson = faithfulJson(config);
  const optionsJson = faithfulJson(options ?? {});
  if (configJson === undefined || optionsJson === undefined) return undefined;
  return createHash("sha256")
    .update(configJson)
    .update("\0")
    .update(path.resolve(bundleDir))
    .update("\0")
    .update(directoryDigest(bundleDir))
    .update("\0")
    .update(optionsJson)
    .digest("hex")
    .slice(0, 32);
}

function sharedDir(): string | undefined {
  const dir = process.env[SYNTH_CACHE_ENV];
  return dir && existsSync(dir) ? dir : undefined;
}

/** Copies a cached synth of `key` into `outdir` (which must not exist) and returns its entry, if cached. */
export function restoreSynth(key: string, outdir: string): CachedSynth | undefined {
  let found = inMemory.get(key);
  const shared = sharedDir();
  if (found === undefined && shared !== undefined) {
    const tree = path.join(shared, key);
    const entryFile = path.join(shared, `${key}.json`);
    if (existsSync(entryFile)) {
      found = { tree, entry: JSON.parse(readFileSync(entryFile, "utf8")) as CachedSynth };
      inMemory.set(key, found);
    }
  }
  if (found === undefined) return undefined;
  cpSync(found.tree, outdir, { recursive: true });
  return found.entry;
}

/**
 * Keeps a copy of the synthesized tree `outdir` under `key`: in the run's cache directory when there is one
 * (written beside and renamed into place, so a reader never sees half a tree), else in a private temp dir.
 */
export function storeSynth(key: string, outdir: string, entry: CachedSynth, privateDir: () => string): void {
  if (inMemory.has(key)) return;
  const shared = sharedDir();
  if (shared === undefined) {
    const tree = path.join(privateDir(), "tree");
    cpSync(outdir, tree, { recursive: true });
    inMemory.set(key, { tree, entry });
    return;
  }
  const tree = path.join(shared, key);
  const entryFile = path.join(shared, `${key}.json`);
  if (!existsSync(entryFile)) {
    const staging = path.join(shared, `.${key}.${process.pid}`);
    cpSync(outdir, staging, { recursive: true });
    try {
      renameSync(staging, tree);
      const stagingEntry = `${entryFile}.${process.pid}`;
      writeFileSync(stagingEntry, JSON.stringify(entry));
      renameSync(stagingEntry, entryFile);
    } catch {
      // Another worker stored the same synth first: theirs is as good as ours.
      rmSync(staging, { recursive: true, force: true });
    }
  }
  if (existsSync(entryFile)) inMemory.set(key, { tree, entry });
}
