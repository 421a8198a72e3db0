/** `npm run idc-metadata` against real Terraform state: stack directories laid out as `cdktf synth` does. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadConfig, resolveConfigPath } from "../config";
import { main, METADATA_OUTPUT } from "../cli/idc-metadata";
import { captureConsole, configFileFor, deployedStack, type CapturedConsole } from "./helpers/cli";
import { describeIfTerraform } from "./helpers/terraform-cli";

const METADATA = `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://acme.example/idp?a=1&amp;b=2">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>
</md:EntityDescriptor>
`;

const withoutConfig = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.BRIDGE_CONFIG;
  return env;
};

describeIfTerraform("idc-metadata command", () => {
  let tmp: string;
  let outdir: string;
  let io: CapturedConsole;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "idc-metadata-"));
    outdir = path.join(tmp, "cdktf.out");
    deployedStack(outdir, "test-cloudflare-access", { [METADATA_OUTPUT]: METADATA });
    deployedStack(outdir, "empty-cloudflare-access", { [METADATA_OUTPUT]: "", other: "x" });
    deployedStack(outdir, "renamed-cloudflare-access", { something_else: METADATA });
    deployedStack(outdir, "html-cloudflare-access", { [METADATA_OUTPUT]: "<html>login</html>" });
    deployedStack(outdir, "fresh-cloudflare-access", { [METADATA_OUTPUT]: METADATA }, false);
  });

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  beforeEach(() => {
    io = captureConsole();
  });

  afterEach(() => jest.restoreAllMocks());

  /** Runs the command with the config of the environment named by --env/--environment (made for it). */
  const run = (args: string[], env?: NodeJS.ProcessEnv) => {
    const i = args.findIndex((a) => a === "--env" || a === "--environment");
    const config = i >= 0 ? { BRIDGE_CONFIG: configFileFor(args[i + 1]!) } : {};
    return main(["--outdir", outdir, ...args], env ?? { ...withoutConfig(), ...config });
  };

  it("writes the metadata output of <environment>-cloudflare-access and prints the console steps", async () => {
    const out = path.join(tmp, "idc-idp-metadata.xml");
    expect(await run(["--env", "test", "--out", out])).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toBe(METADATA);
    // The name the option had before every command took --env still works.
    const legacy = path.join(tmp, "legacy.xml");
    expect(await run(["--environment", "test", "--out", legacy])).toBe(0);
    expect(fs.readFileSync(legacy, "utf8")).toBe(METADATA);
    expect(io.stderr()).toBe("");
    expect(io.stdout()).toContain(`Wrote ${out}`);
    for (const step of [
      "IAM Identity Center → Settings → Identity source → Actions → Change identity source",
      "External identity provider",
      "IdP SAML metadata",
      "ACCEPT",
    ]) {
      expect(io.stdout()).toContain(step);
    }
  });

  it("takes the stack name from --stack", async () => {
    const out = path.join(tmp, "by-stack-name.xml");
    expect(await run(["--stack", "test-cloudflare-access", "--out", out])).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toBe(METADATA);
  });

  it("takes the environment from the config when --environment is not given", async () => {
    const environment = loadConfig(resolveConfigPath(withoutConfig())).environment;
    expect(await run(["--out", path.join(tmp, "unused.xml")])).toBe(1);
    expect(io.stderr()).toContain(path.join(outdir, "stacks", `${environment}-cloudflare-access`));
  });

  it("reports an invalid config (BRIDGE_CONFIG) readably", async () => {
    const bad = path.join(tmp, "bad-config.json");
    fs.writeFileSync(bad, JSON.stringify({ environment: 42 }));
    expect(await run([], { ...withoutConfig(), BRIDGE_CONFIG: bad })).toBe(1);
    expect(io.stderr()).toContain(bad);
    expect(io.stderr()).toContain("environment");
  });

  it("says to synth and deploy when the stack directory is missing", async () => {
    const out = path.join(tmp, "missing.xml");
    expect(await run(["--env", "staging", "--out", out])).toBe(1);
    expect(io.stderr()).toContain(`${path.join(outdir, "stacks", "staging-cloudflare-access")} not found`);
    expect(io.stderr()).toContain("run `npm run synth` and deploy first");
    expect(fs.existsSync(out)).toBe(false);
  });

  it("passes Terraform's error on when the output cannot be read", async () => {
    expect(await run(["--env", "renamed", "--out", path.join(tmp, "renamed.xml")])).toBe(1);
    expect(io.stderr()).toContain(`terraform output ${METADATA_OUTPUT} failed`);
    expect(io.stderr()).toContain(`Output "${METADATA_OUTPUT}" not found`);
  });

  it("says so when the stack was never applied", async () => {
    expect(await run(["--environment", "fresh", "--out", path.join(tmp, "fresh.xml")])).toBe(1);
    expect(io.stderr()).toContain("stack fresh-cloudflare-access has no outputs in its Terraform state");
  });

  it("says so when the output is empty", async () => {
    const out = path.join(tmp, "empty.xml");
    expect(await run(["--environment", "empty", "--out", out])).toBe(1);
    expect(io.stderr()).toContain(`output ${METADATA_OUTPUT} of stack empty-cloudflare-access is empty`);
    expect(fs.existsSync(out)).toBe(false);
  });

  it("refuses to write something that is not SAML metadata", async () => {
    expect(await run(["--environment", "html", "--out", path.join(tmp, "html.xml")])).toBe(1);
    expect(io.stderr()).toContain("is not SAML metadata");
  });

  it("rejects unknown options with the usage", async () => {
    expect(await run(["--environment", "test", "--bogus"])).toBe(2);
    expect(io.stderr()).toContain("--bogus");
    expect(io.stderr()).toContain("Usage: npm run idc-metadata");
  });
});
