/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, loaded by Jest as it is */
/**
 * Jest globalSetup: one cache directory per run for what the test files would otherwise each compute again
 * (synthesized stacks: synth-cache.ts). Workers are started after this and inherit the variable; the
 * directory is removed by global-teardown.js, so nothing outlives the run.
 */
const { mkdtempSync } = require("node:fs");
const os = require("node:os");
const path = require("node:path");

module.exports = async function globalSetup() {
  process.env.BRIDGE_TEST_SYNTH_CACHE = mkdtempSync(path.join(os.tmpdir(), "bridge-test-run-"));
};
