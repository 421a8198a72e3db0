import { existsSync } from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import { ConfigError, configWarnings, loadConfig, resolveConfigPath } from "./config";
import { buildStacks } from "./stacks";

// The only place that reads the environment and files: everything below gets typed values.
const configPath = resolveConfigPath(process.env);
const bundleDir = path.join(__dirname, "dist", "lambda", "pre-token-generation");
const deprovisioningBundleDir = path.join(__dirname, "dist", "lambda", "deprovisioning");

try {
  const config = loadConfig(configPath);
  for (const warning of configWarnings(config)) console.error(`Warning: ${warning}`);
  if (![bundleDir, deprovisioningBundleDir].every((dir) => existsSync(path.join(dir, "index.js")))) {
    throw new Error(
      `A Lambda bundle (${path.relative(process.cwd(), bundleDir)}/index.js or deprovisioning/index.js) is missing: run \`npm run build:lambda\` (npm run synth does it for you).`,
    );
  }
  const app = new App();
  buildStacks(app, config, {
    preTokenGenerationBundleDir: bundleDir,
    deprovisioningBundleDir,
    projectRoot: __dirname,
  });
  app.synth();
} catch (e) {
  // Printed once, here; nothing has been written yet.
  console.error(e instanceof ConfigError ? e.message : `Synth failed: ${(e as Error).message}`);
  process.exit(1);
}
