import * as path from "node:path";
import { ZeroTrustAccessApplication } from "@cdktf/provider-cloudflare/lib/zero-trust-access-application";
import { ZeroTrustAccessIdentityProvider } from "@cdktf/provider-cloudflare/lib/zero-trust-access-identity-provider";
import { ZeroTrustAccessPolicy } from "@cdktf/provider-cloudflare/lib/zero-trust-access-policy";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import { configWith, json, resources, synthBridge, type TerraformJson } from "../../__tests__/helpers/stacks";
import { applyOffline, describeIfTerraform } from "../../__tests__/helpers/terraform-cli";
import { escapeLiteralString, escapeLiteralStrings } from "../shared/terraform-literal";
import { tempDir } from "../../__tests__/helpers/temp-dirs";

const IC = "data.terraform_remote_state.cross-stack-reference-input-ops-identity-center.outputs.";
const COGNITO = "data.terraform_remote_state.cross-stack-reference-input-ops-cognito.outputs.";

describe("cloudflare-access stack", () => {
  // A config the example does not cover: all policy kinds, ABAC attributes, another team and environment.
  const config = configWith((c) => {
    c.environment = "ops";
    c.cognito.region = "us-west-2";
    c.cloudflare = {
      accountId: "fedcba9876543210fedcba9876543210",
      teamName: "globex",
      appName: "AWS (Globex)",
      sessionDuration: "2h30m",
      access: {
        emailDomains: ["globex.example", "globex-labs.example"],
        emails: ["contractor@partner.example"],
        groups: ["3f2a1b0c-1d2e-4f5a-8b9c-0d1e2f3a4b5c"],
      },
      accessControlAttributes: { CostCenter: "custom:cost_center" },
    };
    c.cognito.customAttributes = [{ name: "cost_center" }];
  });
  const stack = synthBridge(config).cloudflareAccess;
  const only = (type: string): TerraformJson => {
    const all = Object.values(resources(stack, type));
    expect(all).toHaveLength(1);
    return all[0] as TerraformJson;
  };

  it("logs people in with Cognito by OIDC with PKCE, the secret read from Secrets Manager", () => {
    expect(stack).toHaveResourceWithProperties(ZeroTrustAccessIdentityProvider, {
      account_id: "fedcba9876543210fedcba9876543210",
      type: "oidc",
      // The jest matchers compare nested objects exactly unless told otherwise.
      config: expect.objectContaining({
        pkce_enabled: true,
        scopes: ["openid", "email", "profile"],
        email_claim_name: "email",
        claims: expect.arrayContaining(["identity_store_user_id", "email_verified", "custom:cost_center"]),
      }),
    });
    const idp = only("cloudflare_zero_trust_access_identity_provider");
    expect(idp.config.auth_url).toMatch(
      new RegExp(
        `^https://\\$\\{${escape(COGNITO)}[\\w-]+domain\\}\\.auth\\.us-west-2\\.amazoncognito\\.com/oauth2/authorize$`,
      ),
    );
    expect(idp.config.token_url).toMatch(/\.auth\.us-west-2\.amazoncognito\.com\/oauth2\/token$/);
    expect(idp.config.certs_url).toMatch(
      new RegExp(`^https://\\$\\{${escape(COGNITO)}[\\w-]+endpoint\\}/\\.well-known/jwks\\.json$`),
    );
    expect(idp.config.client_id).toContain(COGNITO);
    expect(idp.config.client_secret).toContain("data.aws_secretsmanager_secret_version.");
  });

  it("builds one reusable allow policy per kind of rule, each requiring the Cognito login method", () => {
    const policies = Object.values(
      resources(stack, "cloudflare_zero_trust_access_policy"),
    ) as TerraformJson[];
    expect(policies.map((p) => p.include)).toEqual(
      expect.arrayContaining([
        [{ email_domain: { domain: "globex.example" } }, { email_domain: { domain: "globex-labs.example" } }],
        [{ email: { email: "contractor@partner.example" } }],
        [{ group: { id: "3f2a1b0c-1d2e-4f5a-8b9c-0d1e2f3a4b5c" } }],
      ]),
    );
    expect(policies).toHaveLength(3);
    for (const p of policies) {
      expect(p).toMatchObject({ decision: "allow", session_duration: "2h30m" });
      expect(p.require).toEqual([
        {
          login_method: {
            id: expect.stringMatching(/^\$\{cloudflare_zero_trust_access_identity_provider\.[\w-]+\.id\}$/),
          },
        },
      ]);
    }
    expect(stack).toHaveResourceWithProperties(ZeroTrustAccessPolicy, { name: "AWS (Globex) ops (emails)" });
  });

  it("is IdC's SAML IdP: SP settings from the identity-center stack, lowercased email NameID", () => {
    expect(stack).toHaveResourceWithProperties(ZeroTrustAccessApplication, {
      type: "saas",
      name: "AWS (Globex)",
      session_duration: "2h30m",
      saas_app: expect.objectContaining({
        auth_type: "saml",
        name_id_format: "email",
        name_id_transform_jsonata: "$lowercase(email)",
      }),
    });
    const app = only("cloudflare_zero_trust_access_application");
    expect(app.saas_app.sp_entity_id).toMatch(new RegExp(`^\\$\\{${escape(IC)}[\\w-]+issuer_url[\\w-]*\\}$`));
    expect(app.saas_app.consumer_service_url).toMatch(
      new RegExp(`^\\$\\{${escape(IC)}[\\w-]+acs_url[\\w-]*\\}$`),
    );
    expect(app.saas_app.app_launcher_url).toMatch(
      new RegExp(`^https://\\$\\{element\\(${escape(IC)}[\\w-]+, 0\\)\\}\\.awsapps\\.com/start$`),
    );
    expect(app.app_launcher_visible).toBe(true);
  });

  it("lets only the Cognito login method reach AWS, with every policy attached here", () => {
    const app = only("cloudflare_zero_trust_access_application");
    const idpId = Object.keys(resources(stack, "cloudflare_zero_trust_access_identity_provider"))[0];
    expect(app.allowed_idps).toEqual([`\${cloudflare_zero_trust_access_identity_provider.${idpId}.id}`]);
    expect(app.auto_redirect_to_identity).toBe(true);
    const policies = resources(stack, "cloudflare_zero_trust_access_policy");
    const kindOf = (ref: string) => policies[/\.([\w-]+)\.id\}$/.exec(ref)![1]].name;
    expect(app.policies.map((p: TerraformJson) => [kindOf(p.id), p.precedence])).toEqual([
      ["AWS (Globex) ops (email-domains)", 1],
      ["AWS (Globex) ops (emails)", 2],
      ["AWS (Globex) ops (access-groups)", 3],
    ]);
  });

  it("sends ABAC attributes as AccessControl:<key>, and none when not configured", () => {
    expect(only("cloudflare_zero_trust_access_application").saas_app.custom_attributes).toEqual([
      {
        name: "https://aws.amazon.com/SAML/Attributes/AccessControl:CostCenter",
        name_format: "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
        source: { name: "custom:cost_center" },
      },
    ]);
    const plain = Object.values(
      resources(synthBridge(configWith()).cloudflareAccess, "cloudflare_zero_trust_access_application"),
    )[0] as TerraformJson;
    expect(plain.saas_app).not.toHaveProperty("custom_attributes");
  });

  it("outputs everything the one console step needs", () => {
    const outputs = json(stack).output;
    for (const name of [
      "identity_center_idp_sign_in_url",
      "identity_center_idp_issuer_url",
      "identity_center_idp_certificate",
      "identity_center_idp_metadata_url",
      "identity_center_idp_metadata_xml",
    ]) {
      expect(outputs[name].value).toContain("cloudflare_zero_trust_access_application.");
      expect(outputs[name].description).toBeTruthy();
    }
    expect(outputs.identity_center_idp_sign_in_url.value).toMatch(/\.saas_app\.sso_endpoint\}$/);
    expect(outputs.identity_center_idp_issuer_url.value).toMatch(/\.saas_app\.idp_entity_id\}$/);
  });

  it("never writes a secret into the stack", () => {
    expect(stack).not.toMatch(/"client_secret":\s*"[^$]/);
  });
});

describe("escapeLiteralString", () => {
  it("escapes template sequences and leaves everything else", () => {
    expect(escapeLiteralString("$lowercase(email)", "json")).toBe("$lowercase(email)");
    expect(escapeLiteralString("${x} and %{if y}", "json")).toBe("$${x} and %%{if y}");
  });
});

describeIfTerraform("literal strings through the Terraform CLI", () => {
  let outdir: string;

  it("reaches Terraform's output unchanged", () => {
    outdir = tempDir("bridge-literal-");
    const app = new App({ outdir });
    const s = new TerraformStack(app, "literal");
    const samples = [
      "$lowercase(email)",
      '$join([$.given_name, "${x}"], " ")',
      "%{ if true }x%{ endif }",
      "$${keep}",
    ];
    samples.forEach((value, i) => new TerraformOutput(s, `sample_${i}`, { value }));
    escapeLiteralStrings(app);
    app.synth();
    const outputs = applyOffline(path.join(outdir, "stacks", "literal"));
    expect(samples.map((_, i) => outputs[`sample_${i}`])).toEqual(samples);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
