import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { exampleInput, RICH_CONFIG } from "./helpers/stacks";
import { richConfigWithSixMistakes } from "./helpers/config-mistakes";
import { tempDir } from "./helpers/temp-dirs";

const ROOT = path.join(__dirname, "..");
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
const FORBID = path.join(__dirname, "helpers", "forbid-modules.cjs");

/** `npm run validate -- args…` as npm runs it (tsx), with cdktf and the providers forbidden. */
function validate(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [TSX, path.join(ROOT, "cli", "validate.ts"), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, BRIDGE_CONFIG: "", NODE_OPTIONS: `--require ${FORBID}`, ...options.env },
    encoding: "utf8",
  });
  return { ...run, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

describe("npm run validate (cli/validate.ts)", () => {
  const dir = tempDir("bridge-validate-");

  it("accepts the example and the rich config without loading cdktf or any provider binding, quickly", () => {
    for (const file of [undefined, RICH_CONFIG]) {
      const run = validate(file === undefined ? [] : [file]);
      // The example maps its administrators' group from Cognito, which is worth the warning it gets.
      expect(run.stderr).toMatch(
        file === undefined
          ? /^Warning: identityCenter\.permissionSets \(Admin\) grants AdministratorAccess to platform-admins, [^\n]*\n$/
          : /^$/,
      );
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^✔ \S+\.json is valid: environment \w+, stacks \w+-identity-center, /);
      // About a second on the 2-CPU reference machine (tsx start-up included); cdktf alone takes longer.
      expect(run.seconds).toBeLessThan(5);
    }
  });

  it("lists the identity-propagation stack among the stacks when identityCenter.trustedTokenIssuer is set", () => {
    const config = exampleInput() as Record<string, unknown> & {
      identityCenter: Record<string, unknown>;
    };
    config.identityCenter.trustedTokenIssuer = {
      name: "cognito",
      applicationName: "bridge-app",
      scopes: ["sso:account:access"],
      tokenExchangeAccounts: ["111111111111"],
      callbackUrls: ["https://app.acme.example/callback"],
    };
    writeFileSync(path.join(dir, "tti.json"), JSON.stringify(config, null, 2));
    const run = validate(["tti.json"], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      "✔ tti.json is valid: environment prod, stacks prod-identity-center, prod-cognito, prod-cloudflare-access, prod-identity-propagation\n",
    );
  });

  it("fails the way it must if cdktf were loaded (the guard is real on the tsx path)", () => {
    const script = path.join(dir, "imports-cdktf.ts");
    writeFileSync(
      script,
      `import { App } from "${path.join(ROOT, "node_modules", "cdktf")}";\nconsole.log(typeof App);\n`,
    );
    const run = spawnSync(process.execPath, [TSX, script], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: `--require ${FORBID}` },
      encoding: "utf8",
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/forbidden module loaded: \S*cdktf/);
  });

  it("prints each problem once, naming the file relative to the working directory, and exits 1", () => {
    const config = exampleInput() as Record<string, unknown> & { environment: string };
    config.environment = "Prod";
    writeFileSync(path.join(dir, "prod.json"), JSON.stringify(config, null, 2));
    const run = validate(["prod.json"], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      'Invalid config prod.json (1 problem):\n  - environment: expected 1-16 lowercase letters, digits and hyphens, starting with a letter (e.g. prod); got "Prod"\n',
    );
  });

  it("reports a JSON syntax error as file:line:column", () => {
    const text = JSON.stringify(exampleInput(), null, 2).replace('"prod",', '"prod"');
    writeFileSync(path.join(dir, "broken.json"), text);
    const line = text.split("\n").findIndex((l) => l.includes('"tags"')) + 1;
    const run = validate(["broken.json"], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `  - broken.json:${line}:3: expected "," between items (JSON syntax); got "\\"tags\\""`,
    );
    expect(run.stderr.match(/Invalid config/g)).toHaveLength(1);
  });

  it("takes BRIDGE_CONFIG when no file is given, and warns about an unverified-email setting", () => {
    const config = JSON.parse(readFileSync(RICH_CONFIG, "utf8"));
    config.cognito.provisioning.requireVerifiedEmail = false;
    const file = path.join(dir, "lax.json");
    writeFileSync(file, JSON.stringify(config));
    const run = validate([], { env: { BRIDGE_CONFIG: file } });
    expect(run.status).toBe(0);
    expect(run.stderr.match(/Warning: cognito\.provisioning\.requireVerifiedEmail is false/g)).toHaveLength(
      1,
    );
    expect(run.stderr).toContain("takes over the IAM Identity Center user with that email");
    expect(validate(["--quiet"], { env: { BRIDGE_CONFIG: file } })).toMatchObject({
      status: 0,
      stdout: "",
      stderr: "",
    });
  });

  it("refuses the mistakes that used to pass (issue 20), each with field, value, expected form and suggestion", () => {
    const config = richConfigWithSixMistakes();
    const file = path.join(dir, "six.json");
    writeFileSync(file, JSON.stringify(config));
    const run = validate([file]);
    expect(run.status).toBe(1);
    const lines = run.stdout.concat(run.stderr).split("\n");
    for (const [field, expected] of [
      [
        "identityCenter.permissionSets[1].managedPolicies[0]",
        "did you mean arn:aws:iam::aws:policy/SecurityAudit?",
      ],
      ["identityCenter.accessControlAttributes.Department", "did you mean ${path:enterprise.department}?"],
      [
        "cognito.upstreamProviders[1].issuerUrl",
        "without /.well-known/openid-configuration, which Cognito appends",
      ],
      ["cognito.upstreamProviders[1].scopes", 'expected "openid" among the scopes'],
      ["cognito.iamFederation.roles[0].requiredGroups[0]", 'did you mean "Audit"?'],
      ["backend.kmsKeyId", "expected a key in the state bucket's region backend.region (eu-central-1)"],
    ]) {
      const found = lines.filter((l) => l.startsWith(`  - ${field}: `));
      expect(found).toHaveLength(1);
      expect(found[0]).toContain(expected);
      expect(found[0]).toMatch(/; got .+$/);
    }
  });

  it("answers a usage error with exit code 2 and the usage", () => {
    const run = validate(["--bogus"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("Usage: npm run validate -- [--quiet] [--env ENV] [FILE]");
  });
});
