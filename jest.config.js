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
  reporters: ["default", "<rootDir>/__tests__/helpers/summary-reporter.js"],
};
