/**
 * Bench scenario "suite": what a contributor waits for, `npm test`, phase by phase as package.json runs it
 * (type-check, lint, Lambda bundles, Jest), each phase's wall time beside its CPU time (user + system, child
 * processes included). Caches are left as they are (Jest's transform cache, ESLint's and Prettier's).
 */
import { figure, npmCommands, timedWithCpu } from "./measure";

/** The phases of `npm test`, in its order: the script each runs, and how the figure names it. */
const PHASES: Array<[script: string, label: string]> = [
  ["build", "`npm run build` (tsc)"],
  ["lint", "`npm run lint` (ESLint, Prettier)"],
  ["build:lambda", "`npm run build:lambda`"],
];

export async function suite(): Promise<void> {
  const { npm, npx } = npmCommands();
  const section = "tests (`npm test`)";
  let wallMs = 0;
  for (const [script, label] of PHASES) {
    const phase = timedWithCpu(npm[0], [...npm.slice(1), "run", "--silent", script]);
    wallMs += phase.wallMs;
    report(section, label, phase);
  }
  const jest = timedWithCpu(npx[0], [...npx.slice(1), "--no-install", "jest", "--silent"]);
  wallMs += jest.wallMs;
  report(section, "`npx jest` (every test file)", jest, { text: "< 60 s", met: jest.wallMs < 60_000 });
  figure(section, { label: "`npm test` in all", value: wallMs / 1000, unit: "s" }, undefined, {
    text: "≤ 90 s",
    met: wallMs <= 90_000,
  });
}

function report(
  section: string,
  label: string,
  phase: { wallMs: number; cpuMs: number | undefined },
  target?: { text: string; met: boolean },
): void {
  figure(
    section,
    { label: `${label}: wall`, value: phase.wallMs / 1000, unit: "s" },
    phase.cpuMs === undefined
      ? undefined
      : { label: "CPU (user + system)", value: phase.cpuMs / 1000, unit: "s" },
    target,
    { ratio: false },
  );
}
