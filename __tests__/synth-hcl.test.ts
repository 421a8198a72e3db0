import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { conditionListsToBlocks, idiomaticHcl } from "../scripts/synth-hcl";
import { tempDir } from "./helpers/temp-dirs";
import { applyOffline, describeIfTerraform, runTerraform, terraformAvailable } from "./helpers/terraform-cli";

const ROOT = path.join(__dirname, "..");
const FEDERATED = path.join(__dirname, "fixtures", "config", "federated.json");

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

// Strings as cdktf writes them, and what a person (and `terraform fmt`) writes instead.
const TEMPLATES = `locals {
  k      = "key"
  n      = "\${1 + 1}"
  list   = ["\${local.k}", "x-\${local.k}", "\${upper("}")}"]
  map    = { "\${local.k}" = "\${local.k}", plain = "\${jsonencode({ "a" = "\${local.k}" })}" }
  escape = "$\${local.k}"
  strip  = "\${~local.k~}"
  doc    = <<EOT
\${local.k}
EOT
}

output "all" {
  value = "\${[local.n, local.list, local.map, local.escape, local.strip, local.doc]}"
}
`;

describe("idiomaticHcl", () => {
  const fixed = idiomaticHcl(TEMPLATES);

  it("writes one-interpolation strings as bare expressions, everything else as it was", () => {
    expect(fixed).toContain("  n      = 1 + 1\n");
    expect(fixed).toContain('  list   = [local.k, "x-${local.k}", upper("}")]\n');
    // Object keys stay strings (a bare key would be a literal name).
    expect(fixed).toContain(
      '  map    = { "${local.k}" = local.k, plain = jsonencode({ "a" = "${local.k}" }) }\n',
    );
    expect(fixed).toContain('  escape = "$${local.k}"\n');
    expect(fixed).toContain("  strip  = local.k\n");
    expect(fixed).toContain("  doc    = <<EOT\n${local.k}\nEOT\n");
    expect(fixed).toContain(
      "  value = [local.n, local.list, local.map, local.escape, local.strip, local.doc]\n",
    );
  });

  it("writes depends_on entries as bare references", () => {
    const hcl =
      'resource "x" "y" {\n  depends_on = [\n    "aws_iam_role.a",\n    "data.aws_iam_policy_document.b",\n  ]\n}\n';
    expect(idiomaticHcl(hcl)).toBe(
      'resource "x" "y" {\n  depends_on = [\n    aws_iam_role.a,\n    data.aws_iam_policy_document.b,\n  ]\n}\n',
    );
  });

  it("writes ignore_changes entries and the provider meta-argument as bare references", () => {
    const hcl =
      'resource "x" "y" {\n  provider = "aws.cognito"\n  lifecycle {\n    ignore_changes = [\n      "provider_details[\\"token_url\\"]",\n      "tags",\n    ]\n  }\n}\n';
    expect(idiomaticHcl(hcl)).toBe(
      'resource "x" "y" {\n  provider = aws.cognito\n  lifecycle {\n    ignore_changes = [\n      provider_details["token_url"],\n      tags,\n    ]\n  }\n}\n',
    );
  });

  it("refuses text it cannot scan instead of writing broken HCL", () => {
    expect(() => idiomaticHcl('a = "${x\n')).toThrow(/unterminated/);
    expect(() => idiomaticHcl("a = <<EOT\nno end\n")).toThrow(/unterminated heredoc EOT/);
  });
});

describeIfTerraform("idiomaticHcl through the Terraform CLI", () => {
  it("changes no value: the same outputs before and after, and terraform fmt has nothing to rewrite", () => {
    const outputs = (hcl: string) => {
      const dir = tempDir("bridge-hcl-values-");
      writeFileSync(path.join(dir, "main.tf"), hcl);
      return applyOffline(dir);
    };
    const fixed = idiomaticHcl(TEMPLATES);
    expect(outputs(fixed)).toEqual(outputs(TEMPLATES));
    expect(outputs(fixed).all).toEqual([
      2,
      ["key", "x-key", "}"],
      { key: "key", plain: '{"a":"key"}' },
      "${local.k}",
      "key",
      "key\n",
    ]);
    const dir = tempDir("bridge-hcl-fmt-");
    writeFileSync(path.join(dir, "main.tf"), fixed);
    expect(runTerraform(dir, ["fmt", "-check", "-diff"])).toBe("");
  });

  it("leaves no quoted reference Terraform warns about in ignore_changes or provider (as cdktf renders them)", () => {
    // What cdktf 0.21 renders for an upstream IdP's lifecycle and an aliased provider (copied from its output).
    const hcl = `provider "aws" {
  alias  = "cognito"
  region = "eu-west-1"
}

resource "aws_cognito_identity_provider" "idp" {
  provider      = "aws.cognito"
  user_pool_id  = "eu-west-1_abc"
  provider_name = "Okta"
  provider_type = "OIDC"
  provider_details = {
    client_id = "x"
  }
  lifecycle {
    ignore_changes = [
      "provider_details[\\"token_url\\"]",
    ]
  }
}
`;
    const providers = (text: string) => {
      const dir = tempDir("bridge-hcl-refs-");
      writeFileSync(path.join(dir, "main.tf"), text);
      return spawnSync("terraform", [`-chdir=${dir}`, "providers", "-no-color"], {
        encoding: "utf8",
        env: { ...process.env, CHECKPOINT_DISABLE: "1" },
      });
    };
    expect(providers(hcl).stdout + providers(hcl).stderr).toMatch(/Quoted references are deprecated/);
    const fixed = providers(idiomaticHcl(hcl));
    expect(fixed.status).toBe(0);
    expect(fixed.stdout).toContain("hashicorp/aws");
    expect(fixed.stdout + fixed.stderr).not.toMatch(/Quoted references|Error/);
  });
});

describe("npm run synth:hcl", () => {
  // As a user runs it, with a config of their own (BRIDGE_CONFIG: every stack, identity propagation included),
  // in a project folder that already holds the JSON synth of `npm run synth`.
  const cwd = tempDir("bridge-hcl-synth-");
  mkdirSync(path.join(cwd, "cdktf.out", "stacks", "umbrella-cognito"), { recursive: true });
  writeFileSync(path.join(cwd, "cdktf.out", "stacks", "umbrella-cognito", "cdk.tf.json"), "{}");
  const outdir = path.join(cwd, "cdktf.out.hcl");
  const run = spawnSync(
    process.execPath,
    [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), path.join(ROOT, "scripts", "synth-hcl.ts")],
    { cwd, env: { ...process.env, CHECKPOINT_DISABLE: "1", BRIDGE_CONFIG: FEDERATED }, encoding: "utf8" },
  );
  const STACKS = [
    "umbrella-cloudflare-access",
    "umbrella-cognito",
    "umbrella-identity-center",
    "umbrella-identity-propagation",
  ];
  const hcl = (stack: string) => readFileSync(path.join(outdir, "stacks", stack, "cdk.tf"), "utf8");

  it("writes HCL for the config's stacks into its own folder, never beside cdk.tf.json", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(readdirSync(path.join(outdir, "stacks")).sort()).toEqual(STACKS);
    for (const stack of STACKS) {
      expect(existsSync(path.join(outdir, "stacks", stack, "cdk.tf.json"))).toBe(false);
      expect(existsSync(path.join(cwd, "cdktf.out", "stacks", stack, "cdk.tf"))).toBe(false);
    }
  });

  it("writes conditions as blocks and no one-interpolation strings", () => {
    const ic = hcl("umbrella-identity-center");
    expect(ic).toMatch(/^ {4}postcondition \{$/m);
    expect(ic).toMatch(/^ {2}precondition \{$/m);
    for (const stack of STACKS) {
      expect(hcl(stack)).not.toMatch(/condition = \[/);
      expect(hcl(stack)).not.toMatch(/= "\$\{[^"]*\}"$/m);
    }
    expect(hcl("umbrella-cognito")).toMatch(
      /^ {2}role += aws_iam_role\.pre-token-generation_function_role_\w+\.arn$/m,
    );
  });

  (terraformAvailable() ? it : it.skip)(
    "passes terraform fmt -check and Terraform's configuration loader",
    () => {
      expect(runTerraform(outdir, ["fmt", "-check", "-recursive", "-diff"])).toBe("");
      for (const stack of STACKS) {
        // `terraform providers` loads and decodes the whole configuration without providers; the S3 backend
        // would need credentials to initialise, so it is left out of this copy.
        const dir = tempDir("bridge-hcl-load-");
        writeFileSync(
          path.join(dir, "cdk.tf"),
          hcl(stack).replace(/\n {2}backend "s3" \{\n(?: {4}.*\n)* {2}\}\n/, "\n"),
        );
        const result = spawnSync("terraform", [`-chdir=${dir}`, "providers", "-no-color"], {
          encoding: "utf8",
          env: { ...process.env, CHECKPOINT_DISABLE: "1" },
        });
        // Judged by exit code and stdout: stderr may hold a warning about the CLI configuration file.
        expect({ stack, status: result.status }).toEqual({ stack, status: 0 });
        expect(result.stdout).toContain("hashicorp/aws");
        expect(result.stdout).not.toMatch(/Warning|Error/);
      }
    },
  );
});
