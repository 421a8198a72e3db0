import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { conditionListsToBlocks } from "../scripts/synth-hcl";
import { tempDir } from "./helpers/temp-dirs";
import { describeIfTerraform, runTerraform } from "./helpers/terraform-cli";

const ROOT = path.join(__dirname, "..");

// What cdktf 0.21 renders for lifecycle postconditions and output preconditions (copied from its output).
const CDKTF_HCL = `resource "terraform_data" "checked" {
  input = 2
  lifecycle {
    postcondition = [
      {
        condition     = "\${self.input > 0}"
        error_message = "input must be positive"
      },
      {
        condition     = "\${self.input < 10}"
        error_message = "input must be small"
      },
    ]
  }
}

output "doubled" {
  value = "\${terraform_data.checked.output * 2}"
  precondition = [
    {
      condition     = "\${terraform_data.checked.output == 2}"
      error_message = "unexpected input"
    },
  ]
}
`;

describe("conditionListsToBlocks", () => {
  it("turns each listed condition into its own block, keeping everything else", () => {
    const fixed = conditionListsToBlocks(CDKTF_HCL);
    expect(fixed).not.toMatch(/condition = \[/);
    expect(fixed.match(/^ {4}postcondition \{$/gm)).toHaveLength(2);
    expect(fixed).toContain(
      '  precondition {\n    condition     = "${terraform_data.checked.output == 2}"\n',
    );
    expect(fixed).toContain('  value = "${terraform_data.checked.output * 2}"');
  });

  it("leaves HCL without condition lists untouched", () => {
    const plain = 'output "x" {\n  value = 1\n}\n';
    expect(conditionListsToBlocks(plain)).toBe(plain);
  });

  it("refuses a list it cannot parse instead of writing broken HCL", () => {
    expect(() => conditionListsToBlocks("  precondition = [\n    {\n")).toThrow(/unterminated precondition/);
  });
});

describeIfTerraform("HCL conditions through the Terraform CLI", () => {
  function validate(hcl: string): { ok: boolean; output: string } {
    const dir = tempDir("bridge-hcl-");
    writeFileSync(path.join(dir, "main.tf"), hcl);
    try {
      runTerraform(dir, ["init", "-input=false"]);
      runTerraform(dir, ["validate"]);
      runTerraform(dir, ["apply", "-auto-approve", "-input=false"]);
      return { ok: true, output: runTerraform(dir, ["output", "-raw", "doubled"]) };
    } catch (e) {
      return { ok: false, output: (e as Error).message };
    }
  }

  it("rejects cdktf's rendering and accepts and enforces the repaired one", () => {
    expect(validate(CDKTF_HCL)).toMatchObject({
      ok: false,
      output: expect.stringMatching(/Unsupported argument[^]*postcondition = \[/),
    });
    expect(validate(conditionListsToBlocks(CDKTF_HCL))).toEqual({ ok: true, output: "4" });
    const failing = conditionListsToBlocks(CDKTF_HCL.replace("input = 2", "input = 20"));
    expect(validate(failing)).toMatchObject({
      ok: false,
      output: expect.stringContaining("input must be small"),
    });
  });
});

describe("npm run synth:hcl", () => {
  it("writes HCL for the three stacks with conditions as blocks", () => {
    const outdir = path.join(tempDir("bridge-hcl-synth-"), "out");
    const run = spawnSync(
      process.execPath,
      [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/synth-hcl.ts", "--output", outdir],
      { cwd: ROOT, env: { ...process.env, CHECKPOINT_DISABLE: "1", BRIDGE_CONFIG: "" }, encoding: "utf8" },
    );
    expect(run.status).toBe(0);
    const ic = readFileSync(path.join(outdir, "stacks", "prod-identity-center", "cdk.tf"), "utf8");
    expect(ic).toMatch(/^ {4}postcondition \{$/m);
    expect(ic).toMatch(/^ {2}precondition \{$/m);
    for (const stack of ["prod-identity-center", "prod-cognito", "prod-cloudflare-access"]) {
      expect(readFileSync(path.join(outdir, "stacks", stack, "cdk.tf"), "utf8")).not.toMatch(
        /condition = \[/,
      );
    }
  });
});
