import { readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, TerraformLocal, TerraformOutput, TerraformStack } from "cdktf";
import type { BackendConfig } from "../config";
import { configureBackend } from "../stacks/backend";
import { configWith, json, synthBridge, type SynthesizedBridge, type TerraformJson } from "./helpers/stacks";
import { applyOffline, describeIfTerraform } from "./helpers/terraform-cli";
import { tempDir } from "./helpers/temp-dirs";

const REMOTE = "data.terraform_remote_state";

/** `${data.terraform_remote_state.<name>.outputs.<output>}` references in a stack's JSON. */
function remoteReads(stack: TerraformJson): { state: string; output: string }[] {
  const text = JSON.stringify(stack);
  return [...text.matchAll(/data\.terraform_remote_state\.([\w-]+)\.outputs\.([\w-]+)/g)].map((m) => ({
    state: m[1],
    output: m[2],
  }));
}

function withBackend(backend: BackendConfig): SynthesizedBridge {
  // cdktf validates a cloud block by running `terraform version`; the JSON is what is under test here.
  return synthBridge(
    configWith((c) => (c.backend = backend as never)),
    undefined,
    {
      skipValidation: backend.type === "cloud",
    },
  );
}

describe("cross-stack wiring", () => {
  const bridge = synthBridge(configWith((c) => (c.environment = "stage")));
  const ic = json(bridge.identityCenter);
  const cognito = json(bridge.cognito);
  const cf = json(bridge.cloudflareAccess);
  const remoteStates = (s: TerraformJson) => s.data?.terraform_remote_state ?? {};

  it("each consumer reads exactly its producers' remote state", () => {
    expect(Object.keys(remoteStates(ic))).toEqual([]);
    expect(Object.keys(remoteStates(cognito))).toEqual(["cross-stack-reference-input-stage-identity-center"]);
    expect(Object.keys(remoteStates(cf)).sort()).toEqual([
      "cross-stack-reference-input-stage-cognito",
      "cross-stack-reference-input-stage-identity-center",
    ]);
  });

  it("reads remote state with the producer's own backend settings", () => {
    for (const [consumer, producer] of [
      [cognito, ic],
      [cf, ic],
      [cf, cognito],
    ]) {
      const producerId = producer["//"].metadata.stackName;
      const read = remoteStates(consumer)[`cross-stack-reference-input-${producerId}`];
      expect(read.backend).toBe("s3");
      expect(read.config).toEqual(producer.terraform.backend.s3);
    }
  });

  it("uses only outputs the producers declare, all of them sensitive", () => {
    const producers: Record<string, TerraformJson> = {
      "cross-stack-reference-input-stage-identity-center": ic,
      "cross-stack-reference-input-stage-cognito": cognito,
    };
    for (const consumer of [cognito, cf]) {
      const reads = remoteReads(consumer);
      expect(reads.length).toBeGreaterThan(0);
      for (const { state, output } of reads) {
        expect(producers[state].output[output]).toMatchObject({ sensitive: true });
      }
    }
  });

  it("feeds the JIT Lambda from the identity-center stack", () => {
    const fn = Object.values(cognito.resource.aws_lambda_function)[0] as TerraformJson;
    const env = fn.environment.variables;
    for (const name of ["IDENTITY_STORE_ID", "IDENTITY_STORE_REGION", "GROUP_MAP"]) {
      expect(env[name]).toContain(`${REMOTE}.cross-stack-reference-input-stage-identity-center.outputs.`);
    }
    const policy = JSON.stringify(cognito.data.aws_iam_policy_document);
    expect(policy).toContain(`${REMOTE}.cross-stack-reference-input-stage-identity-center.outputs.`);
  });

  it("feeds Cloudflare from both producers, the client secret only via Secrets Manager", () => {
    const app = Object.values(cf.resource.cloudflare_zero_trust_access_application)[0] as TerraformJson;
    expect(app.saas_app.sp_entity_id).toContain("cross-stack-reference-input-stage-identity-center");
    expect(app.saas_app.consumer_service_url).toContain("cross-stack-reference-input-stage-identity-center");
    const idp = Object.values(cf.resource.cloudflare_zero_trust_access_identity_provider)[0] as TerraformJson;
    expect(idp.config.client_id).toContain("cross-stack-reference-input-stage-cognito");
    expect(idp.config.client_secret).toMatch(
      /^\$\{jsondecode\(data\.aws_secretsmanager_secret_version\.[\w-]+\.secret_string\)\.client_secret\}$/,
    );
    const secretRead = Object.values(cf.data.aws_secretsmanager_secret_version)[0] as TerraformJson;
    expect(secretRead.secret_id).toContain("cross-stack-reference-input-stage-cognito");
    // The cognito stack's client secret never crosses stacks through remote state.
    const crossStackOutputs = Object.entries(cognito.output).filter(([k]) =>
      k.startsWith("cross-stack-output"),
    );
    expect(crossStackOutputs.map(([, v]) => JSON.stringify(v)).join()).not.toContain("client_secret");
  });

  it("declares the apply order identity-center, cognito, cloudflare-access", () => {
    const deps = (s: TerraformStack) => s.dependencies.map((d) => d.node.id).sort();
    expect(deps(bridge.stacks.identityCenter)).toEqual([]);
    expect(deps(bridge.stacks.cognito)).toEqual(["stage-identity-center"]);
    expect(deps(bridge.stacks.cloudflareAccess)).toEqual(["stage-cognito", "stage-identity-center"]);
  });
});

describe("backends", () => {
  it("s3: bucket, region, per-stack key, encryption and S3-native locking, in backends and remote reads", () => {
    const bridge = withBackend({
      type: "s3",
      bucket: "corp-state",
      region: "us-east-2",
      keyPrefix: "platform/idc",
      kmsKeyId: "arn:aws:kms:us-east-2:111111111111:key/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0",
      dynamodbTable: "tf-locks",
    });
    const expected = (stack: string) => ({
      bucket: "corp-state",
      region: "us-east-2",
      key: `platform/idc/prod/${stack}.tfstate`,
      encrypt: true,
      use_lockfile: true,
      kms_key_id: "arn:aws:kms:us-east-2:111111111111:key/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0",
      dynamodb_table: "tf-locks",
    });
    expect(json(bridge.identityCenter).terraform.backend).toEqual({ s3: expected("identity-center") });
    expect(json(bridge.cognito).terraform.backend).toEqual({ s3: expected("cognito") });
    expect(json(bridge.cloudflareAccess).terraform.backend).toEqual({ s3: expected("cloudflare-access") });
    const read = json(bridge.cloudflareAccess).data.terraform_remote_state[
      "cross-stack-reference-input-prod-cognito"
    ];
    expect(read.config).toEqual(expected("cognito"));
  });

  it("s3: optional settings are left out when not configured", () => {
    const backend = json(synthBridge(configWith()).cognito).terraform.backend.s3;
    expect(backend).not.toHaveProperty("kms_key_id");
    expect(backend).not.toHaveProperty("dynamodb_table");
  });

  it("cloud: one HCP Terraform workspace per stack, read the same way", () => {
    const bridge = withBackend({ type: "cloud", organization: "acme", workspacePrefix: "idc-bridge-" });
    expect(json(bridge.cognito).terraform.cloud).toEqual({
      organization: "acme",
      workspaces: { name: "idc-bridge-prod-cognito" },
    });
    const read = json(bridge.cloudflareAccess).data.terraform_remote_state[
      "cross-stack-reference-input-prod-cognito"
    ];
    expect(read.backend).toBe("remote");
    expect(read.config).toEqual({ organization: "acme", workspaces: { name: "idc-bridge-prod-cognito" } });
  });

  it("local: state outside the synth output, by relative path, read the same way", () => {
    const bridge = withBackend({ type: "local" });
    const statePath = json(bridge.cognito).terraform.backend.local.path;
    expect(path.isAbsolute(statePath)).toBe(false);
    // synthBridge uses the output directory as the project root.
    expect(path.resolve(bridge.outdir, "stacks", "prod-cognito", statePath)).toBe(
      path.join(bridge.outdir, "terraform-state", "prod-cognito.tfstate"),
    );
    const read = json(bridge.cloudflareAccess).data.terraform_remote_state[
      "cross-stack-reference-input-prod-cognito"
    ];
    expect(read.config.path).toBe(statePath);
  });

  it("puts no absolute path of the build machine in any synthesized file", () => {
    for (const backend of [
      { type: "local" },
      { type: "s3", bucket: "b-state", region: "eu-west-1" },
    ] as BackendConfig[]) {
      const bridge = withBackend(backend);
      for (const stack of [bridge.identityCenter, bridge.cognito, bridge.cloudflareAccess]) {
        for (const absolute of [bridge.outdir, process.cwd(), os.tmpdir(), os.homedir()]) {
          expect(stack).not.toContain(absolute);
        }
      }
    }
  });
});

describeIfTerraform("local backend remote state, applied by the Terraform CLI", () => {
  let root: string;

  it("lets a consumer stack read what the producer stack applied", () => {
    root = tempDir("bridge-local-state-");
    const app = new App({ outdir: path.join(root, "cdktf.out") });
    const state = {
      backend: { type: "local" } as const,
      environment: "dev",
      localRootFromStackDir: "../../..",
    };
    const producer = new TerraformStack(app, "dev-producer");
    configureBackend(producer, state);
    const value = new TerraformLocal(
      producer,
      "issuer",
      "https://eu-west-1.signin.aws.amazon.com/platform/saml/d-1234567890",
    );
    const consumer = new TerraformStack(app, "dev-consumer");
    configureBackend(consumer, state);
    new TerraformOutput(consumer, "issuer_seen", { value: value.asString });
    consumer.addDependency(producer);
    app.synth();

    applyOffline(path.join(root, "cdktf.out", "stacks", "dev-producer"));
    const outputs = applyOffline(path.join(root, "cdktf.out", "stacks", "dev-consumer"));
    expect(outputs.issuer_seen).toBe("https://eu-west-1.signin.aws.amazon.com/platform/saml/d-1234567890");
    // State files land in <root>/terraform-state, outside cdktf.out.
    expect(readFileSync(path.join(root, "terraform-state", "dev-producer.tfstate"), "utf8")).toContain(
      "cross-stack-output",
    );
  });
});
