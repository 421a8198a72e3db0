/** `npm run idc-metadata` against real Terraform state: stack directories laid out as `cdktf synth` does. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadConfig, resolveConfigPath } from "../config";
import { main, METADATA_OUTPUT } from "../cli/idc-metadata";
import { applyOffline, describeIfTerraform } from "./helpers/terraform-cli";

const METADATA = `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://acme.example/idp?a=1&amp;b=2">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>
</md:EntityDescriptor>
`;

/** Writes a stack directory whose configuration has only the given outputs; applies it unless told not to. */
function stackDir(outdir: string, stack: string, outputs: Record<string, string>, apply = true): string {
  const dir = path.join(outdir, "stacks", stack);
  fs.mkdirSync(dir, { recursive: true });
  const output = Object.fromEntries(Object.entries(outputs).map(([name, value]) => [name, { value }]));
  fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify({ output }, null, 2));
  if (apply) applyOffline(dir);
  return dir;
}

const withoutConfig = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.BRIDGE_CONFIG;
  return env;
};

describeIfTerraform("idc-metadata command", () => {
  let tmp: string;
  let outdir: string;
  let logged: string;
  let errors: string;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "idc-metadata-"));
    outdir = path.join(tmp, "cdktf.out");
    stackDir(outdir, "test-cloudflare-access", { [METADATA_OUTPUT]: METADATA });
    stackDir(outdir, "empty-cloudflare-access", { [METADATA_OUTPUT]: "", other: "x" });
    stackDir(outdir, "renamed-cloudflare-access", { something_else: METADATA });
    stackDir(outdir, "html-cloudflare-access", { [METADATA_OUTPUT]: "<html>login</html>" });
    stackDir(outdir, "fresh-cloudflare-access", { [METADATA_OUTPUT]: METADATA }, false);
  });

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  beforeEach(() => {
    logged = "";
    errors = "";
    jest
      .spyOn(console, "log")
      .mockImplementation((...args: unknown[]) => void (logged += `${args.join(" ")}\n`));
    jest
      .spyOn(console, "error")
      .mockImplementation((...args: unknown[]) => void (errors += `${args.join(" ")}\n`));
  });

  afterEach(() => jest.restoreAllMocks());

  const run = (args: string[], env = withoutConfig()) => main(["--outdir", outdir, ...args], env);

  it("writes the metadata output of <environment>-cloudflare-access and prints the console steps", () => {
    const out = path.join(tmp, "idc-idp-metadata.xml");
    expect(run(["--environment", "test", "--out", out])).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toBe(METADATA);
    expect(errors).toBe("");
    expect(logged).toContain(`Wrote ${out}`);
    for (const step of [
      "IAM Identity Center → Settings → Identity source → Actions → Change identity source",
      "External identity provider",
      "IdP SAML metadata",
      "ACCEPT",
    ]) {
      expect(logged).toContain(step);
    }
  });

  it("takes the stack name from --stack", () => {
    const out = path.join(tmp, "by-stack-name.xml");
    expect(run(["--stack", "test-cloudflare-access", "--out", out])).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toBe(METADATA);
  });

  it("takes the environment from the config when --environment is not given", () => {
    const environment = loadConfig(resolveConfigPath(withoutConfig())).environment;
    expect(run(["--out", path.join(tmp, "unused.xml")])).toBe(1);
    expect(errors).toContain(path.join(outdir, "stacks", `${environment}-cloudflare-access`));
  });

  it("reports an invalid config (BRIDGE_CONFIG) readably", () => {
    const bad = path.join(tmp, "bad-config.json");
    fs.writeFileSync(bad, JSON.stringify({ environment: 42 }));
    expect(run([], { ...withoutConfig(), BRIDGE_CONFIG: bad })).toBe(1);
    expect(errors).toContain(bad);
    expect(errors).toContain("environment");
  });

  it("says to synth and deploy when the stack directory is missing", () => {
    const out = path.join(tmp, "missing.xml");
    expect(run(["--environment", "staging", "--out", out])).toBe(1);
    expect(errors).toContain(`${path.join(outdir, "stacks", "staging-cloudflare-access")} not found`);
    expect(errors).toContain("run `npm run synth` and deploy first");
    expect(fs.existsSync(out)).toBe(false);
  });

  it("passes Terraform's error on when the output cannot be read", () => {
    expect(run(["--environment", "renamed", "--out", path.join(tmp, "renamed.xml")])).toBe(1);
    expect(errors).toContain(`terraform output ${METADATA_OUTPUT} failed`);
    expect(errors).toContain(`Output "${METADATA_OUTPUT}" not found`);
  });

  it("says so when the stack was never applied", () => {
    expect(run(["--environment", "fresh", "--out", path.join(tmp, "fresh.xml")])).toBe(1);
    expect(errors).toContain("stack fresh-cloudflare-access has no outputs in its Terraform state");
  });

  it("says so when the output is empty", () => {
    const out = path.join(tmp, "empty.xml");
    expect(run(["--environment", "empty", "--out", out])).toBe(1);
    expect(errors).toContain(`output ${METADATA_OUTPUT} of stack empty-cloudflare-access is empty`);
    expect(fs.existsSync(out)).toBe(false);
  });

  it("refuses to write something that is not SAML metadata", () => {
    expect(run(["--environment", "html", "--out", path.join(tmp, "html.xml")])).toBe(1);
    expect(errors).toContain("is not SAML metadata");
  });

  it("rejects unknown options with the usage", () => {
    expect(run(["--environment", "test", "--bogus"])).toBe(2);
    expect(errors).toContain("--bogus");
    expect(errors).toContain("Usage: npm run idc-metadata");
  });
});
