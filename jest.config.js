/** Tests are transpiled by SWC without type-checking (`npm run build` type-checks). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__", "<rootDir>/lambda-src", "<rootDir>/stacks", "<rootDir>/config"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.tsx?$": [
      "@swc/jest",
      { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } },
    ],
  },
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  // One cache directory per run, shared by the workers (synthesized stacks: __tests__/helpers/synth-cache.ts).
  globalSetup: "<rootDir>/__tests__/helpers/global-setup.js",
  globalTeardown: "<rootDir>/__tests__/helpers/global-teardown.js",
  testTimeout: 60000,
  // Jest's default is one worker fewer than the CPUs: one worker on a 2-CPU machine. Many files wait on child
  // processes (Terraform, the Lambda bundle, the cdktf CLI), so one worker per CPU keeps both CPUs busy.
  maxWorkers: "100%",
  // A worker that has grown past this is replaced after its file: each file's module registry is left
  // behind in the worker's heap, and a heap of 1-2 GB makes every later file slower to collect.
  workerIdleMemoryLimit: "1GB",
  reporters: ["default", "<rootDir>/__tests__/helpers/summary-reporter.js"],
};
