/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, loaded by Jest as it is */
/** Jest globalTeardown: removes the run's cache directory (global-setup.js). */
const { rmSync } = require("node:fs");

module.exports = async function globalTeardown() {
  const dir = process.env.BRIDGE_TEST_SYNTH_CACHE;
  if (dir) rmSync(dir, { recursive: true, force: true });
};
