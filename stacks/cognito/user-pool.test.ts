import { rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CognitoUserGroup } from "@cdktf/provider-aws/lib/cognito-user-group";
import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { loadConfig } from "../../config";
import {
  configWith,
  RICH_CONFIG,
  resources,
  synthBridge,
  type TerraformJson,
} from "../../__tests__/helpers/stacks";
import { applyOffline, describeIfTerraform, runTerraform } from "../../__tests__/helpers/terraform-cli";
import { tempDir } from "../../__tests__/helpers/temp-dirs";
import {
  ENV_VARS,
  IDC_USER_ID_ATTRIBUTE,
  LAST_SIGN_IN_ATTRIBUTE,
  LINK_SIGNATURE_ATTRIBUTE,
} from "../../lambda-src/pre-token-generation/contract";
import { COGNITO_WRITTEN_PROVIDER_DETAILS } from "./user-pool";

const byName = (synthesized: string, type: string, key: string): Record<string, TerraformJson> =>
  Object.fromEntries(
    Object.values(resources(synthesized, type) as Record<string, TerraformJson>).map((r) => [r[key], r]),
  );

/** The one resource of a type; `logicalIdPrefix` picks among several (e.g. the JIT Lambda beside the deprovisioner). */
const single = (synthesized: string, type: string, logicalIdPrefix = ""): TerraformJson => {
  const all = Object.entries(resources(synthesized, type) as Record<string, TerraformJson>)
    .filter(([id]) => id.startsWith(logicalIdPrefix))
    .map(([, r]) => r);
  expect(all).toHaveLength(1);
  return all[0];
};

describe("cognito stack for the rich config: groups, custom attributes, hardened upstreams, attribute permissions", () => {
  const bridge = synthBridge(loadConfig(RICH_CONFIG));
  const cog = bridge.cognito;
  const pool = single(cog, "aws_cognito_user_pool");
  const poolId = Object.keys(resources(cog, "aws_cognito_user_pool"))[0];
  const providers = byName(cog, "aws_cognito_identity_provider", "provider_name");
  const env = single(cog, "aws_lambda_function", "pre-token-generation").environment.variables as Record<
    string,
    string
  >;
  afterAll(() => rmSync(bridge.outdir, { recursive: true, force: true }));

  it("creates one Cognito group per declared group, with its description and precedence", () => {
    const groups = byName(cog, "aws_cognito_user_group", "name");
    expect(Object.keys(groups).sort()).toEqual(["Audit", "Engineering", "admins"]);
    expect(cog).toHaveResourceWithProperties(CognitoUserGroup, {
      name: "admins",
      description: "Cognito-native administrators",
      precedence: 1,
      user_pool_id: `\${aws_cognito_user_pool.${poolId}.id}`,
    });
    expect(groups.Audit).not.toHaveProperty("description");
    expect(groups.Audit).not.toHaveProperty("precedence");
  });

  it("declares the bridge's own attributes and every configured custom attribute in the pool schema", () => {
    const schema = Object.fromEntries((pool.schema as TerraformJson[]).map((a) => [a.name, a]));
    const plain = { developer_only_attribute: false, required: false, mutable: true };
    expect(schema).toEqual({
      [IDC_USER_ID_ATTRIBUTE.replace("custom:", "")]: {
        ...plain,
        name: "idc_user_id",
        attribute_data_type: "String",
        string_attribute_constraints: { min_length: "0", max_length: "47" },
      },
      [LAST_SIGN_IN_ATTRIBUTE.replace("custom:", "")]: {
        ...plain,
        name: "idc_last_sign_in",
        attribute_data_type: "String",
        string_attribute_constraints: { min_length: "0", max_length: "10" },
      },
      [LINK_SIGNATURE_ATTRIBUTE.replace("custom:", "")]: {
        ...plain,
        name: "idc_link_sig",
        attribute_data_type: "String",
        string_attribute_constraints: { min_length: "0", max_length: "128" },
      },
      ...Object.fromEntries(
        ["groups", "department", "cost_center", "employee_no"].map((name) => [
          name,
          {
            ...plain,
            name,
            attribute_data_type: "String",
            string_attribute_constraints: { min_length: "0", max_length: "2048" },
          },
        ]),
      ),
      clearance: {
        ...plain,
        name: "clearance",
        attribute_data_type: "Number",
        number_attribute_constraints: { min_value: "0", max_value: "5" },
      },
    });
  });

  it("federates the SAML upstream without IdP sign-out or IdP-initiated sign-in, with its identifiers", () => {
    expect(providers.Okta).toMatchObject({
      provider_type: "SAML",
      provider_details: {
        MetadataURL: "https://corp.okta.com/app/exk1/sso/saml/metadata",
        IDPSignout: "false",
        IDPInit: "false",
      },
      idp_identifiers: ["corp.example"],
      attribute_mapping: {
        email: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "custom:groups": "groups",
        "custom:department": "department",
      },
    });
    expect(Object.keys(providers.Okta.provider_details).sort()).toEqual([
      "IDPInit",
      "IDPSignout",
      "MetadataURL",
    ]);
  });

  it("maps an OIDC user's username from sub, as Cognito does, so no plan removes it", () => {
    expect(providers.Google.attribute_mapping).toEqual({
      username: "sub",
      email: "email",
      email_verified: "email_verified",
      given_name: "given_name",
      family_name: "family_name",
    });
    expect(providers.Google.idp_identifiers).toEqual(["corp-partners.example"]);
  });

  it("ignores exactly the provider_details keys Cognito writes back, per provider type", () => {
    expect(providers.Google.lifecycle).toEqual({
      ignore_changes: [
        'provider_details["attributes_url"]',
        'provider_details["authorize_url"]',
        'provider_details["token_url"]',
        'provider_details["jwks_uri"]',
        'provider_details["attributes_url_add_attributes"]',
      ],
    });
    expect(providers.Okta.lifecycle).toEqual({
      ignore_changes: [
        'provider_details["ActiveEncryptionCertificate"]',
        'provider_details["SLORedirectBindingURI"]',
        'provider_details["SSORedirectBindingURI"]',
      ],
    });
    // Nothing configured is ever ignored.
    for (const p of Object.values(providers)) {
      for (const key of Object.keys(p.provider_details)) {
        expect(p.lifecycle.ignore_changes).not.toContain(`provider_details["${key}"]`);
      }
    }
  });

  it("lets the Cloudflare client write only the mapped attributes and read only what the Lambda and Cloudflare use", () => {
    const mapped = [
      "custom:cost_center",
      "custom:department",
      "custom:employee_no",
      "custom:groups",
      "email",
      "email_verified",
      "family_name",
      "given_name",
    ];
    expect(cog).toHaveResourceWithProperties(CognitoUserPoolClient, {
      name: "cloudflare-access",
      write_attributes: mapped,
      // Plus what the JIT Lambda reads from its trigger event, built from what this client's ID token holds.
      read_attributes: [
        ...mapped,
        IDC_USER_ID_ATTRIBUTE,
        LINK_SIGNATURE_ATTRIBUTE,
        LAST_SIGN_IN_ATTRIBUTE,
      ].sort(),
    });
    const client = single(cog, "aws_cognito_user_pool_client", "cloudflare-client");
    expect(client.write_attributes).not.toContain(IDC_USER_ID_ATTRIBUTE);
    expect(client.write_attributes).not.toContain(LINK_SIGNATURE_ATTRIBUTE);
    expect(client.write_attributes).not.toContain(LAST_SIGN_IN_ATTRIBUTE);
    expect(client.read_attributes).not.toContain("custom:clearance");
  });

  it("passes the groups attribute, trusted providers, adoption and enterprise attributes to the Lambda", () => {
    expect(env[ENV_VARS.groupsAttribute]).toBe("custom:groups");
    expect(JSON.parse(env[ENV_VARS.trustedEmailProviders])).toEqual(["Okta"]);
    expect(env[ENV_VARS.adoptExistingUsers]).toBe("true");
    expect(JSON.parse(env[ENV_VARS.enterpriseAttributes])).toEqual({
      department: "custom:department",
      costCenter: "custom:cost_center",
      employeeNumber: "custom:employee_no",
    });
  });
});

describe("cognito stack for the example", () => {
  const bridge = synthBridge(configWith());
  const cog = bridge.cognito;
  afterAll(() => rmSync(bridge.outdir, { recursive: true, force: true }));

  it("creates the example's Cognito groups", () => {
    expect(Object.keys(byName(cog, "aws_cognito_user_group", "name")).sort()).toEqual([
      "cognito-admins",
      "cognito-developers",
      "cognito-readers",
    ]);
  });

  it("keeps the bridge's attributes in the schema, readable but not writable by the client, with no upstream", () => {
    const pool = single(cog, "aws_cognito_user_pool");
    expect((pool.schema as TerraformJson[]).map((a) => a.name).sort()).toEqual([
      "idc_last_sign_in",
      "idc_link_sig",
      "idc_user_id",
    ]);
    const client = single(cog, "aws_cognito_user_pool_client", "cloudflare-client");
    // Without upstreams nothing is written at sign-in, but the list is never empty: no WriteAttributes means
    // every standard attribute writable (API reference, UserPoolClientType: WriteAttributes), and the aws
    // provider drops an empty list or fails the apply on it (hashicorp/terraform-provider-aws #28684, #30511).
    expect(client.write_attributes).toEqual(["zoneinfo"]);
    expect(client.read_attributes).toEqual(
      [
        IDC_USER_ID_ATTRIBUTE,
        LINK_SIGNATURE_ATTRIBUTE,
        LAST_SIGN_IN_ATTRIBUTE,
        "email",
        "email_verified",
        "family_name",
        "given_name",
        "zoneinfo",
      ].sort(),
    );
  });

  it("gives the Lambda the defaults: no trusted providers, no adoption, no enterprise attributes, no groups attribute", () => {
    const env = single(cog, "aws_lambda_function", "pre-token-generation").environment.variables as Record<
      string,
      string
    >;
    expect(env[ENV_VARS.trustedEmailProviders]).toBe("[]");
    expect(env[ENV_VARS.adoptExistingUsers]).toBe("false");
    expect(env[ENV_VARS.enterpriseAttributes]).toBe("{}");
    expect(env).not.toHaveProperty(ENV_VARS.groupsAttribute);
  });

  it("lists every ignored provider_details key once", () => {
    for (const keys of Object.values(COGNITO_WRITTEN_PROVIDER_DETAILS))
      expect(new Set(keys).size).toBe(keys.length);
  });
});

describeIfTerraform("upstream providers through the Terraform CLI", () => {
  const dir = tempDir("upstream-terraform-");
  // Names and mappings may hold "${" and "%{", which Terraform would otherwise read as templates.
  const odd = "Ok${x}%{y}";
  const bridge = synthBridge(
    configWith((c) => {
      c.cognito.customAttributes = [{ name: "dept${x}" }];
      c.cognito.upstreamProviders = [
        {
          type: "saml",
          name: odd,
          metadataUrl: "https://corp.okta.com/app/exk1/sso/saml/metadata",
          trustEmail: true,
          attributeMapping: { email: "mail", "custom:dept${x}": "department%{y}" },
        },
        { type: "oidc", name: "Google", clientId: "id", issuerUrl: "https://accounts.google.com" },
      ];
      c.cognito.provisioning!.enterpriseAttributes = { department: "custom:dept${x}" };
    }),
  );
  afterAll(() => rmSync(bridge.outdir, { recursive: true, force: true }));

  /** Evaluates values the way Terraform will, as outputs of a provider-free configuration. */
  function evaluate(values: Record<string, unknown>): Record<string, unknown> {
    const work = tempDir("upstream-eval-");
    writeFileSync(
      path.join(work, "main.tf.json"),
      JSON.stringify({
        output: Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { value }])),
      }),
    );
    return applyOffline(work);
  }

  it("keeps config strings literal in names, mappings and the Lambda's environment", () => {
    const env = single(bridge.cognito, "aws_lambda_function", "pre-token-generation").environment
      .variables as Record<string, string>;
    const saml = (
      Object.values(resources(bridge.cognito, "aws_cognito_identity_provider")) as TerraformJson[]
    ).find((p) => p.provider_type === "SAML")!;
    const pool = single(bridge.cognito, "aws_cognito_user_pool");
    const out = evaluate({
      name: saml.provider_name,
      mapping: saml.attribute_mapping,
      schema: (pool.schema as TerraformJson[]).map((a) => a.name),
      trusted: env[ENV_VARS.trustedEmailProviders],
      enterprise: env[ENV_VARS.enterpriseAttributes],
    });
    expect(out.name).toBe(odd);
    expect(out.mapping).toEqual({ email: "mail", "custom:dept${x}": "department%{y}" });
    expect(out.schema).toEqual(expect.arrayContaining(["dept${x}"]));
    expect(JSON.parse(out.trusted as string)).toEqual([odd]);
    expect(JSON.parse(out.enterprise as string)).toEqual({ department: "custom:dept${x}" });
  });

  it("ignores a Cognito-written key with the rendered lifecycle entry, and only that key", () => {
    // The rendered entries, applied to a built-in resource Terraform runs offline, whose input is a
    // map(string) like provider_details: Cognito adding the endpoints it discovered must plan no change,
    // while a configured key still does.
    const oidc = (
      Object.values(resources(bridge.cognito, "aws_cognito_identity_provider")) as TerraformJson[]
    ).find((p) => p.provider_type === "OIDC")!;
    const ignore = (oidc.lifecycle.ignore_changes as string[]).map((entry) =>
      entry.replace(/^provider_details\[/, "input["),
    );
    const write = (input: Record<string, string>, withLifecycle = true) =>
      writeFileSync(
        path.join(dir, "main.tf.json"),
        JSON.stringify({
          resource: {
            terraform_data: {
              idp: {
                input: `\${tomap({${Object.entries(input)
                  .map(([k, v]) => `${JSON.stringify(k)} = ${JSON.stringify(v)}`)
                  .join(", ")}})}`,
                ...(withLifecycle ? { lifecycle: { ignore_changes: ignore } } : {}),
              },
            },
          },
        }),
      );
    const configured = { client_id: "id", oidc_issuer: "https://accounts.google.com" };
    const discovered = {
      ...configured,
      authorize_url: "https://accounts.google.com/o/oauth2/v2/auth",
      token_url: "https://oauth2.googleapis.com/token",
      jwks_uri: "https://www.googleapis.com/oauth2/v3/certs",
      attributes_url: "https://people.googleapis.com/v1/people/me?personFields=",
      attributes_url_add_attributes: "true",
    };
    // State as after Cognito wrote the endpoints back; configuration as this project writes it.
    write(discovered);
    applyOffline(dir);
    write(configured);
    const plan = (extra: string[] = []) => runPlan(dir, extra);
    expect(plan()).toBe(0);
    write(configured, false);
    expect(plan()).toBe(2);
    write({ ...configured, client_id: "another" });
    expect(plan()).toBe(2);
  });
});

/** `terraform plan -detailed-exitcode`: 0 no changes, 2 changes. */
function runPlan(dir: string, extra: string[]): number {
  try {
    runTerraform(dir, ["plan", "-detailed-exitcode", "-input=false", ...extra]);
    return 0;
  } catch (e) {
    const match = /\(exit (\d+)\)/.exec((e as Error).message);
    if (match?.[1] === "2") return 2;
    throw e;
  }
}
