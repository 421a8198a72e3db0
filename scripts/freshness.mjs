// Staleness checks for the build scripts: a bundle is fresh when it exists and is at least as new as every
// file it is built from. Cheap (a few stat calls) so the cdktf app command can run it on every synth.
import { existsSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import process from "node:process";

/** Files under `dir` (absolute paths, recursive) whose path relative to `dir` passes `keep`. */
export function filesUnder(dir, keep = () => true) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name))
    .filter((file) => keep(path.relative(dir, file).split(path.sep).join("/")));
}

/** True when `target` exists and no existing file of `sources` was modified after it. */
export function isFresh(target, sources) {
  if (!existsSync(target)) return false;
  const built = statSync(target).mtimeMs;
  return sources.every((file) => !existsSync(file) || statSync(file).mtimeMs <= built);
}

/** Writes `file` atomically (temp file + rename), so a concurrent reader sees the old or the new bytes. */
export function writeAtomically(file, contents, tempDir = path.dirname(file)) {
  const temp = path.join(tempDir, `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(temp, contents);
  renameSync(temp, file);
}
