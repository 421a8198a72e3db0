import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy as IamPolicyResource } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Testing } from "cdktf";
import {
  policyDocument,
  requiredResourceTypes,
  resolveExpressions,
  roleTrustPolicy,
  rolePolicies,
  simulate,
  simulateAction,
  simulateAssumeRole,
  type IamPolicy,
  type Substitution,
} from "./iam-simulator";

const ACCOUNT = "111111111111";
const OTHER = "222222222222";
const STORE = `arn:aws:identitystore::${ACCOUNT}:identitystore/d-1234567890`;
const VALUES: Substitution[] = [
  ["data.aws_partition.p.partition", "aws"],
  [/identity_store_ids/, "d-1234567890"],
  [/caller.*account_id$/, ACCOUNT],
];

const policy = (...Statement: Record<string, unknown>[]): IamPolicy => ({ Version: "2012-10-17", Statement });

describe("resolveExpressions", () => {
  it("replaces every interpolation, including function calls with quoted braces", () => {
    expect(
      resolveExpressions(
        'arn:${data.aws_partition.p.partition}:identitystore::${data.aws_caller_identity.caller.account_id}:identitystore/${element(data.x.identity_store_ids, "}")}',
        VALUES,
      ),
    ).toBe(STORE);
  });

  it("fails loudly, naming every expression no rule replaces", () => {
    expect(() =>
      resolveExpressions("${aws_cognito_user_pool.pool.arn}/${data.aws_region.r.region}", VALUES),
    ).toThrow(/\$\{aws_cognito_user_pool\.pool\.arn\}\n\s+\$\{data\.aws_region\.r\.region\}/);
    expect(() => resolveExpressions("%{ if true }x%{ endif }", VALUES)).toThrow(
      /directives are not supported/,
    );
  });

  it("keeps Terraform's escapes literal", () => {
    expect(resolveExpressions("$${aws:username} %%{x}", [])).toBe("${aws:username} %{x}");
  });
});

describe("synthesized policies", () => {
  const stack = Testing.synthScope((scope) => {
    const trust = new DataAwsIamPolicyDocument(scope, "trust", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "AWS", identifiers: [`arn:aws:iam::${OTHER}:root`] }],
          condition: [
            {
              test: "ArnEquals",
              variable: "aws:PrincipalArn",
              values: [`arn:aws:iam::${OTHER}:role/caller`],
            },
          ],
        },
      ],
    });
    const role = new IamRole(scope, "role", { name: "target", assumeRolePolicy: trust.json });
    const inline = new DataAwsIamPolicyDocument(scope, "inline", {
      statement: [
        {
          sid: "Users",
          actions: ["identitystore:GetUserId"],
          resources: [
            "arn:${data.aws_partition.p.partition}:identitystore::${data.aws_caller_identity.caller.account_id}:identitystore/${element(data.x.identity_store_ids, 0)}",
            "arn:aws:identitystore:::user/*",
          ],
        },
        {
          sid: "NoDelete",
          effect: "Deny",
          notActions: ["identitystore:Get*"],
          notResources: ["arn:aws:s3:::x"],
        },
      ],
    });
    new IamRolePolicy(scope, "inline-policy", { name: "inline", role: role.id, policy: inline.json });
    const managedDoc = new DataAwsIamPolicyDocument(scope, "managed", {
      statement: [{ actions: ["sts:GetCallerIdentity"], resources: ["*"] }],
    });
    const managed = new IamPolicyResource(scope, "managed-policy", {
      name: "managed",
      policy: managedDoc.json,
    });
    new IamRolePolicyAttachment(scope, "attach", { role: role.name, policyArn: managed.arn });
  });

  it("renders a policy document as the provider does", () => {
    expect(policyDocument(stack, "inline", VALUES)).toEqual(
      policy(
        {
          Sid: "Users",
          Effect: "Allow",
          Action: ["identitystore:GetUserId"],
          Resource: [STORE, "arn:aws:identitystore:::user/*"],
        },
        {
          Sid: "NoDelete",
          Effect: "Deny",
          NotAction: ["identitystore:Get*"],
          NotResource: ["arn:aws:s3:::x"],
        },
      ),
    );
    expect(roleTrustPolicy(stack, "target", VALUES)).toEqual(
      policy({
        Effect: "Allow",
        Action: ["sts:AssumeRole"],
        Principal: { AWS: [`arn:aws:iam::${OTHER}:root`] },
        Condition: { ArnEquals: { "aws:PrincipalArn": [`arn:aws:iam::${OTHER}:role/caller`] } },
      }),
    );
  });

  it("finds a role's inline and attached policies", () => {
    expect(rolePolicies(stack, "target", VALUES).map((p) => p.name)).toEqual(["inline", "managed"]);
    expect(() => rolePolicies(stack, "nobody", VALUES)).toThrow(
      /Expected one aws_iam_role named nobody; the stack has: target/,
    );
  });

  it("refuses to render with an expression left", () => {
    expect(() => policyDocument(stack, "inline", VALUES.slice(1))).toThrow(
      /data\.aws_partition\.p\.partition/,
    );
  });

  it("evaluates the synthesized policy", async () => {
    const identityPolicies = rolePolicies(stack, "target", VALUES);
    const decision = await simulate({
      identityPolicies,
      action: "identitystore:GetUserId",
      resource: "arn:aws:identitystore:::user/u-1",
    });
    expect(decision).toMatchObject({
      allowed: true,
      resourceType: "User",
      reason: "Allowed by identity inline Users",
    });
  });
});

describe("the Service Authorization Reference", () => {
  it("knows every resource type IAM authorizes an action against", async () => {
    await expect(requiredResourceTypes("identitystore:DeleteGroupMembership")).resolves.toEqual([
      "Group",
      "GroupMembership",
      "Identitystore",
      "User",
    ]);
    await expect(requiredResourceTypes("identitystore:CreateUser")).resolves.toEqual(["Identitystore"]);
    await expect(requiredResourceTypes("xray:PutTraceSegments")).resolves.toEqual([]);
  });
});

describe("simulateAction", () => {
  const resources = {
    Identitystore: STORE,
    Group: "arn:aws:identitystore:::group/g-1",
    GroupMembership: "arn:aws:identitystore:::membership/m-1",
    User: "arn:aws:identitystore:::user/u-1",
  };
  const withoutUsers = policy({
    Effect: "Allow",
    Action: "identitystore:DeleteGroupMembership",
    Resource: [STORE, "arn:aws:identitystore:::membership/*", "arn:aws:identitystore:::group/g-1"],
  });

  it("denies an action when one required resource type is not allowed, and says which", async () => {
    const decision = await simulateAction({
      identityPolicies: [{ name: "p", policy: withoutUsers }],
      action: "identitystore:DeleteGroupMembership",
      resources,
    });
    expect(decision.allowed).toBe(false);
    expect(decision.byResourceType.Group?.allowed).toBe(true);
    expect(decision.reason).toMatch(/^User arn:aws:identitystore:::user\/u-1: ImplicitlyDenied/);
  });

  it("rejects a request that does not name every required resource type, or names the wrong one", async () => {
    const withoutUser: Record<string, string> = { ...resources };
    delete withoutUser.User;
    await expect(
      simulateAction({
        identityPolicies: [],
        action: "identitystore:DeleteGroupMembership",
        resources: withoutUser,
      }),
    ).rejects.toThrow(/missing User/);
    await expect(
      simulateAction({
        identityPolicies: [],
        action: "identitystore:DeleteGroupMembership",
        resources: { ...resources, User: "arn:aws:identitystore:::group/g-2" },
      }),
    ).rejects.toThrow(/is a Group resource, not User/);
  });

  it("handles resource types whose SAR ARN is itself a wildcard", async () => {
    const list = policy({
      Effect: "Allow",
      Action: "identitystore:ListGroupMembershipsForMember",
      Resource: [STORE, "arn:aws:identitystore:::user/*", "arn:aws:identitystore:::membership/*"],
    });
    const decision = await simulateAction({
      identityPolicies: [{ name: "p", policy: list }],
      action: "identitystore:ListGroupMembershipsForMember",
      resources: {
        Identitystore: STORE,
        User: "arn:aws:identitystore:::user/u-1",
        AllGroupMemberships: "arn:aws:identitystore:::membership/*",
      },
    });
    expect(decision.allowed).toBe(true);
  });
});

describe("simulate", () => {
  it("refuses context keys IAM never evaluates for the action, and invalid policies", async () => {
    await expect(
      simulate({
        identityPolicies: [
          { name: "p", policy: policy({ Effect: "Allow", Action: "identitystore:*", Resource: "*" }) },
        ],
        action: "identitystore:GetUserId",
        resource: "arn:aws:identitystore:::user/u-1",
        context: { "kms:ViaService": "identitystore.eu-west-1.amazonaws.com" },
      }),
    ).rejects.toThrow(/kms:viaservice do not apply/i);
    await expect(
      simulate({
        identityPolicies: [
          { name: "p", policy: policy({ Effect: "Allwo", Action: "identitystore:*", Resource: "*" }) },
        ],
        action: "identitystore:GetUserId",
        resource: "arn:aws:identitystore:::user/u-1",
      }),
    ).rejects.toThrow(/could not run/);
  });

  it("names the explicit deny", async () => {
    const decision = await simulate({
      identityPolicies: [
        {
          name: "p",
          policy: policy(
            { Effect: "Allow", Action: "identitystore:*", Resource: "*" },
            { Sid: "NeverDelete", Effect: "Deny", Action: "identitystore:DeleteUser", Resource: "*" },
          ),
        },
      ],
      action: "identitystore:DeleteUser",
      resource: "arn:aws:identitystore:::user/u-1",
    });
    expect(decision).toMatchObject({ allowed: false, result: "ExplicitlyDenied" });
    expect(decision.reason).toMatch(/explicit deny in identity p NeverDelete/);
  });
});

describe("simulateAssumeRole", () => {
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/target`;
  const caller = `arn:aws:iam::${OTHER}:role/caller`;
  const trustPolicy = policy({
    Effect: "Allow",
    Action: "sts:AssumeRole",
    Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
    Condition: { ArnEquals: { "aws:PrincipalArn": caller } },
  });
  const callerPolicies = [
    { name: "assume", policy: policy({ Effect: "Allow", Action: "sts:AssumeRole", Resource: roleArn }) },
  ];
  const session = (arn: string) => arn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + "/s";

  it("allows only the named role of the trusted account, and needs the caller's own permission", async () => {
    const context = { "aws:PrincipalArn": caller, "aws:PrincipalAccount": OTHER };
    await expect(
      simulateAssumeRole({ trustPolicy, roleArn, principal: session(caller), callerPolicies, context }),
    ).resolves.toMatchObject({ allowed: true });
    await expect(
      simulateAssumeRole({ trustPolicy, roleArn, principal: session(caller), context }),
    ).resolves.toMatchObject({
      allowed: false,
    });
    const other = `arn:aws:iam::${OTHER}:role/other`;
    await expect(
      simulateAssumeRole({
        trustPolicy,
        roleArn,
        principal: session(other),
        callerPolicies,
        context: { "aws:PrincipalArn": other, "aws:PrincipalAccount": OTHER },
      }),
    ).resolves.toMatchObject({ allowed: false });
  });

  it("evaluates an OIDC provider's documented claims", async () => {
    const provider = `arn:aws:iam::${ACCOUNT}:oidc-provider/cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc`;
    const webTrust = policy({
      Effect: "Allow",
      Action: "sts:AssumeRoleWithWebIdentity",
      Principal: { Federated: provider },
      Condition: { StringEquals: { "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc:aud": "client-1" } },
    });
    const run = (aud: string) =>
      simulateAssumeRole({
        trustPolicy: webTrust,
        roleArn,
        principal: provider,
        action: "sts:AssumeRoleWithWebIdentity",
        context: { "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc:aud": aud },
      });
    await expect(run("client-1")).resolves.toMatchObject({ allowed: true });
    await expect(run("client-2")).resolves.toMatchObject({ allowed: false });
    await expect(
      simulateAssumeRole({
        trustPolicy: webTrust,
        roleArn,
        principal: provider,
        action: "sts:AssumeRoleWithWebIdentity",
        context: { "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc:groups": "x" },
      }),
    ).rejects.toThrow(/do not apply/);
  });
});
