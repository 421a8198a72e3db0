/**
 * `npm run bench`: measures what users, signing-in people and contributors wait for, on this machine, each
 * figure beside what it is compared with IN THE SAME RUN (so a busy machine slows both sides). One scenario
 * per file under scripts/bench/:
 *  - bundle (lambda-bundle.ts, cold-start.ts): the JIT bundle's size, gzip, cold `require` and cold start
 *    (load + first call for a known person) against a naive esbuild bundle, and the effect of each option;
 *  - synth (synth.ts): `npm run synth`, the app phase of `cdktf diff/deploy` and `npm run validate` against
 *    the cdktf template's way;
 *  - jit, hung (jit.ts): the handler's warm latencies against the local Identity Store; a store that never answers;
 *  - storm, groups (storms.ts): 200 first sign-ins in 2 s and one into 50 groups, at 20 requests/s per operation;
 *  - suite (suite.ts): `npm test` phase by phase, wall and CPU time.
 * Writes bench/results.json and the README's "Speed" table (both generated: never edit them by hand).
 * Timings are medians of interleaved runs; nothing here asserts a timing, it reports targets met or not.
 */
import { rmSync } from "node:fs";
import * as os from "node:os";
import { hungStore, jitWarm } from "./bench/jit";
import { lambdaBundle } from "./bench/lambda-bundle";
import { bundleChoices, figures, scratch } from "./bench/measure";
import { report } from "./bench/report";
import { fiftyGroups, signInStorm } from "./bench/storms";
import { suite } from "./bench/suite";
import { synth } from "./bench/synth";

const SECTIONS: Record<string, () => Promise<void>> = {
  bundle: lambdaBundle,
  synth,
  jit: jitWarm,
  hung: hungStore,
  storm: signInStorm,
  groups: fiftyGroups,
  suite,
};

/** `npm run bench` runs every section and writes the results; `-- --only storm,groups` only prints some. */
async function main(args: string[]): Promise<void> {
  const loadAverage = os.loadavg();
  const flag = args.indexOf("--only");
  const only = flag >= 0 ? (args[flag + 1] ?? "").split(",") : undefined;
  const unknown = (only ?? []).filter((name) => !(name in SECTIONS));
  if (unknown.length > 0)
    throw new Error(
      `unknown section(s) ${unknown.join(", ")}; sections: ${Object.keys(SECTIONS).join(", ")}`,
    );
  for (const [name, section] of Object.entries(SECTIONS))
    if (only === undefined || only.includes(name)) await section();
  const machine = { cpus: os.cpus().length, node: process.version, loadAverage };
  await report({ machine, figures, bundleChoices }, only === undefined);
}

main(process.argv.slice(2))
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(scratch, { recursive: true, force: true }));
