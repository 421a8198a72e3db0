/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, loaded by Jest as it is */
/**
 * Jest globalSetup: one cache directory per run for what the test files would otherwise each compute again
 * (synthesized stacks: synth-cache.ts; Terraform evaluations: terraform-cli.ts), and whether the Terraform
 * CLI is there, asked once (`terraform version`) instead of once per file. Workers are started after this and inherit the variable; the
 * directory is removed by global-teardown.js, so nothing outlives the run.
 */
const { spawnSync } = require("node:child_process");
const { mkdtempSync } = require("node:fs");
const os = require("node:os");
const path = require("node:path");

module.exports = async function globalSetup() {
  process.env.BRIDGE_TEST_SYNTH_CACHE = mkdtempSync(path.join(os.tmpdir(), "bridge-test-run-"));
  // As terraform-cli.ts's commandAvailable: can be started and exits 0.
  const terraform = spawnSync("terraform", ["version"], {
    stdio: "ignore",
    env: { ...process.env, CHECKPOINT_DISABLE: "1" },
    timeout: 30_000,
  });
  process.env.BRIDGE_TEST_TERRAFORM =
    terraform.error === undefined && terraform.status === 0 ? "available" : "missing";
};
