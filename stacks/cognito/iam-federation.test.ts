import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { BridgeConfigInput } from "../../config";
import { roleTrustPolicy, type Substitution } from "../../__tests__/helpers/iam-simulator";
import { configWith, json, resources, synthBridge, type TerraformJson } from "../../__tests__/helpers/stacks";
import {
  ENV_VARS,
  IDC_USER_ID_ATTRIBUTE as IDC_USER_ID,
  LAST_SIGN_IN_ATTRIBUTE as IDC_LAST_SIGN_IN,
  LINK_SIGNATURE_ATTRIBUTE as IDC_LINK_SIG,
} from "../../lambda-src/pre-token-generation/contract";

/** The JIT (pre token generation) Lambda of a synthesized cognito stack. */
function jitFunction(cog: string): TerraformJson {
  const fns = Object.values(resources(cog, "aws_lambda_function")) as TerraformJson[];
  const jit = fns.filter((f) => String(f.function_name).endsWith("-pre-token-generation"));
  expect(jit).toHaveLength(1);
  return jit[0];
}

/** Not the example: two upstream providers with custom mappings, three roles, a non-default port. */
function federated(c: BridgeConfigInput): void {
  c.environment = "fed";
  c.cognito.region = "ap-southeast-2";
  c.cognito.upstreamProviders = [
    {
      type: "oidc",
      name: "Okta-OIDC",
      clientId: "0oa1example",
      issuerUrl: "https://initech.okta.com",
      attributeMapping: { email: "email", email_verified: "email_verified", "custom:groups": "groups" },
    },
    {
      type: "saml",
      name: "AzureAD",
      metadataUrl: "https://login.microsoftonline.com/x/federationmetadata.xml",
      // A mapping onto the bridge's own custom:idc_* attributes is refused by the config (config.test.ts).
      attributeMapping: { email: "mail", given_name: "givenname" },
      trustEmail: true,
    },
  ];
  c.cognito.customAttributes = [{ name: "groups" }];
  // Okta sends the groups the roles require: the Lambda reads them from custom:groups.
  c.cognito.provisioning = { ...c.cognito.provisioning, groupsAttribute: "custom:groups" };
  // Groups an upstream sends are declared like any other (the config refuses requiredGroups naming none).
  c.cognito.groups = [
    ...(c.cognito.groups ?? []),
    ...["readers", "auditors", "deployers"].map((name) => ({ name })),
  ];
  c.cognito.iamFederation = {
    callbackPort: 48123,
    roles: [
      {
        name: "initech-readonly",
        managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::333333333333:policy/extra"],
        maxSessionDuration: 14400,
        requiredGroups: ["readers", "auditors"],
      },
      {
        name: "initech.deployer@ci",
        description: "Deploys from laptops",
        inlinePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: ["cloudformation:CreateStack", "cloudformation:UpdateStack"],
              Resource: "*",
            },
          ],
        }),
        requiredGroups: ["deployers"],
      },
      { name: "anyone-billing", managedPolicies: ["arn:aws:iam::aws:policy/job-function/Billing"] },
    ],
  };
}

describe("cognito.iamFederation", () => {
  const bridge = synthBridge(configWith(federated));
  const cog = bridge.cognito;
  const doc = json(cog);
  const poolId = Object.keys(resources(cog, "aws_cognito_user_pool"))[0];
  const clients = resources(cog, "aws_cognito_user_pool_client");
  const clientId = Object.keys(clients).find((k) => clients[k].name === "iam-federation")!;
  const providerId = Object.keys(resources(cog, "aws_iam_openid_connect_provider"))[0];
  const clientRef = `\${aws_cognito_user_pool_client.${clientId}.id}`;
  // The trust policy as the aws provider renders it, each reference replaced by a marker for its address.
  const markers: Substitution[] = [
    [`aws_iam_openid_connect_provider.${providerId}.arn`, "<provider arn>"],
    [`aws_cognito_user_pool.${poolId}.endpoint`, "<pool endpoint>"],
    [`aws_cognito_user_pool_client.${clientId}.id`, "<federation client id>"],
  ];
  const trustOf = (name: string) => roleTrustPolicy(cog, name, markers);
  const roleByName = (name: string): [string, TerraformJson] =>
    Object.entries(resources(cog, "aws_iam_role")).find(([, r]) => (r as TerraformJson).name === name) as [
      string,
      TerraformJson,
    ];

  it("has a public client: no secret, code flow only, loopback callback on the configured port", () => {
    expect(cog).toHaveResourceWithProperties(CognitoUserPoolClient, {
      name: "iam-federation",
      user_pool_id: `\${aws_cognito_user_pool.${poolId}.id}`,
      generate_secret: false,
      allowed_oauth_flows_user_pool_client: true,
      allowed_oauth_flows: ["code"],
      allowed_oauth_scopes: ["openid", "email", "profile"],
      callback_urls: ["http://localhost:48123/callback"],
      explicit_auth_flows: ["ALLOW_REFRESH_TOKEN_AUTH"],
      prevent_user_existence_errors: "ENABLED",
      enable_token_revocation: true,
    });
    const client = clients[clientId] as TerraformJson;
    expect(client.supported_identity_providers).toHaveLength(3);
    expect(client.supported_identity_providers[0]).toBe("COGNITO");
    // The user pool domain's hosted UI takes no other callback, so a code cannot be sent anywhere else.
    expect(client).not.toHaveProperty("logout_urls");
  });

  it("lists read and write attributes explicitly: mapped ones writable, custom:idc_* readable, never writable", () => {
    const client = clients[clientId] as TerraformJson;
    // Exactly what the two providers map (Okta-OIDC: email, email_verified, custom:groups; AzureAD: email,
    // given_name): Cognito fails a federated sign-in through a client that cannot write a mapped attribute.
    expect(client.write_attributes).toEqual(["custom:groups", "email", "email_verified", "given_name"]);
    // Plus what the JIT Lambda reads from its trigger event, which holds what this client's tokens may carry:
    // without the link the Lambda would look the person up by email and relink them at every sign-in.
    expect(client.read_attributes).toEqual([
      "custom:groups",
      IDC_LAST_SIGN_IN,
      IDC_LINK_SIG,
      IDC_USER_ID,
      "email",
      "email_verified",
      "family_name",
      "given_name",
    ]);
    expect(client.write_attributes.filter((a: string) => a.startsWith("custom:idc_"))).toEqual([]);
  });

  it("has an IAM OIDC provider for the pool issuer, the client id as the only audience, no thumbprint", () => {
    expect(cog).toHaveResourceWithProperties(IamOpenidConnectProvider, {
      url: `https://\${aws_cognito_user_pool.${poolId}.endpoint}`,
      client_id_list: [clientRef],
    });
    expect(resources(cog, "aws_iam_openid_connect_provider")[providerId]).not.toHaveProperty(
      "thumbprint_list",
    );
  });

  it("creates each role with its name, session duration and description", () => {
    expect(cog).toHaveResourceWithProperties(IamRole, {
      name: "initech-readonly",
      max_session_duration: 14400,
    });
    expect(cog).toHaveResourceWithProperties(IamRole, {
      name: "initech.deployer@ci",
      max_session_duration: 3600,
      description: "Deploys from laptops",
    });
    expect(cog).toHaveResourceWithProperties(IamRole, { name: "anyone-billing", max_session_duration: 3600 });
  });

  it("attaches managed policies and the inline policy to their role only", () => {
    const [readonlyId] = roleByName("initech-readonly");
    const [deployerId] = roleByName("initech.deployer@ci");
    for (const arn of ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::333333333333:policy/extra"]) {
      expect(cog).toHaveResourceWithProperties(IamRolePolicyAttachment, {
        role: `\${aws_iam_role.${readonlyId}.name}`,
        policy_arn: arn,
      });
    }
    expect(Object.keys(resources(cog, "aws_iam_role_policy_attachment"))).toHaveLength(3);
    expect(cog).toHaveResourceWithProperties(IamRolePolicy, {
      name: "inline",
      role: `\${aws_iam_role.${deployerId}.id}`,
      policy:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudformation:CreateStack","cloudformation:UpdateStack"],"Resource":"*"}]}',
    });
  });

  it("trusts only this provider, always with <issuer host+path>:aud = the client id", () => {
    for (const name of ["initech-readonly", "initech.deployer@ci", "anyone-billing"]) {
      const trust = trustOf(name);
      expect(trust.Statement).toHaveLength(1);
      const [s] = trust.Statement as TerraformJson[];
      expect(s.Effect).toBe("Allow");
      expect(s.Principal).toEqual({ Federated: ["<provider arn>"] });
      expect(s.Action).toEqual(["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]);
      expect(s.Condition.StringEquals).toEqual({ "<pool endpoint>:aud": ["<federation client id>"] });
      expect(s.Condition["ForAllValues:StringEquals"]).toEqual({ "aws:TagKeys": ["groups", "email"] });
    }
  });

  it("requires any one of requiredGroups in the groups session tag, and nothing for roles without them", () => {
    const tagCondition = (name: string) => (trustOf(name).Statement[0] as TerraformJson).Condition;
    expect(tagCondition("initech-readonly").StringLike).toEqual({
      "aws:RequestTag/groups": ["*:readers:*", "*:auditors:*"],
    });
    expect(tagCondition("initech.deployer@ci").StringLike).toEqual({
      "aws:RequestTag/groups": ["*:deployers:*"],
    });
    expect(tagCondition("anyone-billing")).not.toHaveProperty("StringLike");
  });

  it("tells the JIT Lambda which client gets the session-tags claim", () => {
    const fn = jitFunction(cog);
    expect(fn.environment.variables[ENV_VARS.iamFederationClientId]).toBe(clientRef);
  });

  it("has the pool name the JIT function by its ARN, so that pool → client → function has no cycle", () => {
    const fn = jitFunction(cog);
    const pool = resources(cog, "aws_cognito_user_pool")[poolId] as TerraformJson;
    const partition = Object.keys(doc.data.aws_partition)[0];
    const account = Object.keys(doc.data.aws_caller_identity)[0];
    expect(pool.lambda_config.pre_token_generation_config).toEqual({
      lambda_arn: `arn:\${data.aws_partition.${partition}.partition}:lambda:ap-southeast-2:\${data.aws_caller_identity.${account}.account_id}:function:${fn.function_name}`,
      lambda_version: "V2_0",
    });
    expect(JSON.stringify(pool)).not.toContain("aws_lambda_function.");
  });

  it("outputs what aws-credentials needs, without secrets", () => {
    const domainId = Object.keys(resources(cog, "aws_cognito_user_pool_domain"))[0];
    expect(doc.output.iam_federation.sensitive).toBeUndefined();
    expect(doc.output.iam_federation.value).toEqual({
      region: "ap-southeast-2",
      domain_url: `https://\${aws_cognito_user_pool_domain.${domainId}.domain}.auth.ap-southeast-2.amazoncognito.com`,
      client_id: clientRef,
      callback_url: "http://localhost:48123/callback",
      provider_arn: `\${aws_iam_openid_connect_provider.${providerId}.arn}`,
      roles: {
        "initech-readonly": {
          arn: `\${aws_iam_role.${roleByName("initech-readonly")[0]}.arn}`,
          max_session_duration: 14400,
          required_groups: ["readers", "auditors"],
        },
        "initech.deployer@ci": {
          arn: `\${aws_iam_role.${roleByName("initech.deployer@ci")[0]}.arn}`,
          max_session_duration: 3600,
          required_groups: ["deployers"],
        },
        "anyone-billing": {
          arn: `\${aws_iam_role.${roleByName("anyone-billing")[0]}.arn}`,
          max_session_duration: 3600,
          required_groups: [],
        },
      },
    });
  });
});

describe("without cognito.iamFederation", () => {
  const cog = synthBridge(configWith()).cognito;

  it("has no federation client, provider, roles, Lambda variable or output", () => {
    expect(cog).not.toHaveResource(IamOpenidConnectProvider);
    const clients = Object.values(resources(cog, "aws_cognito_user_pool_client")) as TerraformJson[];
    expect(clients.map((c) => c.name)).toEqual(["cloudflare-access"]);
    expect(JSON.stringify(json(cog).data.aws_iam_policy_document)).not.toContain("AssumeRoleWithWebIdentity");
    const fn = jitFunction(cog);
    expect(fn.environment.variables).not.toHaveProperty(ENV_VARS.iamFederationClientId);
    expect(json(cog).output).not.toHaveProperty("iam_federation");
    // The pool keeps naming the function by reference (no federation client, so no cycle to break).
    const pool = Object.values(resources(cog, "aws_cognito_user_pool"))[0] as TerraformJson;
    expect(pool.lambda_config.pre_token_generation_config.lambda_arn).toMatch(
      /^\$\{aws_lambda_function\.[^.]+\.arn\}$/,
    );
  });
});
