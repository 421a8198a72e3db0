import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SsoadminApplication } from "@cdktf/provider-aws/lib/ssoadmin-application";
import { SsoadminApplicationAccessScope } from "@cdktf/provider-aws/lib/ssoadmin-application-access-scope";
import { SsoadminApplicationAssignmentConfiguration } from "@cdktf/provider-aws/lib/ssoadmin-application-assignment-configuration";
import { SsoadminTrustedTokenIssuer } from "@cdktf/provider-aws/lib/ssoadmin-trusted-token-issuer";
import type { BridgeConfigInput } from "../../config";
import { configWith, json, synthBridge, type TerraformJson } from "../../__tests__/helpers/stacks";
import { resolveExpressions, simulate, type IamPolicy } from "../../__tests__/helpers/iam-simulator";
import { applyOffline, describeIfTerraform } from "../../__tests__/helpers/terraform-cli";
import { tempDir } from "../../__tests__/helpers/temp-dirs";
import {
  IDC_USER_ID_ATTRIBUTE,
  LAST_SIGN_IN_ATTRIBUTE as IDC_LAST_SIGN_IN_ATTRIBUTE,
  LINK_SIGNATURE_ATTRIBUTE,
} from "../../lambda-src/pre-token-generation/contract";

/** A config the example does not cover: other regions, an upstream IdP, two scopes, two accounts. */
function propagating(c: BridgeConfigInput): void {
  c.environment = "tip";
  c.identityCenter.region = "us-east-1";
  c.identityCenter.issuerUrl = "https://us-east-1.signin.aws.amazon.com/platform/saml/d-9067c20053";
  c.identityCenter.acsUrl =
    "https://us-east-1.signin.aws.amazon.com/platform/saml/acs/11111111-2222-3333-4444-555555555555";
  c.cognito.region = "eu-central-1";
  c.cognito.upstreamProviders = [
    {
      type: "oidc",
      name: "Google",
      clientId: "42.apps.googleusercontent.com",
      issuerUrl: "https://accounts.google.com",
    },
  ];
  c.identityCenter.trustedTokenIssuer = {
    name: "bridge-pool",
    applicationName: "data-portal",
    scopes: ["s3:access_grants:read_write", "lakeformation:query"],
    tokenExchangeAccounts: ["444444444444", "555555555555"],
    callbackUrls: ["https://data.initech.example/oauth/callback", "http://localhost:3000/callback"],
  };
}

function stackJson(outdir: string, stack: string): string {
  return readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8");
}

/** The single resource of a type, with its logical id. */
function only(doc: TerraformJson, type: string): [string, TerraformJson] {
  const all = Object.entries((doc.resource?.[type] ?? {}) as TerraformJson);
  expect(all).toHaveLength(1);
  return all[0] as [string, TerraformJson];
}

describe("identity-propagation stack", () => {
  const bridge = synthBridge(configWith(propagating));
  const synthesized = stackJson(bridge.outdir, "tip-identity-propagation");
  const doc = json(synthesized);
  const cognito = json(bridge.cognito);
  const [clientId] = only(doc, "aws_cognito_user_pool_client");
  const [issuerId] = only(doc, "aws_ssoadmin_trusted_token_issuer");
  const [appId] = only(doc, "aws_ssoadmin_application");
  const fromCognito = (value: RegExp) => {
    const name = Object.keys(cognito.output).find(
      (k) => k.startsWith("cross-stack-output-") && value.test(cognito.output[k].value),
    );
    expect(name).toBeDefined();
    return `data.terraform_remote_state.cross-stack-reference-input-tip-cognito.outputs.${name}`;
  };

  it("exists only when configured, as <env>-identity-propagation", () => {
    expect(bridge.stacks.identityPropagation?.node.id).toBe("tip-identity-propagation");
    expect(synthBridge(configWith()).stacks.identityPropagation).toBeUndefined();
  });

  it("uses the IdC region by default and the pool's region for the app client and its secret", () => {
    expect(doc.provider.aws).toEqual([
      expect.objectContaining({ region: "us-east-1" }),
      expect.objectContaining({ alias: "cognito", region: "eu-central-1" }),
    ]);
    expect(only(doc, "aws_cognito_user_pool_client")[1].provider).toBe("aws.cognito");
    expect(only(doc, "aws_secretsmanager_secret")[1].provider).toBe("aws.cognito");
    for (const type of ["aws_ssoadmin_trusted_token_issuer", "aws_ssoadmin_application"]) {
      expect(only(doc, type)[1]).not.toHaveProperty("provider");
    }
  });

  it("reaches each account as the stack owning it does: IdC's for the issuer and application, the pool's for the client", () => {
    const crossAccount = synthBridge(
      configWith((c) => {
        propagating(c);
        c.identityCenter.accountId = "111111111111";
        c.identityCenter.assumeRoleArn = "arn:aws:iam::111111111111:role/bridge-deploy";
        c.cognito.accountId = "222222222222";
        c.cognito.assumeRoleArn = "arn:aws:iam::222222222222:role/bridge-deploy";
      }),
    );
    const providers = json(stackJson(crossAccount.outdir, "tip-identity-propagation")).provider.aws;
    expect(providers).toEqual([
      expect.objectContaining({
        region: "us-east-1",
        allowed_account_ids: ["111111111111"],
        assume_role: [
          {
            role_arn: "arn:aws:iam::111111111111:role/bridge-deploy",
            session_name: "tip-identity-propagation",
          },
        ],
      }),
      expect.objectContaining({
        alias: "cognito",
        region: "eu-central-1",
        allowed_account_ids: ["222222222222"],
        assume_role: [
          {
            role_arn: "arn:aws:iam::222222222222:role/bridge-deploy",
            session_name: "tip-identity-propagation",
          },
        ],
      }),
    ]);
    // In one account (the default) the providers carry no account settings at all.
    expect(doc.provider.aws[0]).not.toHaveProperty("assume_role");
  });

  it("adds a confidential code-flow client to the pool with the configured callback URLs", () => {
    expect(synthesized).toHaveResourceWithProperties(CognitoUserPoolClient, {
      name: "identity-propagation",
      user_pool_id: `\${${fromCognito(/^\$\{aws_cognito_user_pool\.[^.]+\.id\}$/)}}`,
      generate_secret: true,
      allowed_oauth_flows_user_pool_client: true,
      allowed_oauth_flows: ["code"],
      allowed_oauth_scopes: ["openid", "email", "profile"],
      callback_urls: ["https://data.initech.example/oauth/callback", "http://localhost:3000/callback"],
      explicit_auth_flows: ["ALLOW_REFRESH_TOKEN_AUTH"],
      // Google's default mapping, writable (Cognito updates it at every federated sign-in through this client),
      // and readable with the bridge's link and last sign-in, which the JIT Lambda reads from its trigger event.
      read_attributes: [
        IDC_LAST_SIGN_IN_ATTRIBUTE,
        LINK_SIGNATURE_ATTRIBUTE,
        IDC_USER_ID_ATTRIBUTE,
        "email",
        "email_verified",
        "family_name",
        "given_name",
      ],
      write_attributes: ["email", "email_verified", "family_name", "given_name"],
    });
    const client = only(doc, "aws_cognito_user_pool_client")[1];
    expect(client.supported_identity_providers).toEqual([
      "COGNITO",
      `\${${fromCognito(/^\$\{aws_cognito_identity_provider\.[^.]+\.provider_name\}$/)}}`,
    ]);
  });

  it("keeps the client secret in Secrets Manager, never in an output", () => {
    expect(synthesized).toHaveResourceWithProperties(SecretsmanagerSecret, {
      name: "tip-idc-oidc-bridge/identity-propagation-client",
    });
    const [, version] = only(doc, "aws_secretsmanager_secret_version");
    expect(version.secret_string).toContain(`aws_cognito_user_pool_client.${clientId}.client_secret`);
    expect(JSON.stringify(doc.output)).not.toContain("client_secret}");
    expect(JSON.stringify(doc.output)).not.toContain(".client_secret");
  });

  it("registers the pool as an OIDC_JWT trusted token issuer matching idc_user_name to userName", () => {
    expect(synthesized).toHaveResourceWithProperties(SsoadminTrustedTokenIssuer, {
      name: "bridge-pool",
      trusted_token_issuer_type: "OIDC_JWT",
      trusted_token_issuer_configuration: [
        {
          oidc_jwt_configuration: [
            {
              issuer_url: `https://\${${fromCognito(/^\$\{aws_cognito_user_pool\.[^.]+\.endpoint\}$/)}}`,
              claim_attribute_path: "idc_user_name",
              identity_store_attribute_path: "userName",
              jwks_retrieval_option: "OPEN_ID_DISCOVERY",
            },
          ],
        },
      ],
    });
    expect(only(doc, "aws_ssoadmin_trusted_token_issuer")[1].instance_arn).toContain(
      "cross-stack-reference-input-tip-identity-center",
    );
  });

  it("creates a custom OAuth application in the instance, assignment not required, with the scopes", () => {
    const partition = Object.keys(doc.data.aws_partition)[0];
    expect(synthesized).toHaveResourceWithProperties(SsoadminApplication, {
      name: "data-portal",
      application_provider_arn: `arn:\${data.aws_partition.${partition}.partition}:sso::aws:applicationProvider/custom`,
    });
    expect(only(doc, "aws_ssoadmin_application")[1].instance_arn).toBe(
      only(doc, "aws_ssoadmin_trusted_token_issuer")[1].instance_arn,
    );
    const appArn = `\${aws_ssoadmin_application.${appId}.arn}`;
    expect(synthesized).toHaveResourceWithProperties(SsoadminApplicationAssignmentConfiguration, {
      application_arn: appArn,
      assignment_required: false,
    });
    for (const scope of ["s3:access_grants:read_write", "lakeformation:query"]) {
      expect(synthesized).toHaveResourceWithProperties(SsoadminApplicationAccessScope, {
        application_arn: appArn,
        scope,
      });
    }
    expect(Object.keys(doc.resource.aws_ssoadmin_application_access_scope)).toHaveLength(2);
  });

  it("outputs the grant and authentication method that identity-propagation:configure applies", () => {
    expect(doc.output.application_grant.value).toEqual({
      JwtBearer: {
        AuthorizedTokenIssuers: [
          {
            TrustedTokenIssuerArn: `\${aws_ssoadmin_trusted_token_issuer.${issuerId}.arn}`,
            AuthorizedAudiences: [`\${aws_cognito_user_pool_client.${clientId}.id}`],
          },
        ],
      },
    });
    expect(doc.output.application_authentication_method.value).toEqual({
      Iam: {
        ActorPolicy: {
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "TokenExchangeAccounts",
              Effect: "Allow",
              Principal: { AWS: ["444444444444", "555555555555"] },
              Action: "sso-oauth:CreateTokenWithIAM",
              Resource: "*",
            },
          ],
        },
      },
    });
    expect(doc.output.region.value).toBe("us-east-1");
    expect(doc.output.application_arn.value).toBe(`\${aws_ssoadmin_application.${appId}.arn}`);
    expect(doc.output.client_id.value).toBe(`\${aws_cognito_user_pool_client.${clientId}.id}`);
    for (const output of Object.values(doc.output) as TerraformJson[])
      expect(output.sensitive).toBeUndefined();
  });
});

describe("the application's actor policy, by the IAM simulator", () => {
  const bridge = synthBridge(configWith(propagating));
  const doc = json(stackJson(bridge.outdir, "tip-identity-propagation"));
  // The output holds no Terraform expression; an unreplaced one would make this throw.
  const actorPolicy = JSON.parse(
    resolveExpressions(JSON.stringify(doc.output.application_authentication_method.value), []),
  ).Iam.ActorPolicy as IamPolicy;
  const application = "arn:aws:sso::999999999999:application/ssoins-1234567890abcdef/apl-1234567890abcdef";
  const caller = (account: string) => `arn:aws:iam::${account}:role/data-portal-backend`;
  const callerPolicy = {
    name: "exchange",
    policy: {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "sso-oauth:CreateTokenWithIAM", Resource: application }],
    },
  };
  const exchange = (account: string) =>
    simulate({
      identityPolicies: [callerPolicy],
      action: "sso-oauth:CreateTokenWithIAM",
      resource: application,
      principal: caller(account),
      resourcePolicy: actorPolicy,
      context: { "aws:PrincipalAccount": account },
    });

  it("lets principals of the token-exchange accounts call CreateTokenWithIAM on the application", async () => {
    for (const account of ["444444444444", "555555555555"]) {
      const decision = await exchange(account);
      expect({ account, allowed: decision.allowed, reason: decision.reason }).toMatchObject({
        account,
        allowed: true,
      });
      expect(decision.resourceType).toBe("Application");
    }
  });

  it("refuses principals of any other account, even with an identity policy that allows it", async () => {
    for (const account of ["666666666666", "123456789012"]) {
      expect((await exchange(account)).allowed).toBe(false);
    }
  });
});

describeIfTerraform("identity-propagation commands through the Terraform CLI and a shell", () => {
  const bridge = synthBridge(configWith(propagating));
  const doc = json(stackJson(bridge.outdir, "tip-identity-propagation"));
  const values: Record<string, string> = {
    aws_ssoadmin_application:
      "arn:aws:sso::999999999999:application/ssoins-1234567890abcdef/apl-1234567890abcdef",
    aws_ssoadmin_trusted_token_issuer:
      "arn:aws:sso::999999999999:trustedTokenIssuer/ssoins-1234567890abcdef/tti-43b4a822-1234-1234-1234-a1b2c3d41234",
    aws_cognito_user_pool_client: "5example0client0id0abcdefg",
  };
  let outputs: Record<string, unknown>;

  beforeAll(() => {
    // Resource attributes stand in as string literals; everything else is Terraform's own evaluation.
    const text = JSON.stringify({
      output: Object.fromEntries(
        ["put_application_grant_command", "put_application_authentication_method_command"].map((name) => [
          name,
          { value: doc.output[name].value },
        ]),
      ),
    }).replace(/\b(aws_[a-z_]+)\.[\w-]+\.(?:arn|id)\b/g, (_m, type: string) => `\\"${values[type]}\\"`);
    const dir = tempDir("tip-commands-");
    writeFileSync(path.join(dir, "main.tf.json"), text);
    outputs = applyOffline(dir);
  });

  /** The arguments `aws` would receive when an operator pastes the command into bash. */
  function argv(command: string): string[] {
    const result = spawnSync(
      "bash",
      ["-c", `aws() { node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- "$@"; }; ${command}`],
      { encoding: "utf8" },
    );
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout);
  }

  it("put-application-grant carries the JWT-bearer grant for this issuer and audience", () => {
    const args = argv(outputs.put_application_grant_command as string);
    expect(args.slice(0, 2)).toEqual(["sso-admin", "put-application-grant"]);
    const option = (name: string) => args[args.indexOf(name) + 1];
    expect(option("--region")).toBe("us-east-1");
    expect(option("--application-arn")).toBe(values.aws_ssoadmin_application);
    expect(option("--grant-type")).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");
    expect(JSON.parse(option("--grant"))).toEqual({
      JwtBearer: {
        AuthorizedTokenIssuers: [
          {
            TrustedTokenIssuerArn: values.aws_ssoadmin_trusted_token_issuer,
            AuthorizedAudiences: [values.aws_cognito_user_pool_client],
          },
        ],
      },
    });
  });

  it("put-application-authentication-method lets the token-exchange accounts call CreateTokenWithIAM", () => {
    const args = argv(outputs.put_application_authentication_method_command as string);
    expect(args.slice(0, 2)).toEqual(["sso-admin", "put-application-authentication-method"]);
    const option = (name: string) => args[args.indexOf(name) + 1];
    expect(option("--region")).toBe("us-east-1");
    expect(option("--application-arn")).toBe(values.aws_ssoadmin_application);
    expect(option("--authentication-method-type")).toBe("IAM");
    const method = JSON.parse(option("--authentication-method"));
    expect(method.Iam.ActorPolicy.Statement).toEqual([
      {
        Sid: "TokenExchangeAccounts",
        Effect: "Allow",
        Principal: { AWS: ["444444444444", "555555555555"] },
        Action: "sso-oauth:CreateTokenWithIAM",
        Resource: "*",
      },
    ]);
  });
});
