import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { exampleInput } from "./helpers/stacks";
import { richConfigWithSixMistakes, SIX_MISTAKE_FIELDS } from "./helpers/config-mistakes";
import { tempDir } from "./helpers/temp-dirs";

const ROOT = path.join(__dirname, "..");
const BUNDLE = path.join(ROOT, "dist", "lambda", "pre-token-generation", "index.js");

/** Runs the app the way `cdktf synth` does: the cdktf.json app command with CDKTF_OUTDIR set. */
function runApp(config: unknown) {
  const dir = tempDir("bridge-main-");
  const configFile = path.join(dir, "config.json");
  writeFileSync(configFile, JSON.stringify(config));
  const outdir = path.join(dir, "cdktf.out");
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), "main.ts"],
    {
      cwd: ROOT,
      env: { ...process.env, BRIDGE_CONFIG: configFile, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
      encoding: "utf8",
    },
  );
  return { ...result, outdir };
}

/** Each of `fields` is named in exactly one problem line of `stderr`. */
function expectNamedOnce(stderr: string, fields: readonly string[]) {
  for (const field of fields) {
    expect(stderr.split("\n").filter((l) => l.startsWith(`  - ${field}: `))).toHaveLength(1);
  }
}

(existsSync(BUNDLE) ? describe : describe.skip)("main.ts (the cdktf app)", () => {
  it("synthesizes the three stacks of a config chosen with BRIDGE_CONFIG", () => {
    const config = exampleInput();
    config.environment = "qa";
    config.backend = { type: "s3", bucket: "qa-state", region: "us-east-1", keyPrefix: "bridge" };
    // Without the example's one warning (Admin granted to a group the JIT Lambda manages): nothing on stderr.
    delete config.cognito.provisioning!.groupMap!["cognito-admins"];
    const run = runApp(config);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(run.outdir, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks).sort()).toEqual([
      "qa-cloudflare-access",
      "qa-cognito",
      "qa-identity-center",
    ]);
    const cognito = readFileSync(path.join(run.outdir, "stacks", "qa-cognito", "cdk.tf.json"), "utf8");
    expect(JSON.parse(cognito).terraform.backend.s3.key).toBe("bridge/qa/cognito.tfstate");
    // No absolute path of this machine in any synthesized file (manifest, stacks, assets).
    for (const file of readdirSync(run.outdir, { recursive: true, encoding: "utf8" })) {
      const full = path.join(run.outdir, file);
      if (!statSync(full).isFile()) continue;
      const text = readFileSync(full, "utf8");
      expect({ file, root: text.includes(ROOT), outdir: text.includes(run.outdir) }).toEqual({
        file,
        root: false,
        outdir: false,
      });
    }
  });

  it("refuses a config with two bad fields, naming both, before synthesizing anything", () => {
    const config = exampleInput();
    config.cloudflare.teamName = "Acme Corp";
    (config.identityCenter.permissionSets![0] as { sessionDuration: string }).sessionDuration = "8 hours";
    const run = runApp(config);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("(2 problems)");
    expect(run.stderr).toContain("cloudflare.teamName: expected the Zero Trust team name");
    expect(run.stderr).toContain(
      "identityCenter.permissionSets[0].sessionDuration: expected an ISO-8601 duration",
    );
    expect(run.stderr).not.toMatch(/^\s+at /m); // a message, not a stack trace
    expect(existsSync(run.outdir)).toBe(false);
  });

  it("runs under the cdktf CLI as `npm run synth -- --output DIR` does", () => {
    const outdir = path.join(tempDir("bridge-cli-"), "out");
    const cli = path.join(ROOT, "node_modules", "cdktf-cli", "bundle", "bin", "cdktf");
    const run = spawnSync(process.execPath, [cli, "synth", "--output", outdir], {
      cwd: ROOT,
      env: { ...process.env, CHECKPOINT_DISABLE: "1", BRIDGE_CONFIG: "" },
      encoding: "utf8",
    });
    expect(run.status).toBe(0);
    for (const stack of ["prod-identity-center", "prod-cognito", "prod-cloudflare-access"]) {
      expect(existsSync(path.join(outdir, "stacks", stack, "cdk.tf.json"))).toBe(true);
    }
  });
});

(existsSync(BUNDLE) ? describe : describe.skip)("config mistakes through main.ts and npm run synth", () => {
  it("refuses every kind of config mistake the clouds would reject, each named once, before writing anything", () => {
    const config = JSON.parse(
      readFileSync(path.join(ROOT, "__tests__", "fixtures", "config", "rich.json"), "utf8"),
    );
    config.backend.kmsKeyId = "1234abcd-12ab-34cd-56ef-1234567890ab";
    config.cognito.upstreamProviders[0].name = "okta_corp";
    config.cognito.upstreamProviders[0].trustEmail = false;
    config.cognito.upstreamProviders[0].attributeMapping.team = "team";
    config.cognito.provisioning.groupMap.Sales = "engineers";
    config.cognito.provisioning.groupsAttribute = "custom:teams";
    config.cognito.provisioning.enterpriseAttributes.division = "custom:division";
    config.cloudflare.accessControlAttributes.Department = "custom:department";
    config.identityCenter.permissionSets[0].inlinePolicy.Statement[0].Principal = "*";
    const run = runApp(config);
    expect(run.status).toBe(1);
    expectNamedOnce(run.stderr, [
      "backend.kmsKeyId",
      "cognito.upstreamProviders[0].name",
      "cognito.upstreamProviders[0].trustEmail",
      "cognito.upstreamProviders[0].attributeMapping.team",
      "cognito.provisioning.groupMap.Sales",
      "cognito.provisioning.groupsAttribute",
      "cognito.provisioning.enterpriseAttributes.division",
      "cloudflare.accessControlAttributes.Department",
      "identityCenter.permissionSets[0].inlinePolicy.Statement[0].Principal",
    ]);
    expect(run.stderr.match(/Invalid config/g)).toHaveLength(1);
    expect(existsSync(run.outdir)).toBe(false);
  });

  it("refuses the six mistakes that used to pass synth (issue 20), naming each once, before writing anything", () => {
    const config = richConfigWithSixMistakes();
    const run = runApp(config);
    expect(run.status).toBe(1);
    expectNamedOnce(run.stderr, SIX_MISTAKE_FIELDS);
    expect(existsSync(run.outdir)).toBe(false);
  });

  it("warns once about each risky combination, with what to do instead, and still synthesizes", () => {
    const config = JSON.parse(
      readFileSync(path.join(ROOT, "__tests__", "fixtures", "config", "rich.json"), "utf8"),
    );
    config.cognito.provisioning.deprovision = "delete-user";
    config.cognito.upstreamProviders[1].trustEmail = true;
    config.identityCenter.permissionSets[0].managedPolicies = ["arn:aws:iam::aws:policy/AdministratorAccess"];
    const run = runApp(config);
    expect(run.status).toBe(0);
    for (const warning of [
      /^Warning: cognito\.provisioning\.adoptExistingUsers with deprovision "delete-user".*Prefer/gm,
      /^Warning: cognito\.upstreamProviders \(Google\)\.trustEmail is true.*Remove trustEmail/gm,
      /^Warning: cognito\.provisioning\.deprovision is "delete-user".*npm run doctor -- --env corp/gm,
      /^Warning: identityCenter\.permissionSets \(Engineer\) grants AdministratorAccess to engineers.*Prefer/gm,
    ]) {
      expect(run.stderr.match(warning)).toHaveLength(1);
    }
    expect(existsSync(path.join(run.outdir, "manifest.json"))).toBe(true);
  });

  it("warns once on stderr when verified emails are not required, and still synthesizes", () => {
    const config = exampleInput();
    config.cognito.provisioning!.requireVerifiedEmail = false;
    const run = runApp(config);
    expect(run.status).toBe(0);
    expect(run.stderr.match(/^Warning: cognito\.provisioning\.requireVerifiedEmail is false/gm)).toHaveLength(
      1,
    );
    expect(existsSync(path.join(run.outdir, "manifest.json"))).toBe(true);
  });

  it("npm run synth prints a config error once (the check runs before cdktf, which would repeat it)", () => {
    const dir = tempDir("bridge-synth-error-");
    const config = exampleInput();
    config.environment = "Prod";
    const configFile = path.join(dir, "prod.json");
    writeFileSync(configFile, JSON.stringify(config));
    const outdir = path.join(dir, "out");
    const run = spawnSync("npm", ["run", "--silent", "synth", "--", "--output", outdir], {
      cwd: ROOT,
      env: { ...process.env, BRIDGE_CONFIG: configFile, CHECKPOINT_DISABLE: "1" },
      encoding: "utf8",
    });
    expect(run.status).not.toBe(0);
    const output = `${run.stdout}${run.stderr}`;
    expect(output.match(/Invalid config/g)).toHaveLength(1);
    expect(output.match(/- environment: expected 1-16 lowercase letters/g)).toHaveLength(1);
    expect(existsSync(outdir)).toBe(false);
  });
});
