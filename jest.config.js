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
  testTimeout: 60000,
  reporters: ["default", "<rootDir>/__tests__/helpers/summary-reporter.js"],
};
