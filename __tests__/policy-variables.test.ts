/**
 * IAM policy variables (`${aws:username}`, `${aws:PrincipalTag/…}`, `${saml:sub}`) and other `${`/`%{` text in
 * every policy-bearing field reach Terraform as written, from cdk.tf.json and from the HCL of synth:hcl
 * (stacks/shared/terraform-literal.ts). Proven with the Terraform CLI: every string of every stack that holds
 * such text is copied into one provider-free configuration (the JSON strings as JSON locals, the HCL
 * expressions as HCL locals) and evaluated by one `terraform console`; the HCL passes `terraform fmt -check`.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { App, Testing } from "cdktf";
import { parseConfig, type BridgeConfig, type BridgeConfigInput } from "../config";
import { buildStacks } from "../stacks";
import { repairHcl } from "../scripts/synth-hcl";
import { FIXTURE_BUNDLE_DIR } from "./helpers/stacks";
import { tempDir } from "./helpers/temp-dirs";
import { describeIfTerraform, runTerraform, terraformEnv } from "./helpers/terraform-cli";

const FEDERATED = path.join(__dirname, "fixtures", "config", "federated.json");

/** A policy with a variable in a resource, in condition values, and a `%{` that is no directive. */
function policyWithVariables(sid: string): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: sid,
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject"],
        Resource: "arn:aws:s3:::home/${aws:PrincipalTag/email}/*",
        Condition: {
          StringEquals: { "aws:username": "${aws:username}", "saml:sub": "${saml:sub}" },
          StringLike: { "s3:prefix": ['%{literal}"quoted"\\${aws:userid}/*'] },
        },
      },
    ],
  };
}

/** The text that marks a string as one of ours wherever it ends up. */
const MARKERS = /aws:PrincipalTag\/email|saml:sub|TrustVariable/;

function configWithVariables(): BridgeConfig {
  const input = JSON.parse(readFileSync(FEDERATED, "utf8")) as BridgeConfigInput;
  for (const [i, ps] of (input.identityCenter.permissionSets ?? []).entries()) {
    ps.inlinePolicy = policyWithVariables(`PermissionSet${i}`);
  }
  for (const [i, role] of (input.cognito.iamFederation?.roles ?? []).entries()) {
    role.inlinePolicy = policyWithVariables(`Role${i}`);
  }
  return parseConfig(input);
}

const TRUST_VALUE = '${aws:PrincipalTag/TrustVariable} "q" %{x}';

/** Synthesizes every stack of the config, as JSON or as HCL; a trust document with a variable is added by code. */
function synthesize(config: BridgeConfig, hcl: boolean): string {
  const outdir = tempDir(hcl ? "bridge-vars-hcl-" : "bridge-vars-json-");
  // cdktf's stacks read SYNTH_HCL_OUTPUT (what synth:hcl sets) when they are made.
  const saved = process.env.SYNTH_HCL_OUTPUT;
  process.env.SYNTH_HCL_OUTPUT = String(hcl);
  try {
    synthesizeInto(outdir, config);
  } finally {
    if (saved === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = saved;
  }
  return outdir;
}

function synthesizeInto(outdir: string, config: BridgeConfig): void {
  const app = Testing.stubVersion(new App({ outdir, stackTraces: false }));
  const stacks = buildStacks(app, config, {
    preTokenGenerationBundleDir: FIXTURE_BUNDLE_DIR,
    deprovisioningBundleDir: FIXTURE_BUNDLE_DIR,
    projectRoot: outdir,
  });
  // A trust policy built in code, with a policy variable in a condition value.
  new DataAwsIamPolicyDocument(stacks.cognito, "trust-with-variable", {
    statement: [
      {
        actions: ["sts:AssumeRole"],
        principals: [{ type: "AWS", identifiers: ["arn:aws:iam::111111111111:root"] }],
        condition: [{ test: "StringEquals", variable: "sts:RoleSessionName", values: [TRUST_VALUE] }],
      },
    ],
  });
  app.synth();
}

const stackDirs = (outdir: string) =>
  readdirSync(path.join(outdir, "stacks")).map((s) => [s, path.join(outdir, "stacks", s)] as const);

/** Every string in a JSON value that holds one of the markers. */
function markedStrings(value: unknown): string[] {
  if (typeof value === "string") return MARKERS.test(value) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(markedStrings);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(markedStrings);
  return [];
}

/** Evaluates `locals` of one provider-free configuration with one `terraform console`. */
function evaluateLocals(dir: string, names: string[]): Record<string, unknown> {
  const expression = `base64encode(jsonencode({${names.map((n) => `${n} = local.${n}`).join(", ")}}))`;
  const result = spawnSync("terraform", [`-chdir=${dir}`, "console"], {
    input: `${expression}\n`,
    encoding: "utf8",
    env: terraformEnv(),
    timeout: 120_000,
  });
  // Judged by exit code and stdout: stderr may hold a warning about the CLI configuration file.
  if (result.status !== 0) throw new Error(`terraform console failed (${result.status}):\n${result.stderr}`);
  const encoded = /"([A-Za-z0-9+/=]+)"\s*$/.exec(result.stdout)?.[1];
  if (encoded === undefined) throw new Error(`unexpected terraform console output:\n${result.stdout}`);
  return JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
}

describeIfTerraform("policy variables in every policy-bearing field, through the Terraform CLI", () => {
  const config = configWithVariables();
  const policies = {
    "identity-center": config.identityCenter.permissionSets.map((ps) => ps.inlinePolicy!),
    cognito: config.cognito.iamFederation!.roles.map((r) => r.inlinePolicy!),
  };
  const jsonOut = synthesize(config, false);
  const hclOut = synthesize(config, true);

  // One scratch configuration: per stack, each marked JSON string as a JSON local, each marked HCL attribute's
  // expression as an HCL local.
  const scratch = tempDir("bridge-vars-eval-");
  const expected: Record<string, string[]> = {};
  const jsonLocals: Record<string, string> = {};
  let hclLocals = "locals {\n";
  const unexpected: string[] = [];

  beforeAll(async () => {
    for (const [stack, dir] of stackDirs(jsonOut)) {
      const kind = stack.replace(/^umbrella-/, "");
      const strings = markedStrings(JSON.parse(readFileSync(path.join(dir, "cdk.tf.json"), "utf8")));
      strings.forEach((s, i) => (jsonLocals[`json_${kind.replace(/-/g, "_")}_${i}`] = s));
    }
    for (const [stack, dir] of stackDirs(hclOut)) {
      const kind = stack.replace(/^umbrella-/, "").replace(/-/g, "_");
      const file = path.join(dir, "cdk.tf");
      const hcl = await repairHcl(readFileSync(file, "utf8"));
      writeFileSync(file, hcl);
      const lines = hcl.split("\n").filter((l) => MARKERS.test(l));
      lines.forEach((line, i) => {
        // An attribute (`policy = "…"`) or a list item (`"…",`).
        const attribute = /^\s*(?:[\w-]+\s*=\s*)?(".*"),?$/.exec(line);
        if (attribute === null) unexpected.push(`${stack}: ${line}`);
        else hclLocals += `  hcl_${kind}_${i} = ${attribute[1]}\n`;
      });
    }
    hclLocals += "}\n";
    writeFileSync(path.join(scratch, "strings.tf.json"), JSON.stringify({ locals: jsonLocals }));
    writeFileSync(path.join(scratch, "strings.tf"), hclLocals);
    expected.identity_center = policies["identity-center"];
    expected.cognito = [...policies.cognito];
  });

  it("has the policy variables where the config put them (the test's own premise)", () => {
    for (const policy of [...policies["identity-center"], ...policies.cognito]) {
      expect(policy).toContain('"Resource":"arn:aws:s3:::home/${aws:PrincipalTag/email}/*"');
      expect(policy).toContain('"aws:username":"${aws:username}"');
      expect(policy).toContain('%{literal}\\"quoted\\"\\\\${aws:userid}');
    }
  });

  it("evaluates every such string of every stack, JSON and HCL, to exactly the intended text", () => {
    expect(unexpected).toEqual([]);
    const names = [
      ...Object.keys(jsonLocals),
      ...[...hclLocals.matchAll(/^ {2}(hcl_\w+) =/gm)].map((m) => m[1]),
    ];
    const values = evaluateLocals(scratch, names);
    const byStack = (prefix: string) =>
      names
        .filter((n) => n.startsWith(prefix))
        .map((n) => values[n] as string)
        .sort();
    const trust = (value: string) => value.includes("TrustVariable");
    for (const output of ["json", "hcl"]) {
      // The permission sets' inline policies, one per permission set.
      expect(byStack(`${output}_identity_center_`)).toEqual([...expected.identity_center].sort());
      // The federation roles' inline policies, and the code-built trust statement's condition value.
      const cognito = byStack(`${output}_cognito_`);
      expect(cognito.filter((v) => !trust(v))).toEqual([...expected.cognito].sort());
      expect(cognito.filter(trust)).toEqual([TRUST_VALUE]);
      expect(byStack(`${output}_cloudflare_access_`)).toEqual([]);
      expect(byStack(`${output}_identity_propagation_`)).toEqual([]);
    }
  });

  it("writes HCL that terraform fmt leaves as it is", () => {
    expect(runTerraform(hclOut, ["fmt", "-check", "-recursive", "-diff"])).toBe("");
  });
});
