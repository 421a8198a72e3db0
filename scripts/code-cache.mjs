// Runs the app's bundles (scripts/app.mjs, scripts/validate.mjs) with a V8 code cache beside each.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import path from "node:path";
import process from "node:process";
import vm from "node:vm";
import { writeAtomically } from "./freshness.mjs";

/**
 * Runs a CommonJS file like require() does and returns its exports, with a V8 code cache beside it (Node 20 has no
 * module.enableCompileCache): compiling the 4 MB bundle is a fifth of a synth, and the cache, taken after
 * the run so it holds every function the run compiled, skips it. The cache is keyed by the file's content
 * (V8 itself checks only the source length) and by the V8 build and flags it was made with.
 */
export function runWithCodeCache(file) {
  const source = readFileSync(file);
  // The cdktf CLI runs the app with NODE_OPTIONS=--max-old-space-size: a cache of its own, so alternating
  // `npm run synth` and `cdktf diff` do not keep replacing each other's cache.
  const key = createHash("sha256")
    .update([process.version, process.arch, process.env.NODE_OPTIONS ?? "", ...process.execArgv].join(" "))
    .update(source)
    .digest("hex")
    .slice(0, 16);
  const cacheFile = `${file}.${key}.v8-cache`;
  const cachedData = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  const script = new vm.Script(Module.wrap(source.toString("utf8")), {
    filename: file,
    cachedData,
    // As require() does: an import() in the file goes to Node's loader.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = new Module(file);
  module.filename = file;
  script
    .runInThisContext()
    .call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  module.loaded = true;
  // (scripts/build-app.mjs removes the caches of a bundle it replaces.)
  if (cachedData === undefined || script.cachedDataRejected)
    writeAtomically(cacheFile, script.createCachedData());
  return module.exports;
}
