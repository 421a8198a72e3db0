/**
 * `npx tsx scripts/ci/previous-config.ts CONFIG OUTDIR STACK…`: finds the newest earlier version of CONFIG in
 * the git history (HEAD's included) whose synthesis still has every STACK, and leaves that synthesis in OUTDIR;
 * prints the commit. The CI synth (scripts/ci/synth.sh) uses it to destroy a stack the config no longer has
 * with the configuration it was deployed with. Exits 1 when none of the last 20 versions has them.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readManifest } from "../synth-output";

/** How one config file (a path) is synthesized into a directory. */
export type Synth = (configFile: string, outdir: string) => boolean;

const git = (cwd: string, args: string[]) => spawnSync("git", args, { cwd, encoding: "utf8" });

/**
 * The newest commit (of the last `depth` that changed `config`, a path relative to `repo`) whose version of
 * the config synthesizes every stack of `stacks` into `outdir`, or undefined.
 */
export function previousConfig(
  repo: string,
  config: string,
  stacks: readonly string[],
  outdir: string,
  synth: Synth,
  depth = 20,
): string | undefined {
  const log = git(repo, ["log", "--format=%H", "-n", String(depth), "--", config]);
  if (log.status !== 0) throw new Error(`git log failed: ${log.stderr.trim()}`);
  const scratch = mkdtempSync(path.join(os.tmpdir(), "bridge-previous-config-"));
  try {
    for (const sha of log.stdout.split("\n").filter(Boolean)) {
      const show = git(repo, ["show", `${sha}:${config}`]);
      if (show.status !== 0) continue;
      const file = path.join(scratch, `${sha}.json`);
      writeFileSync(file, show.stdout);
      rmSync(outdir, { recursive: true, force: true });
      if (!synth(file, outdir)) continue;
      const synthesized = Object.keys(readManifest(outdir).stacks);
      if (stacks.every((s) => synthesized.includes(s))) return sha;
    }
    return undefined;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** `npm run synth -- --output DIR` with BRIDGE_CONFIG=file: what CI runs. */
export const npmSynth =
  (cwd: string): Synth =>
  (file, outdir) =>
    spawnSync("node", ["scripts/synth.mjs", "--output", outdir], {
      cwd,
      env: { ...process.env, BRIDGE_CONFIG: file },
      stdio: "ignore",
    }).status === 0;

if (require.main === module) {
  const [config, outdir, ...stacks] = process.argv.slice(2);
  if (config === undefined || outdir === undefined || stacks.length === 0) {
    console.error("usage: previous-config.ts CONFIG OUTDIR STACK…");
    process.exitCode = 2;
  } else {
    const root = path.join(__dirname, "..", "..");
    const sha = previousConfig(root, config, stacks, path.resolve(outdir), npmSynth(root));
    if (sha === undefined) {
      console.error(`previous-config: no earlier ${config} of the last 20 synthesizes ${stacks.join(", ")}`);
      process.exitCode = 1;
    } else console.log(sha);
  }
}
