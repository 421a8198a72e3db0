/**
 * A config no other test uses (fixtures/config/federated.json: its own names, regions and backend, an
 * upstream IdP, IAM federation and a trusted token issuer), through the config loader and all four stacks:
 * what it synthesizes, and that Terraform and cdktf can order it (no cycle inside a stack or between stacks,
 * every cross-stack read from a stack applied earlier).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { TerraformStack } from "cdktf";
import { loadConfig } from "../config";
import { roleTrustPolicy, type Substitution } from "./helpers/iam-simulator";
import { json, resources, synthBridge, type TerraformJson } from "./helpers/stacks";
import { dependencyCycles, dependencyGraph } from "./helpers/terraform-graph";
import { tempDir } from "./helpers/temp-dirs";

const ROOT = path.join(__dirname, "..");
const FIXTURE = path.join(__dirname, "fixtures", "config", "federated.json");
const APPLY_ORDER = [
  "umbrella-identity-center",
  "umbrella-cognito",
  "umbrella-cloudflare-access",
  "umbrella-identity-propagation",
];

const bridge = synthBridge(loadConfig(FIXTURE));
const stackText = (id: string) => readFileSync(path.join(bridge.outdir, "stacks", id, "cdk.tf.json"), "utf8");
const stacks = Object.fromEntries(APPLY_ORDER.map((id) => [id, json(stackText(id))]));
const cognito = stacks["umbrella-cognito"];
const propagation = stacks["umbrella-identity-propagation"];

describe("a config with every federation block", () => {
  it("synthesizes the IAM OIDC provider for the pool with the federation client as audience", () => {
    const providers = Object.values(
      resources(bridge.cognito, "aws_iam_openid_connect_provider"),
    ) as TerraformJson[];
    expect(providers).toHaveLength(1);
    expect(providers[0].url).toMatch(/^https:\/\/\$\{aws_cognito_user_pool\.[^.]+\.endpoint\}$/);
    expect(providers[0].client_id_list).toEqual([
      expect.stringMatching(/^\$\{aws_cognito_user_pool_client\.iam-federation_client_[0-9A-F]{8}\.id\}$/),
    ]);
  });

  it("synthesizes the roles, each trusting only that provider, for that audience, with its groups", () => {
    const values: Substitution[] = [
      [/^aws_iam_openid_connect_provider\./, "<provider>"],
      [/^aws_cognito_user_pool\.[^.]+\.endpoint$/, "<issuer>"],
      [/^aws_cognito_user_pool_client\.iam-federation_client_[0-9A-F]{8}\.id$/, "<client>"],
    ];
    const expected = {
      "umbrella-audit-readonly": ["*:auditors:*"],
      "umbrella-research-s3": ["*:research-team:*", "*:auditors:*"],
    };
    for (const [name, groups] of Object.entries(expected)) {
      const [statement, ...others] = roleTrustPolicy(bridge.cognito, name, values)
        .Statement as TerraformJson[];
      expect(others).toEqual([]);
      expect(statement).toEqual({
        Sid: "PoolIdTokensForTheFederationClient",
        Effect: "Allow",
        Action: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
        Principal: { Federated: ["<provider>"] },
        Condition: {
          StringEquals: { "<issuer>:aud": ["<client>"] },
          "ForAllValues:StringEquals": { "aws:TagKeys": ["groups", "email"] },
          StringLike: { "aws:RequestTag/groups": groups },
        },
      });
    }
    const roles = Object.values(resources(bridge.cognito, "aws_iam_role")) as TerraformJson[];
    expect(roles.find((r) => r.name === "umbrella-audit-readonly")!.max_session_duration).toBe(28800);
  });

  it("synthesizes the fourth stack with the trusted token issuer, the application and its scopes", () => {
    const issuer = Object.values(propagation.resource.aws_ssoadmin_trusted_token_issuer)[0] as TerraformJson;
    expect(issuer.name).toBe("umbrella-cognito");
    expect(issuer.trusted_token_issuer_configuration[0].oidc_jwt_configuration[0]).toMatchObject({
      claim_attribute_path: "idc_user_name",
      identity_store_attribute_path: "userName",
      jwks_retrieval_option: "OPEN_ID_DISCOVERY",
    });
    const app = Object.values(propagation.resource.aws_ssoadmin_application)[0] as TerraformJson;
    expect(app.name).toBe("umbrella-data-explorer");
    const scopes = Object.values(
      propagation.resource.aws_ssoadmin_application_access_scope,
    ) as TerraformJson[];
    expect(scopes.map((s) => s.scope).sort()).toEqual([
      "athena:workgroup:read_write",
      "lakeformation:query",
      "s3:access_grants:read_write",
    ]);
    expect(propagation.terraform.backend.s3.key).toBe(
      "identity/bridge/umbrella/identity-propagation.tfstate",
    );
  });

  it("has no dependency cycle inside any stack (the JIT Lambda names the federation client, the pool the Lambda)", () => {
    for (const id of APPLY_ORDER) {
      expect({ stack: id, cycles: dependencyCycles(dependencyGraph(stackText(id))) }).toEqual({
        stack: id,
        cycles: [],
      });
    }
    // The case that needed care: function → federation client → pool, and not back.
    const graph = dependencyGraph(bridge.cognito);
    const fns = resources(bridge.cognito, "aws_lambda_function");
    const jit = Object.keys(fns).filter((k) =>
      String(fns[k].function_name).endsWith("-pre-token-generation"),
    );
    expect(jit).toHaveLength(1);
    const fn = `aws_lambda_function.${jit[0]}`;
    expect([...graph.get(fn)!].some((d) => d.startsWith("aws_cognito_user_pool_client.iam-federation"))).toBe(
      true,
    );
  });

  it("has an acyclic stack graph: every declared dependency and every remote-state read points to an earlier stack", () => {
    const declared: Record<string, string[]> = Object.fromEntries(
      [...Object.values(bridge.stacks)]
        .filter((s): s is TerraformStack => s !== undefined)
        .map((s) => [s.node.id, s.dependencies.map((d) => d.node.id)]),
    );
    expect(Object.keys(declared).sort()).toEqual([...APPLY_ORDER].sort());
    for (const [consumer, producers] of Object.entries(declared)) {
      for (const producer of producers) {
        expect({
          consumer,
          producer,
          earlier: APPLY_ORDER.indexOf(producer) < APPLY_ORDER.indexOf(consumer),
        }).toEqual({
          consumer,
          producer,
          earlier: true,
        });
      }
    }
    expect(declared["umbrella-identity-propagation"].sort()).toEqual([
      "umbrella-cognito",
      "umbrella-identity-center",
    ]);

    for (const [consumer, doc] of Object.entries(stacks)) {
      const reads = Object.keys(doc.data?.terraform_remote_state ?? {});
      for (const read of reads) {
        const producer = read.replace(/^cross-stack-reference-input-/, "");
        expect(APPLY_ORDER.indexOf(producer)).toBeGreaterThanOrEqual(0);
        expect(APPLY_ORDER.indexOf(producer)).toBeLessThan(APPLY_ORDER.indexOf(consumer));
        // A cross-stack read is also a declared dependency, so `cdktf deploy` applies the producer first.
        expect(declared[consumer]).toContain(producer);
        // ... of an output the producer has, with the producer's own backend settings.
        const text = JSON.stringify(doc);
        for (const m of text.matchAll(new RegExp(`${read}\\.outputs\\.([\\w-]+)`, "g"))) {
          expect(stacks[producer].output[m[1]]).toMatchObject({ sensitive: true });
        }
        expect(doc.data.terraform_remote_state[read].config).toEqual(stacks[producer].terraform.backend.s3);
      }
    }
    expect(Object.keys(propagation.data.terraform_remote_state).sort()).toEqual([
      "cross-stack-reference-input-umbrella-cognito",
      "cross-stack-reference-input-umbrella-identity-center",
    ]);
  });

  it("keeps every stack that does not use them free of the federation blocks' resources", () => {
    expect(JSON.stringify(stacks["umbrella-identity-center"])).not.toMatch(
      /trusted_token_issuer|oidc_provider/,
    );
    expect(JSON.stringify(stacks["umbrella-cloudflare-access"])).not.toMatch(
      /ssoadmin_application|openid_connect/,
    );
    expect(cognito.resource).not.toHaveProperty("aws_ssoadmin_trusted_token_issuer");
  });
});

const BUNDLE = path.join(ROOT, "dist", "lambda", "pre-token-generation", "index.js");
(existsSync(BUNDLE) ? describe : describe.skip)("main.ts with the federated config", () => {
  it("synthesizes four stacks whose manifest dependencies give the apply order", () => {
    const outdir = path.join(tempDir("bridge-federated-"), "cdktf.out");
    const run = spawnSync(
      process.execPath,
      [path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), "main.ts"],
      {
        cwd: ROOT,
        env: { ...process.env, BRIDGE_CONFIG: FIXTURE, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
        encoding: "utf8",
      },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(outdir, "manifest.json"), "utf8")) as {
      stacks: Record<string, { dependencies: string[] }>;
    };
    expect(Object.keys(manifest.stacks).sort()).toEqual([...APPLY_ORDER].sort());
    // The order `cdktf deploy` derives from the manifest: each stack after all it depends on.
    const order: string[] = [];
    const pending = new Set(Object.keys(manifest.stacks));
    while (pending.size > 0) {
      const ready = [...pending].filter((s) =>
        manifest.stacks[s].dependencies.every((d) => order.includes(d)),
      );
      expect(ready.length).toBeGreaterThan(0); // otherwise: a cycle
      for (const s of ready.sort((a, b) => APPLY_ORDER.indexOf(a) - APPLY_ORDER.indexOf(b))) {
        order.push(s);
        pending.delete(s);
      }
    }
    expect(order).toEqual(APPLY_ORDER);
  });
});
