/**
 * Every command and script follows one rule for the config and `--env` (cli/shared/command.ts
 * `commandConfig`): the config is BRIDGE_CONFIG (default config/example.json); `--env ENV`, where given,
 * must be its `environment`, and without it the environment is the config's. Each command is driven here
 * with a non-default config (the federated fixture, environment "umbrella"): it works on that config's
 * stacks, and refuses an --env of another environment with the config error that names the field.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { main as awsCredentials } from "../cli/aws-credentials";
import { main as bootstrap } from "../cli/bootstrap";
import { main as doctor } from "../cli/doctor";
import { main as idcMetadata } from "../cli/idc-metadata";
import { main as identityPropagation } from "../cli/identity-propagation-configure";
import { main as validate } from "../cli/validate";
import { captureConsole, type CapturedConsole } from "./helpers/cli";
import { tempDir } from "./helpers/temp-dirs";

const ROOT = path.join(__dirname, "..");
const FEDERATED = path.join(__dirname, "fixtures", "config", "federated.json");
const env: NodeJS.ProcessEnv = { ...process.env, BRIDGE_CONFIG: FEDERATED, CHECKPOINT_DISABLE: "1" };
/** The config error of an --env that is not the config's. */
const WRONG_ENV =
  /Invalid config .*federated\.json \(1 problem\):\n {2}- environment: expected the environment given with --env \(prod\); got "umbrella"/;

let io: CapturedConsole;
beforeEach(() => (io = captureConsole()));
afterEach(() => io.restore());

describe("commands follow BRIDGE_CONFIG and --env", () => {
  const outdir = tempDir("bridge-commands-out-");

  it("validate", () => {
    expect(validate([], env)).toBe(0);
    expect(io.stdout()).toContain("is valid: environment umbrella, stacks umbrella-identity-center");
    expect(validate(["--env", "umbrella", "--quiet"], env)).toBe(0);
    expect(validate(["--env", "prod"], env)).toBe(1);
    expect(io.stderr()).toMatch(WRONG_ENV);
  });

  it("doctor", async () => {
    const read: string[] = [];
    const readOutputs = (stack: string): Record<string, unknown> => {
      read.push(stack);
      throw new Error(`no state for ${stack}`);
    };
    expect(await doctor(["--env", "umbrella"], env, { readOutputs })).toBe(1);
    expect(read).toEqual(["umbrella-identity-center", "umbrella-cognito", "umbrella-cloudflare-access"]);
    expect(await doctor(["--env", "prod"], env, { readOutputs })).toBe(1);
    expect(io.stderr()).toMatch(WRONG_ENV);
  });

  it("idc-metadata", async () => {
    expect(await idcMetadata(["--outdir", outdir], env)).toBe(1);
    expect(io.stderr()).toContain(`${path.join(outdir, "stacks", "umbrella-cloudflare-access")} not found`);
    expect(await idcMetadata(["--outdir", outdir, "--env", "prod"], env)).toBe(1);
    expect(io.stderr()).toMatch(WRONG_ENV);
  });

  it("aws-credentials", async () => {
    const browser = { openBrowser: async () => {} };
    expect(await awsCredentials(["--role", "r", "--outdir", outdir], env, browser)).toBe(1);
    expect(io.stderr()).toContain(`${path.join(outdir, "stacks", "umbrella-cognito")} not found`);
    expect(await awsCredentials(["--role", "r", "--outdir", outdir, "--env", "prod"], env, browser)).toBe(1);
    expect(io.stderr()).toMatch(WRONG_ENV);
  });

  it("identity-propagation:configure", async () => {
    expect(await identityPropagation(["--outdir", outdir], env)).toBe(1);
    expect(io.stderr()).toContain(
      `${path.join(outdir, "stacks", "umbrella-identity-propagation")} not found`,
    );
    expect(await identityPropagation(["--outdir", outdir, "--env", "prod"], env)).toBe(1);
    expect(io.stderr()).toMatch(WRONG_ENV);
  });

  it("bootstrap", () => {
    expect(bootstrap(["--env", "prod", "--synth-only", "--outdir", outdir], env)).toBe(1);
    expect(io.stderr()).toMatch(WRONG_ENV);
  });
});

describe("scripts follow BRIDGE_CONFIG and --env", () => {
  const tsx = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  const script = (name: string, args: string[]) =>
    spawnSync(process.execPath, [tsx, path.join(ROOT, "scripts", name), ...args], {
      cwd: ROOT,
      env,
      encoding: "utf8",
      timeout: 120_000,
    });

  it("graph draws the stacks of the config in BRIDGE_CONFIG, and refuses another --env", () => {
    const run = script("graph.ts", ["--env", "umbrella"]);
    expect(run.status).toBe(0);
    for (const stack of ["identity-center", "cognito", "cloudflare-access", "identity-propagation"]) {
      expect(run.stdout).toContain(`["umbrella-${stack}"]`);
    }
    const wrong = script("graph.ts", ["--env", "prod"]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(WRONG_ENV);
    const write = script("graph.ts", ["--write"]);
    expect(write.status).toBe(1);
    expect(write.stderr).toContain("--write puts the example config's graph into README.md");
  });

  it("synth:hcl refuses another --env before it builds anything (its output of BRIDGE_CONFIG: synth-hcl.test.ts)", () => {
    const wrong = script("synth-hcl.ts", ["--output", tempDir("bridge-commands-hcl-"), "--env", "prod"]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(WRONG_ENV);
    expect(wrong.stderr).not.toContain("build-lambda");
  });
});
