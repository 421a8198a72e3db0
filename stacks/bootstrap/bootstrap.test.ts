/**
 * The bootstrap stack: the state bucket's settings, and who may assume the CI roles, proven with the IAM policy
 * simulator (iam-simulate + Service Authorization Reference data) on the synthesized policies.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { main, synthBootstrap } from "../../cli/bootstrap";
import type { BridgeConfigInput } from "../../config";
import { bootstrapSettings, type BootstrapSettings } from "../../config/bootstrap";
import {
  policyDocument,
  roleTrustPolicy,
  simulate,
  simulateAssumeRole,
  type NamedPolicy,
  type Substitution,
} from "../../__tests__/helpers/iam-simulator";
import { captureConsole } from "../../__tests__/helpers/cli";
import { configWith, exampleInput, json, type TerraformJson } from "../../__tests__/helpers/stacks";
import { tempDir } from "../../__tests__/helpers/temp-dirs";

const ACCOUNT = "111111111111";
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const BUCKET = "arn:aws:s3:::acme-tfstate";
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0`;
const VALUES: Substitution[] = [
  ["data.aws_partition.partition.partition", "aws"],
  ["data.aws_caller_identity.account.account_id", ACCOUNT],
  [/^aws_iam_openid_connect_provider\..*\.arn$/, PROVIDER],
  [/^data\.aws_iam_openid_connect_provider\..*\.arn$/, PROVIDER],
  [/^aws_s3_bucket\..*\.arn$/, BUCKET],
  [/^aws_kms_key\..*\.arn$/, KEY],
];

function settingsOf(change: (c: BridgeConfigInput) => void = () => {}): BootstrapSettings {
  const config = configWith((c) => {
    c.bootstrap = { github: { repository: "acme/idc-bridge" } };
    change(c);
  });
  const settings = bootstrapSettings(config);
  if (Array.isArray(settings)) throw new Error(JSON.stringify(settings));
  return settings;
}

function synth(settings: BootstrapSettings): TerraformJson {
  const root = tempDir("bridge-bootstrap-");
  const { stackDir } = synthBootstrap(settings, path.join(root, "cdktf.out.bootstrap"), root);
  return json(readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
}

const only = (doc: TerraformJson, type: string) => {
  const all = Object.values(doc.resource?.[type] ?? {}) as TerraformJson[];
  expect(all).toHaveLength(1);
  return all[0];
};

describe("bootstrap stack", () => {
  const sseS3 = synth(settingsOf());
  const sseKms = synth(
    settingsOf((c) => {
      (c.backend as { kmsKeyId?: string }).kmsKeyId = `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/prod-tfstate`;
    }),
  );

  it("keeps its own state locally, outside the synth output, without absolute paths", () => {
    expect(sseS3.terraform.backend).toEqual({
      local: { path: "../../../terraform-state/prod-bootstrap.tfstate" },
    });
  });

  it("makes a versioned, private, owner-enforced state bucket that survives terraform destroy", () => {
    expect(only(sseS3, "aws_s3_bucket")).toMatchObject({
      bucket: "acme-tfstate",
      lifecycle: { prevent_destroy: true },
    });
    expect(only(sseS3, "aws_s3_bucket_versioning").versioning_configuration).toEqual({ status: "Enabled" });
    expect(only(sseS3, "aws_s3_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(only(sseS3, "aws_s3_bucket_ownership_controls").rule).toEqual({
      object_ownership: "BucketOwnerEnforced",
    });
  });

  it("encrypts with SSE-S3, or with SSE-KMS under a key it creates for the alias in backend.kmsKeyId", () => {
    expect(only(sseS3, "aws_s3_bucket_server_side_encryption_configuration").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" }, bucket_key_enabled: false },
    ]);
    expect(sseS3.resource.aws_kms_key).toBeUndefined();

    const key = only(sseKms, "aws_kms_key");
    expect(key).toMatchObject({ enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
    expect(only(sseKms, "aws_kms_alias").name).toBe("alias/prod-tfstate");
    const [keyId] = Object.keys(sseKms.resource.aws_kms_key);
    expect(only(sseKms, "aws_s3_bucket_server_side_encryption_configuration").rule).toEqual([
      {
        apply_server_side_encryption_by_default: {
          sse_algorithm: "aws:kms",
          kms_master_key_id: `\${aws_kms_key.${keyId}.arn}`,
        },
        bucket_key_enabled: true,
      },
    ]);
    expect(Object.keys(sseKms.output)).toContain("state_kms_key_arn");
  });

  it("uses an existing key given by ARN without creating one", () => {
    const doc = synth(settingsOf((c) => ((c.backend as { kmsKeyId?: string }).kmsKeyId = KEY)));
    expect(doc.resource.aws_kms_key).toBeUndefined();
    expect(
      only(doc, "aws_s3_bucket_server_side_encryption_configuration").rule[0]
        .apply_server_side_encryption_by_default,
    ).toEqual({ sse_algorithm: "aws:kms", kms_master_key_id: KEY });
  });

  it("creates GitHub's OIDC provider for the STS audience, or reads the existing one", () => {
    expect(only(sseS3, "aws_iam_openid_connect_provider")).toMatchObject({
      url: "https://token.actions.githubusercontent.com",
      client_id_list: ["sts.amazonaws.com"],
    });
    const existing = synth(settingsOf((c) => (c.bootstrap!.github.createOidcProvider = false)));
    expect(existing.resource.aws_iam_openid_connect_provider).toBeUndefined();
    expect(Object.values(existing.data.aws_iam_openid_connect_provider)).toEqual([
      expect.objectContaining({ url: "https://token.actions.githubusercontent.com" }),
    ]);
  });

  describe("trust policies, by the IAM policy simulator", () => {
    const sub = "token.actions.githubusercontent.com:sub";
    const aud = "token.actions.githubusercontent.com:aud";
    async function canAssume(roleName: string, subject: string, audience = "sts.amazonaws.com") {
      const decision = await simulateAssumeRole({
        trustPolicy: roleTrustPolicy(sseS3, roleName, VALUES),
        roleArn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
        principal: PROVIDER,
        action: "sts:AssumeRoleWithWebIdentity",
        context: { [sub]: subject, [aud]: audience },
      });
      return decision.allowed;
    }

    it("plan role: pull requests and the default branch of the configured repository only", async () => {
      const role = "prod-idc-oidc-bridge-plan";
      expect(await canAssume(role, "repo:acme/idc-bridge:pull_request")).toBe(true);
      expect(await canAssume(role, "repo:acme/idc-bridge:ref:refs/heads/main")).toBe(true);
      for (const other of [
        "repo:acme/other-repo:pull_request",
        "repo:evil/idc-bridge:pull_request",
        "repo:acme/idc-bridge-fork:pull_request",
        "repo:acme/idc-bridge:ref:refs/heads/feature",
        "repo:acme/idc-bridge:environment:prod",
        "repo:acme/idc-bridge:ref:refs/tags/v1",
      ]) {
        expect({ other, allowed: await canAssume(role, other) }).toEqual({ other, allowed: false });
      }
      expect(await canAssume(role, "repo:acme/idc-bridge:pull_request", "https://github.com/acme")).toBe(
        false,
      );
    });

    it("apply role: jobs in the GitHub environment of the same name only", async () => {
      const role = "prod-idc-oidc-bridge-apply";
      expect(await canAssume(role, "repo:acme/idc-bridge:environment:prod")).toBe(true);
      for (const other of [
        "repo:acme/idc-bridge:pull_request",
        "repo:acme/idc-bridge:ref:refs/heads/main",
        "repo:acme/idc-bridge:environment:stage",
        "repo:acme/other-repo:environment:prod",
      ]) {
        expect({ other, allowed: await canAssume(role, other) }).toEqual({ other, allowed: false });
      }
      expect(await canAssume(role, "repo:acme/idc-bridge:environment:prod", "sigstore")).toBe(false);
    });

    it("no other principal: an IAM role of the account cannot assume them", async () => {
      const decision = await simulateAssumeRole({
        trustPolicy: roleTrustPolicy(sseS3, "prod-idc-oidc-bridge-apply", VALUES),
        roleArn: `arn:aws:iam::${ACCOUNT}:role/prod-idc-oidc-bridge-apply`,
        principal: `arn:aws:iam::${ACCOUNT}:role/someone`,
        context: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/someone` },
      });
      expect(decision.allowed).toBe(false);
    });
  });

  describe("role permissions, by the IAM policy simulator", () => {
    const inline = (doc: TerraformJson, role: "plan" | "apply"): NamedPolicy[] => [
      {
        name: "state-and-secrets",
        policy: policyDocument(doc, `${role}-role_policy_${policySuffix(doc, role)}`, VALUES),
      },
    ];
    const state = `${BUCKET}/idc-oidc-bridge/prod/cognito.tfstate`;
    // KMS authorizes by the key policy too: its account statement lets IAM policies grant the key.
    const keyPolicyId = Object.keys(sseKms.data.aws_iam_policy_document).find((id) =>
      id.startsWith("state_key-policy_"),
    )!;
    const keyPolicy = policyDocument(sseKms, keyPolicyId, VALUES);
    const allowed = async (policies: NamedPolicy[], action: string, resource: string) =>
      (
        await simulate({
          identityPolicies: policies,
          action,
          resource,
          principal: `arn:aws:iam::${ACCOUNT}:role/ci`,
          context: { "aws:PrincipalAccount": ACCOUNT, "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/ci` },
          ...(action.startsWith("kms:") ? { resourcePolicy: keyPolicy, resourceAccount: ACCOUNT } : {}),
        })
      ).allowed;

    it("plan role reads the environment's state and its key, and writes neither", async () => {
      const plan = inline(sseKms, "plan");
      expect(await allowed(plan, "s3:GetObject", state)).toBe(true);
      expect(await allowed(plan, "s3:ListBucket", BUCKET)).toBe(true);
      expect(await allowed(plan, "kms:Decrypt", KEY)).toBe(true);
      expect(await allowed(plan, "s3:GetObject", `${BUCKET}/idc-oidc-bridge/stage/cognito.tfstate`)).toBe(
        false,
      );
      expect(await allowed(plan, "s3:PutObject", `${state}.tflock`)).toBe(false);
      expect(await allowed(plan, "kms:Encrypt", KEY)).toBe(false);
    });

    it("apply role writes the state and its lock file", async () => {
      const apply = inline(sseKms, "apply");
      expect(await allowed(apply, "s3:PutObject", state)).toBe(true);
      expect(await allowed(apply, "s3:DeleteObject", `${state}.tflock`)).toBe(true);
      expect(await allowed(apply, "kms:GenerateDataKey", KEY)).toBe(true);
    });

    it("attaches no AWS managed policy by default, and the configured ones to the apply role only", () => {
      const of = (doc: TerraformJson, role: string) =>
        (Object.values(doc.resource.aws_iam_role_policy_attachment) as TerraformJson[])
          .filter(
            (a) =>
              String(a.role).includes(`${role}-role_`) && !String(a.policy_arn).includes("aws_iam_policy."),
          )
          .map((a) => a.policy_arn);
      expect([...of(sseS3, "plan"), ...of(sseS3, "apply")]).toEqual([]);
      const admin = synth(
        settingsOf(
          (c) => (c.bootstrap!.applyRoleManagedPolicies = ["arn:aws:iam::aws:policy/AdministratorAccess"]),
        ),
      );
      expect(of(admin, "plan")).toEqual([]);
      expect(of(admin, "apply")).toEqual(["arn:aws:iam::aws:policy/AdministratorAccess"]);
    });
  });

  it("lets the plan role read the secrets the cognito and identity-propagation stacks really create", async () => {
    const { loadConfig } = await import("../../config");
    const { synthBridge } = await import("../../__tests__/helpers/stacks");
    const config = loadConfig(path.join(__dirname, "../../__tests__/fixtures/config/federated.json"));
    const bridge = synthBridge(config);
    const names = ["cognito", "identity-propagation"].flatMap((stack) =>
      Object.values(
        json(readFileSync(path.join(bridge.outdir, "stacks", `umbrella-${stack}`, "cdk.tf.json"), "utf8"))
          .resource.aws_secretsmanager_secret,
      ).map((s) => (s as TerraformJson).name as string),
    );
    expect(names).toHaveLength(2);
    const umbrella = synth({ ...settingsOf(), environment: "umbrella" });
    const docs = Object.keys(umbrella.data.aws_iam_policy_document).filter((id) =>
      /^plan-role_actions-\d+-document_/.test(id),
    );
    const policies = docs.map((id) => ({ name: id, policy: policyDocument(umbrella, id, VALUES) }));
    for (const name of names) {
      const secret = `arn:aws:secretsmanager:us-west-2:${ACCOUNT}:secret:${name}-AbCdEf`;
      const decision = await simulate({
        identityPolicies: policies,
        action: "secretsmanager:GetSecretValue",
        resource: secret,
      });
      expect({ name, allowed: decision.allowed }).toEqual({ name, allowed: true });
    }
    const other = `arn:aws:secretsmanager:us-west-2:${ACCOUNT}:secret:someone-else/db-AbCdEf`;
    expect(
      (
        await simulate({
          identityPolicies: policies,
          action: "secretsmanager:GetSecretValue",
          resource: other,
        })
      ).allowed,
    ).toBe(false);
  });

  it("a bucket policy that denies every request without TLS (and TLS older than 1.2)", async () => {
    const policyId = Object.keys(sseS3.data.aws_iam_policy_document).find((id) =>
      id.startsWith("state_tls-only_"),
    )!;
    const resourcePolicy = policyDocument(sseS3, policyId, VALUES);
    const admin: NamedPolicy[] = [
      {
        name: "admin",
        policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] },
      },
    ];
    const request = (context: Record<string, string>) =>
      simulate({
        identityPolicies: admin,
        action: "s3:GetObject",
        resource: `${BUCKET}/idc-oidc-bridge/prod/cognito.tfstate`,
        resourceAccount: ACCOUNT,
        principal: `arn:aws:iam::${ACCOUNT}:role/admin`,
        resourcePolicy,
        context,
      });
    expect((await request({ "aws:SecureTransport": "true", "s3:TlsVersion": "1.3" })).allowed).toBe(true);
    expect((await request({ "aws:SecureTransport": "false", "s3:TlsVersion": "1.3" })).allowed).toBe(false);
    expect((await request({ "aws:SecureTransport": "true", "s3:TlsVersion": "1.1" })).allowed).toBe(false);
  });
});

function policySuffix(doc: TerraformJson, role: "plan" | "apply"): string {
  const id = Object.keys(doc.data.aws_iam_policy_document).find((k) => k.startsWith(`${role}-role_policy_`))!;
  return id.slice(`${role}-role_policy_`.length);
}

describe("bootstrap settings from the config", () => {
  const problems = (change: (c: BridgeConfigInput) => void) => {
    const result = bootstrapSettings(configWith(change));
    return Array.isArray(result) ? result.map((p) => `${p.path}: ${p.message}; got ${p.value}`) : [];
  };

  it("needs a bootstrap block and an S3 backend", () => {
    expect(problems((c) => (c.backend = { type: "local" }))).toEqual([
      expect.stringMatching(/^bootstrap: required by npm run bootstrap/),
      'backend.type: expected "s3": the bootstrap creates the S3 state bucket that CI uses; got "local"',
    ]);
  });

  it("checks the encryption choice against backend.kmsKeyId", () => {
    expect(
      problems((c) => (c.bootstrap = { github: { repository: "acme/x" }, stateBucketEncryption: "SSE-KMS" })),
    ).toEqual([
      expect.stringMatching(/^backend\.kmsKeyId: required with bootstrap\.stateBucketEncryption "SSE-KMS"/),
    ]);
    expect(
      problems((c) => {
        c.bootstrap = { github: { repository: "acme/x" }, stateBucketEncryption: "SSE-S3" };
        (c.backend as { kmsKeyId?: string }).kmsKeyId = KEY;
      }),
    ).toEqual([expect.stringMatching(/^bootstrap\.stateBucketEncryption: expected "SSE-KMS"/)]);
    // A key in another region than the bucket: the config itself refuses it now, before the bootstrap looks.
    expect(() =>
      problems((c) => {
        c.bootstrap = { github: { repository: "acme/x" } };
        (c.backend as { kmsKeyId?: string }).kmsKeyId = `arn:aws:kms:us-east-1:${ACCOUNT}:alias/x`;
      }),
    ).toThrow(/backend\.kmsKeyId: expected a key in the state bucket's region backend\.region \(eu-west-1\)/);
  });

  it("rejects an unknown encryption, naming the field, the value and the choices", () => {
    expect(() =>
      configWith(
        (c) => (c.bootstrap = { github: { repository: "acme/x" }, stateBucketEncryption: "AES" as never }),
      ),
    ).toThrow('bootstrap.stateBucketEncryption: expected "SSE-KMS" or "SSE-S3"; got "AES"');
  });

  it("rejects a repository that is not <owner>/<name>, naming the field and the value", () => {
    expect(() =>
      configWith((c) => (c.bootstrap = { github: { repository: "https://github.com/acme/x" } })),
    ).toThrow(
      'bootstrap.github.repository: expected a GitHub repository as <owner>/<name>, such as acme/idc-oidc-bridge; got "https://github.com/acme/x"',
    );
    expect(() =>
      configWith((c) => (c.bootstrap = { github: { repository: "acme/x", branch: "main" } } as never)),
    ).toThrow(
      /bootstrap\.github\.branch: unknown key; expected one of repository, defaultBranch, createOidcProvider/,
    );
  });
});

describe("npm run bootstrap", () => {
  function run(args: string[], config?: unknown, env: NodeJS.ProcessEnv = {}) {
    const dir = tempDir("bridge-bootstrap-cli-");
    const file = path.join(dir, "prod.json");
    writeFileSync(file, JSON.stringify(config ?? exampleInput()));
    const io = captureConsole();
    try {
      const code = main([...args, "--config", file, "--outdir", path.join(dir, "out")], env);
      return { code, errors: io.error.join("\n"), logs: io.log.join("\n"), outdir: path.join(dir, "out") };
    } finally {
      io.restore();
    }
  }

  it("synthesizes only the bootstrap stack into its own folder", () => {
    const config = exampleInput();
    config.bootstrap = { github: { repository: "acme/idc-bridge" } };
    const r = run(["--env", "prod", "--synth-only"], config);
    expect(r).toMatchObject({ code: 0, errors: "" });
    const manifest = JSON.parse(readFileSync(path.join(r.outdir, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks)).toEqual(["prod-bootstrap"]);
  });

  it("refuses a config without a bootstrap block or for another environment, before synthesizing", () => {
    const r = run(["--env", "prod", "--synth-only"]);
    expect(r.code).toBe(1);
    expect(r.errors).toMatch(
      /Invalid config .*prod\.json \(1 problem\):\n {2}- bootstrap: required by npm run bootstrap/,
    );
    const other = run(["--env", "stage", "--synth-only"]);
    expect(other.errors).toContain(
      'environment: expected the environment given with --env (stage); got "prod"',
    );
    expect(run(["--synth-only"]).code).toBe(2);
  });

  /** A stand-in `terraform` on PATH that records its arguments and has outputs like an applied stack. */
  function fakeTerraform() {
    const bin = tempDir("bridge-fake-terraform-");
    const log = path.join(bin, "calls.log");
    writeFileSync(
      path.join(bin, "terraform"),
      [
        "#!/bin/sh",
        'echo "$*" >> "$FAKE_TERRAFORM_LOG"',
        'if [ "$2" = output ]; then',
        `  echo '{"plan_role_arn":{"value":"arn:aws:iam::${ACCOUNT}:role/prod-idc-oidc-bridge-plan"},"apply_role_arn":{"value":"arn:aws:iam::${ACCOUNT}:role/prod-idc-oidc-bridge-apply"}}'`,
        "fi",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const calls = () =>
      readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .map((line) => line.replace(/^-chdir=\S+ /, ""));
    return { env: { PATH: `${bin}:${process.env.PATH}`, FAKE_TERRAFORM_LOG: log }, calls };
  }

  it("applies the synthesized stack with Terraform, then prints the GitHub settings to make", () => {
    const config = exampleInput();
    config.bootstrap = { github: { repository: "acme/idc-bridge" } };
    const terraform = fakeTerraform();
    const r = run(["--env", "prod"], config, terraform.env);
    expect(r).toMatchObject({ code: 0, errors: "" });
    expect(terraform.calls()).toEqual(["init -input=false", "apply", "output -no-color -json"]);
    expect(r.logs).toContain(
      `gh variable set AWS_PLAN_ROLE_ARN --body arn:aws:iam::${ACCOUNT}:role/prod-idc-oidc-bridge-plan`,
    );
    expect(r.logs).toContain(
      `gh variable set AWS_APPLY_ROLE_ARN --env prod --body arn:aws:iam::${ACCOUNT}:role/prod-idc-oidc-bridge-apply`,
    );
    expect(r.logs).toContain("gh api -X PUT repos/acme/idc-bridge/environments/prod");
  });

  it("with the accounts in the config, prints no role variables: CI derives the roles per account", () => {
    const config = exampleInput();
    config.bootstrap = { github: { repository: "acme/idc-bridge" } };
    config.identityCenter.accountId = ACCOUNT;
    const terraform = fakeTerraform();
    const r = run(["--env", "prod"], config, terraform.env);
    expect(r).toMatchObject({ code: 0, errors: "" });
    expect(r.logs).not.toContain("AWS_PLAN_ROLE_ARN");
    expect(r.logs).toContain(`CI finds the roles by account from the synthesized stacks`);
    expect(r.logs).toContain("gh secret set CLOUDFLARE_API_TOKEN_READ");
  });

  it("--plan only plans", () => {
    const config = exampleInput();
    config.bootstrap = { github: { repository: "acme/idc-bridge" } };
    const terraform = fakeTerraform();
    expect(run(["--env", "prod", "--plan"], config, terraform.env).code).toBe(0);
    expect(terraform.calls()).toEqual(["init -input=false", "plan"]);
  });
});

describe('the policy check on the CI roles\' actions that exist only on Resource "*"', () => {
  const stackWith = (actions: string[]) => ({
    data: {
      aws_iam_policy_document: {
        ci: { statement: [{ sid: "NoResourceLevel", actions, resources: ["*"] }] },
      },
    },
  });
  it("lets kms:CreateKey and kms:ListAliases use it, and nothing else of KMS", async () => {
    const { findViolations } = await import("../policy-checks");
    expect(findViolations(stackWith(["kms:CreateKey", "kms:ListAliases"]))).toEqual([]);
    expect(findViolations(stackWith(["kms:CreateKey", "kms:Decrypt"]))).toEqual([
      expect.objectContaining({
        rule: "iam-wildcards",
        message: expect.stringMatching(/allows kms actions on every resource/),
      }),
    ]);
  });
});
