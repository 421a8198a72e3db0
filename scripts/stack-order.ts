/**
 * `npx tsx scripts/stack-order.ts [OUTDIR]`: prints the synthesized stacks of OUTDIR (default cdktf.out) in
 * apply order as one JSON array, e.g. `["prod-identity-center","prod-cognito","prod-cloudflare-access"]`.
 * The CI workflows build their per-stack matrix from it, so a new stack (identity-propagation) is planned
 * and checked for drift without editing them.
 */
import { applyOrder, readManifest } from "./synth-output";

if (require.main === module) {
  try {
    console.log(JSON.stringify(applyOrder(readManifest(process.argv[2] ?? "cdktf.out"))));
  } catch (e) {
    console.error(`stack-order: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
