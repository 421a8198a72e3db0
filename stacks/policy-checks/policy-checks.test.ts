/**
 * Each synth-time policy rule fails synth on a deliberately bad construct, naming the rule, the Terraform
 * address and the construct path; the documented exceptions pass; and the shipped stacks pass every rule.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SsoadminPermissionSetInlinePolicy } from "@cdktf/provider-aws/lib/ssoadmin-permission-set-inline-policy";
import { ZeroTrustAccessApplication } from "@cdktf/provider-cloudflare/lib/zero-trust-access-application";
import { CloudflareProvider } from "@cdktf/provider-cloudflare/lib/provider";
import { App, LocalBackend, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { bootstrapSettings } from "../../config/bootstrap";
import { synthBootstrap } from "../../cli/bootstrap";
import { configWith, synthBridge } from "../../__tests__/helpers/stacks";
import { tempDir } from "../../__tests__/helpers/temp-dirs";
import { applyPolicyChecks, findViolations } from ".";
import { cognitoTriggerLambda } from "./cognito-trigger-lambda";
import { looksSensitive } from "./sensitive-outputs";

const READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess";

/** Synthesizes one stack built by `build` with the policy checks on; returns synth's error message, or "". */
function synthWith(build: (stack: TerraformStack) => void): string {
  const app = new App({ outdir: tempDir("bridge-policy-"), stackTraces: false, skipValidation: true });
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  build(stack);
  applyPolicyChecks(app);
  try {
    app.synth();
    return "";
  } catch (e) {
    return (e as Error).message;
  }
}

const goodFunction = {
  functionName: "trigger",
  role: "arn:aws:iam::111111111111:role/trigger",
  runtime: "nodejs22.x",
  handler: "index.handler",
  filename: "bundle.zip",
  timeout: 5,
  tracingConfig: { mode: "Active" },
};

function poolWithTrigger(stack: TerraformStack, fn: LambdaFunction) {
  new CognitoUserPool(stack, "pool", {
    name: "pool",
    adminCreateUserConfig: { allowAdminCreateUserOnly: true },
    lambdaConfig: { preTokenGenerationConfig: { lambdaArn: fn.arn, lambdaVersion: "V2_0" } },
  });
}

describe("cognito-trigger-lambda", () => {
  it("fails a trigger Lambda with a timeout above Cognito's 5 s", () => {
    const error = synthWith((s) =>
      poolWithTrigger(s, new LambdaFunction(s, "fn", { ...goodFunction, timeout: 10 })),
    );
    expect(error).toContain(
      "[test/fn] policy check cognito-trigger-lambda: aws_lambda_function.fn timeout is 10 s, but aws_cognito_user_pool.pool invokes it as a trigger and Cognito waits at most 5 s: expected a timeout of at most 5",
    );
  });

  it("fails a trigger Lambda without active tracing, and one on the default timeout passes", () => {
    const error = synthWith((s) =>
      poolWithTrigger(
        s,
        new LambdaFunction(s, "fn", { ...goodFunction, timeout: undefined, tracingConfig: undefined }),
      ),
    );
    expect(error).toContain("policy check cognito-trigger-lambda: aws_lambda_function.fn tracing is off");
    expect(error).not.toContain("timeout is");
  });

  it("recognises the trigger when the pool names it by a built ARN, with or without a qualifier", () => {
    for (const suffix of ["", ":live"]) {
      const error = synthWith((s) => {
        const fn = new LambdaFunction(s, "fn", { ...goodFunction, timeout: 10 });
        new CognitoUserPool(s, "pool", {
          name: "pool",
          adminCreateUserConfig: { allowAdminCreateUserOnly: true },
          lambdaConfig: {
            preTokenGenerationConfig: {
              lambdaArn: `arn:aws:lambda:eu-west-1:111111111111:function:${fn.functionName}${suffix}`,
              lambdaVersion: "V2_0",
            },
          },
        });
      });
      expect(error).toContain("policy check cognito-trigger-lambda: aws_lambda_function.fn timeout is 10 s");
    }
  });

  it("recognises the trigger through Cognito's invoke permission when lambda_config names it otherwise", () => {
    const error = synthWith((s) => {
      const fn = new LambdaFunction(s, "fn", { ...goodFunction, tracingConfig: undefined });
      const pool = new CognitoUserPool(s, "pool", {
        name: "pool",
        adminCreateUserConfig: { allowAdminCreateUserOnly: true },
        lambdaConfig: {
          preTokenGenerationConfig: { lambdaArn: "${local.trigger_arn}", lambdaVersion: "V2_0" },
        },
      });
      new LambdaPermission(s, "invoke", {
        action: "lambda:InvokeFunction",
        functionName: fn.functionName,
        principal: "cognito-idp.amazonaws.com",
        sourceArn: pool.arn,
      });
    });
    expect(error).toContain("policy check cognito-trigger-lambda: aws_lambda_function.fn tracing is off");
  });

  it("sees the JIT Lambda of the shipped cognito stack with and without IAM federation", () => {
    for (const federation of [false, true]) {
      const bridge = synthBridge(
        configWith((c) => {
          if (federation)
            c.cognito.iamFederation = { roles: [{ name: "readers", managedPolicies: [READ_ONLY] }] };
        }),
      );
      const stack = JSON.parse(bridge.cognito);
      const [[id, fn]] = Object.entries(
        stack.resource.aws_lambda_function as Record<string, { function_name: string; timeout?: number }>,
      ).filter(([, f]) => f.function_name.endsWith("-pre-token-generation"));
      fn.timeout = 10;
      expect(findViolations(stack, [cognitoTriggerLambda]).map((v) => v.address)).toEqual([
        `aws_lambda_function.${id}`,
      ]);
    }
  });

  it("ignores Lambdas no user pool calls", () => {
    expect(
      synthWith(
        (s) => new LambdaFunction(s, "fn", { ...goodFunction, timeout: 60, tracingConfig: undefined }),
      ),
    ).toBe("");
  });
});

describe("log-group-retention", () => {
  it("fails a log group that keeps events forever, including through an override", () => {
    expect(synthWith((s) => new CloudwatchLogGroup(s, "logs", { name: "/x" }))).toContain(
      "[test/logs] policy check log-group-retention: aws_cloudwatch_log_group.logs keeps log events forever (retention_in_days unset)",
    );
    expect(
      synthWith((s) =>
        new CloudwatchLogGroup(s, "logs", { name: "/x", retentionInDays: 30 }).addOverride(
          "retention_in_days",
          0,
        ),
      ),
    ).toContain("keeps log events forever (retention_in_days 0)");
    expect(synthWith((s) => new CloudwatchLogGroup(s, "logs", { name: "/x", retentionInDays: 30 }))).toBe("");
  });
});

describe("iam-wildcards", () => {
  const doc = (s: TerraformStack, statement: object[]) =>
    new DataAwsIamPolicyDocument(s, "doc", { statement });

  it("fails wildcard actions and Allow with NotAction", () => {
    expect(synthWith((s) => doc(s, [{ actions: ["s3:*"], resources: ["arn:aws:s3:::b/*"] }]))).toContain(
      '[test/doc] policy check iam-wildcards: data.aws_iam_policy_document.doc statement[0] allows every action of s3 ("s3:*"): expected the actions it needs',
    );
    expect(
      synthWith((s) => doc(s, [{ sid: "All", actions: ["*"], resources: ["arn:aws:s3:::b"] }])),
    ).toContain('statement "All" allows every action of every service ("*")');
    expect(synthWith((s) => doc(s, [{ notActions: ["iam:*"], resources: ["arn:aws:s3:::b"] }]))).toContain(
      "allows every action except iam:* (Allow with NotAction)",
    );
  });

  it.each([
    "identitystore:CreateUser",
    "iam:PassRole",
    "sts:AssumeRole",
    "kms:Decrypt",
    "secretsmanager:GetSecretValue",
  ])("fails %s on Resource *", (action) => {
    expect(synthWith((s) => doc(s, [{ actions: [action], resources: ["*"] }]))).toMatch(
      new RegExp(
        `statement\\[0\\] allows ${action.split(":")[0]} actions on every resource \\(Resource "\\*"\\)`,
      ),
    );
  });

  it("reads policies written as JSON strings too", () => {
    expect(
      synthWith(
        (s) =>
          new IamPolicy(s, "policy", {
            name: "p",
            policy: JSON.stringify({
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: "iam:*", Resource: "*" }],
            }),
          }),
      ),
    ).toContain(
      "[test/policy] policy check iam-wildcards: aws_iam_policy.policy statement[0] allows every action of iam",
    );
  });

  it("passes the documented exceptions: Deny, X-Ray on *, key policies, people's permission sets", () => {
    expect(
      synthWith((s) => {
        doc(s, [
          { effect: "Deny", actions: ["s3:*"], resources: ["*"] },
          { actions: ["xray:PutTraceSegments"], resources: ["*"] },
          { actions: ["iam:GetRole"], resources: ["arn:aws:iam::111111111111:role/x"] },
        ]);
        const keyPolicy = new DataAwsIamPolicyDocument(s, "key-policy", {
          statement: [
            {
              actions: ["kms:*"],
              resources: ["*"],
              principals: [{ type: "AWS", identifiers: ["arn:aws:iam::111111111111:root"] }],
            },
            {
              actions: ["kms:Decrypt"],
              resources: ["*"],
              principals: [{ type: "Service", identifiers: ["logs.amazonaws.com"] }],
            },
          ],
        });
        new KmsKey(s, "key", { policy: keyPolicy.json });
        const people = new DataAwsIamPolicyDocument(s, "people", {
          statement: [{ actions: ["ec2:*"], resources: ["*"] }],
        });
        new SsoadminPermissionSetInlinePolicy(s, "inline", {
          instanceArn: "arn:aws:sso:::instance/ssoins-1",
          permissionSetArn: "arn:aws:sso:::permissionSet/ssoins-1/ps-1",
          inlinePolicy: people.json,
        });
      }),
    ).toBe("");
  });

  it("passes the policies of roles people assume with the pool's tokens (cognito.iamFederation), like permission sets", () => {
    // A federation role's inline policy is what people may do, chosen in the config. Many read-only actions
    // exist only on Resource "*" (Service Authorization Reference: kms:ListKeys, iam:ListRoles have no
    // resource types), so the bridge's rule for its own roles would refuse a correct config.
    const inline = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["kms:ListKeys", "iam:ListRoles", "s3:*"], Resource: "*" }],
    });
    const federated = (s: TerraformStack, url: string) => {
      const provider = new IamOpenidConnectProvider(s, "provider", { url, clientIdList: ["client"] });
      const trust = new DataAwsIamPolicyDocument(s, "trust", {
        statement: [
          {
            actions: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
            principals: [{ type: "Federated", identifiers: [provider.arn] }],
          },
        ],
      });
      const role = new IamRole(s, "role", { name: "readers", assumeRolePolicy: trust.json });
      new IamRolePolicy(s, "inline", { name: "inline", role: role.id, policy: inline });
    };
    expect(
      synthWith((s) => {
        const pool = new CognitoUserPool(s, "pool", {
          name: "pool",
          adminCreateUserConfig: { allowAdminCreateUserOnly: true },
        });
        federated(s, `https://${pool.endpoint}`);
      }),
    ).toBe("");
    // The same policy on a role another OIDC provider's tokens assume (e.g. CI) is the app's own: checked.
    expect(synthWith((s) => federated(s, "https://token.actions.githubusercontent.com"))).toContain(
      'aws_iam_role_policy.inline statement[0] allows every action of s3 ("s3:*")',
    );
  });

  it("allows kms:* in a key policy to the account root only", () => {
    const error = synthWith((s) => {
      const keyPolicy = new DataAwsIamPolicyDocument(s, "key-policy", {
        statement: [
          {
            actions: ["kms:*"],
            resources: ["*"],
            principals: [{ type: "AWS", identifiers: ["arn:aws:iam::111111111111:role/app"] }],
          },
        ],
      });
      new KmsKey(s, "key", { policy: keyPolicy.json });
    });
    expect(error).toContain(
      'data.aws_iam_policy_document.key-policy statement[0] allows every action of kms ("kms:*")',
    );
  });

  it("checks trust policies written inline", () => {
    const trust = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:*" }],
    };
    expect(
      synthWith((s) => new IamRole(s, "role", { name: "r", assumeRolePolicy: JSON.stringify(trust) })),
    ).toContain('aws_iam_role.role statement[0] allows every action of sts ("sts:*")');
  });
});

describe("backend-state", () => {
  it("fails an S3 backend without encryption or without locking", () => {
    const error = synthWith((s) => new S3Backend(s, { bucket: "b", key: "k", region: "eu-west-1" }));
    expect(error).toContain(
      "[test] policy check backend-state: terraform.backend.s3 stores the state unencrypted: expected encrypt = true",
    );
    expect(error).toContain("terraform.backend.s3 does not lock the state: expected use_lockfile = true");
    expect(
      synthWith(
        (s) =>
          new S3Backend(s, {
            bucket: "b",
            key: "k",
            region: "eu-west-1",
            encrypt: true,
            dynamodbTable: "locks",
          }),
      ),
    ).toBe("");
    expect(synthWith((s) => new LocalBackend(s, { path: "x.tfstate" }))).toBe("");
  });
});

describe("cloudflare-saas-app", () => {
  function app(s: TerraformStack, overrides: Record<string, unknown>) {
    new CloudflareProvider(s, "cloudflare");
    new ZeroTrustAccessApplication(s, "app", {
      accountId: "0123456789abcdef0123456789abcdef",
      type: "saas",
      name: "IdC",
      allowedIdps: ["idp-1"],
      autoRedirectToIdentity: true,
      policies: [{ id: "policy-1", precedence: 1 }],
      saasApp: { authType: "saml" },
      ...overrides,
    });
  }

  it("fails more than one allowed login method, none, no auto-redirect and no policies", () => {
    expect(synthWith((s) => app(s, {}))).toBe("");
    expect(synthWith((s) => app(s, { allowedIdps: ["idp-1", "otp"] }))).toContain(
      "[test/app] policy check cloudflare-saas-app: cloudflare_zero_trust_access_application.app allows 2 login methods: expected allowed_idps with exactly one",
    );
    expect(synthWith((s) => app(s, { allowedIdps: undefined }))).toContain(
      "allows every login method (allowed_idps unset)",
    );
    expect(synthWith((s) => app(s, { autoRedirectToIdentity: false }))).toContain(
      "shows a login method picker: expected auto_redirect_to_identity = true",
    );
    expect(synthWith((s) => app(s, { policies: [] }))).toContain("has no Access policies");
  });
});

describe("cognito-self-sign-up", () => {
  it("fails a user pool that lets people sign themselves up", () => {
    expect(synthWith((s) => new CognitoUserPool(s, "pool", { name: "p" }))).toContain(
      "[test/pool] policy check cognito-self-sign-up: aws_cognito_user_pool.pool lets anyone sign themselves up",
    );
    expect(
      synthWith(
        (s) =>
          new CognitoUserPool(s, "pool", {
            name: "p",
            adminCreateUserConfig: { allowAdminCreateUserOnly: false },
          }),
      ),
    ).toContain("cognito-self-sign-up");
  });
});

describe("sensitive-output", () => {
  it("fails an output that names a secret and is not sensitive", () => {
    expect(synthWith((s) => new TerraformOutput(s, "db_password", { value: "x" }))).toContain(
      "[test/db_password] policy check sensitive-output: output.db_password names a secret but would be shown in plain text: expected sensitive = true",
    );
    expect(synthWith((s) => new TerraformOutput(s, "db_password", { value: "x", sensitive: true }))).toBe("");
  });

  it("tells secrets from references to them", () => {
    for (const name of [
      "client_secret",
      "private_key_pem",
      "secret_string",
      "github-token",
      "api_key",
      "Credentials",
    ]) {
      expect({ name, sensitive: looksSensitive(name) }).toEqual({ name, sensitive: true });
    }
    for (const name of [
      "client_secret_arn",
      "token_url",
      "pre_token_generation_function",
      "secret_name",
      "identity_center_idp_certificate",
    ]) {
      expect({ name, sensitive: looksSensitive(name) }).toEqual({ name, sensitive: false });
    }
  });
});

it("reports every violation of a stack at once", () => {
  const error = synthWith((s) => {
    new CloudwatchLogGroup(s, "logs", { name: "/x" });
    new CognitoUserPool(s, "pool", { name: "p" });
  });
  expect(error).toContain("log-group-retention");
  expect(error).toContain("cognito-self-sign-up");
});

describe("the shipped stacks pass every rule", () => {
  it("the example config (synth would throw otherwise)", () => {
    const bridge = synthBridge(configWith());
    for (const stack of [bridge.identityCenter, bridge.cognito, bridge.cloudflareAccess]) {
      expect(findViolations(JSON.parse(stack))).toEqual([]);
    }
  });

  it("a rich config: upstream OIDC and SAML providers, MFA on, KMS state, no alarm email, ABAC", () => {
    const bridge = synthBridge(
      configWith((c) => {
        c.environment = "stage";
        c.backend = {
          type: "s3",
          bucket: "acme-stage-state",
          region: "us-east-1",
          keyPrefix: "bridge/state",
          kmsKeyId: "arn:aws:kms:us-east-1:111111111111:alias/stage-tfstate",
        };
        c.cognito.mfa = "ON";
        delete c.cognito.alarmEmail;
        c.cognito.upstreamProviders = [
          {
            type: "oidc",
            name: "Google",
            clientId: "id.apps.googleusercontent.com",
            issuerUrl: "https://accounts.google.com",
          },
          {
            type: "saml",
            name: "Okta",
            metadataUrl: "https://acme.okta.com/app/abc/sso/saml/metadata",
            trustEmail: true,
          },
        ];
        c.identityCenter.accessControlAttributes = { CostCenter: "${path:enterprise.costCenter}" };
        // The config refuses an enterprise path the JIT Lambda never fills.
        c.cognito.customAttributes = [{ name: "cost_center" }];
        c.cognito.provisioning = {
          ...c.cognito.provisioning,
          enterpriseAttributes: { costCenter: "custom:cost_center" },
        };
      }),
    );
    for (const stack of [bridge.identityCenter, bridge.cognito, bridge.cloudflareAccess]) {
      expect(findViolations(JSON.parse(stack))).toEqual([]);
    }
  });

  it("a config whose IAM federation role reads what exists only on Resource *", () => {
    const bridge = synthBridge(
      configWith((c) => {
        c.cognito.iamFederation = {
          roles: [
            {
              name: "key-auditors",
              inlinePolicy: {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: ["kms:ListKeys", "kms:ListAliases"], Resource: "*" }],
              },
            },
          ],
        };
      }),
    );
    expect(findViolations(JSON.parse(bridge.cognito))).toEqual([]);
  });

  it("the bootstrap stack with either encryption", () => {
    for (const kmsKeyId of [undefined, "arn:aws:kms:eu-west-1:111111111111:alias/prod-tfstate"]) {
      const settings = bootstrapSettings(
        configWith((c) => {
          c.bootstrap = { github: { repository: "acme/idc-bridge" } };
          if (kmsKeyId) (c.backend as { kmsKeyId?: string }).kmsKeyId = kmsKeyId;
        }),
      );
      if (Array.isArray(settings)) throw new Error(JSON.stringify(settings));
      const root = tempDir("bridge-policy-bootstrap-");
      expect(() => synthBootstrap(settings, `${root}/out`, root)).not.toThrow();
    }
  });
});
