#!/usr/bin/env node
// The cdktf app command (cdktf.json "app"), run by `cdktf synth/diff/deploy` and by `npm run synth`:
// rebuilds whatever is stale (the Lambda bundles, the app bundle), then runs the app bundle in this process.
// One Node process and no TypeScript at synth time: this is the app phase of every cdktf command.
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { APP_BUNDLE, buildApp, isAppFresh } from "./build-app.mjs";
import { buildLambdas, staleLambdas } from "./build-lambda.mjs";
import { runWithCodeCache } from "./code-cache.mjs";

/** Brings the bundles up to date, then synthesizes (the app reads CDKTF_OUTDIR etc. from process.env). */
export async function runApp() {
  const stale = staleLambdas();
  if (stale.length > 0) await buildLambdas({ functions: stale });
  if (!isAppFresh()) await buildApp();
  runWithCodeCache(APP_BUNDLE);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await runApp();
