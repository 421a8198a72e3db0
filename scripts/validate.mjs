#!/usr/bin/env node
// `npm run validate [-- [--quiet] [FILE]]`: cli/validate.ts run from its bundle (dist/app/validate.js, rebuilt
// when a source is newer, like the app bundle), so the check answers without a TypeScript runtime at start-up.
// The bundle holds the config modules and zod only (no cdktf, no provider bindings).
import process from "node:process";
import { buildApp, isAppFresh, VALIDATE_BUNDLE } from "./build-app.mjs";
import { runWithCodeCache } from "./code-cache.mjs";

// Quiet: `--quiet` promises no output for a valid config, and a rebuild is not news.
if (!isAppFresh()) await buildApp({ quiet: true });
const { main } = runWithCodeCache(VALIDATE_BUNDLE);
process.exitCode = main(process.argv.slice(2));
