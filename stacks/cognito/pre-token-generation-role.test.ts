/**
 * The JIT Lambda's role, proven with an IAM policy simulator and the Service Authorization Reference: the
 * synthesized policies are rendered with test values for the cross-stack expressions and every Identity Store
 * call the Lambda's contract declares is evaluated against every resource type IAM authorizes it on.
 */
import type { BridgeConfigInput } from "../../config";
import {
  bridgeSubstitutions,
  bridgeValues,
  identityStoreArn,
  linkKeyArn,
  memberArn,
  storeObjectId,
  userPoolArn,
  type BridgeValues,
} from "../../__tests__/helpers/bridge-iam";
import {
  requiredResourceTypes,
  rolePolicies,
  roleTrustPolicy,
  simulate,
  simulateAction,
  simulateAssumeRole,
  type NamedPolicy,
} from "../../__tests__/helpers/iam-simulator";
import { configWith, synthBridge } from "../../__tests__/helpers/stacks";
import { dependencyCycles, dependencyGraph, dependsOn } from "../../__tests__/helpers/terraform-graph";
import {
  COGNITO_ACTIONS,
  IDENTITY_STORE_ACTIONS,
  LINK_KEY_ACTIONS,
} from "../../lambda-src/pre-token-generation/contract";
import { preTokenGenerationFunctionName } from "./pre-token-generation-function";

const ROLE = preTokenGenerationFunctionName("prod");
const KEY = "arn:aws:kms:eu-west-1:111111111111:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

interface Case {
  readonly title: string;
  readonly change: (c: BridgeConfigInput) => void;
  /** The IdC groups the config maps, and those it declares without mapping. */
  readonly mapped: readonly string[];
  readonly unmapped: readonly string[];
}

const CASES: Case[] = [
  {
    title: "the example config",
    change: () => {},
    mapped: ["platform-admins", "developers", "readers"],
    unmapped: [],
  },
  {
    title:
      "a grouped config (two Cognito groups on one IdC group, a declared group left unmapped, a KMS key)",
    change: (c) => {
      c.identityCenter.kmsKeyArn = KEY;
      c.cognito.groups = [{ name: "cg-admins" }, { name: "cg-ops" }, { name: "cg-dev" }];
      c.cognito.provisioning!.groupMap = {
        "cg-admins": "platform-admins",
        "cg-ops": "platform-admins",
        "cg-dev": "developers",
      };
    },
    mapped: ["platform-admins", "developers"],
    unmapped: ["readers"],
  },
];

/** One concrete ARN per resource type an Identity Store action involves. */
function resourcesFor(required: readonly string[], v: BridgeValues, group: string): Record<string, string> {
  const arns: Record<string, string> = {
    Identitystore: identityStoreArn(v),
    User: memberArn(`user/${storeObjectId()}`),
    Group: memberArn(`group/${group}`),
    GroupMembership: memberArn(`membership/${storeObjectId()}`),
    AllGroupMemberships: memberArn("membership/*"),
  };
  return Object.fromEntries(
    required.map((type) => {
      const arn = arns[type];
      if (arn === undefined) throw new Error(`No test ARN for resource type ${type}`);
      return [type, arn];
    }),
  );
}

function actionsOf(policies: readonly NamedPolicy[]): string[] {
  return policies.flatMap((p) => p.policy.Statement.flatMap((s) => s.Action as string[]));
}

describe.each(CASES)("the JIT Lambda's role, $title", ({ change, mapped, unmapped }) => {
  const bridge = synthBridge(configWith(change));
  const v = bridgeValues(["platform-admins", "developers", "readers"]);
  const identityPolicies = rolePolicies(bridge.cognito, ROLE, bridgeSubstitutions(v));
  const mappedIds = mapped.map((name) => v.groupIds[name] as string);
  const sim = (action: string, resources: Record<string, string>) =>
    simulateAction({ identityPolicies, action, resources });

  it.each([...IDENTITY_STORE_ACTIONS])(
    "allows %s on every resource type the SAR requires, for every mapped group",
    async (action) => {
      const required = await requiredResourceTypes(action);
      expect(required).toContain("Identitystore");
      for (const group of required.includes("Group") ? mappedIds : [storeObjectId()]) {
        const decision = await sim(action, resourcesFor(required, v, group));
        expect(decision.reason).toBe("Allowed on every resource type");
      }
    },
  );

  it("grants exactly the actions of the Lambda's contract, plus its own logs and traces", () => {
    const actions = new Set(actionsOf(identityPolicies));
    expect([...actions].filter((a) => a.startsWith("identitystore:")).sort()).toEqual(
      [...IDENTITY_STORE_ACTIONS].sort(),
    );
    expect([...actions].filter((a) => a.startsWith("cognito-idp:")).sort()).toEqual(
      [...COGNITO_ACTIONS].sort(),
    );
    const others = [...actions].filter((a) => !/^(identitystore|cognito-idp):/.test(a)).sort();
    const kms = [...LINK_KEY_ACTIONS, ...(bridge.cognito.includes(KEY) ? ["kms:Decrypt"] : [])];
    expect(others).toEqual(
      [
        ...kms,
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTelemetryRecords",
        "xray:PutTraceSegments",
      ].sort(),
    );
  });

  it("denies deleting users and changing groups", async () => {
    for (const action of [
      "identitystore:DeleteUser",
      "identitystore:UpdateGroup",
      "identitystore:DeleteGroup",
    ]) {
      const required = await requiredResourceTypes(action);
      const decision = await sim(action, resourcesFor(required, v, mappedIds[0] as string));
      expect({ action, allowed: decision.allowed }).toEqual({ action, allowed: false });
    }
  });

  it("denies every call on another identity store, in this account or another", async () => {
    for (const store of [
      identityStoreArn(v, "d-0000000000"),
      identityStoreArn(v, v.identityStoreId, "999999999999"),
    ]) {
      for (const action of IDENTITY_STORE_ACTIONS) {
        const resources = {
          ...resourcesFor(await requiredResourceTypes(action), v, mappedIds[0] as string),
          Identitystore: store,
        };
        const decision = await sim(action, resources);
        expect(decision.allowed).toBe(false);
        expect(decision.byResourceType.Identitystore?.allowed).toBe(false);
      }
    }
  });

  it("denies adding to or removing from groups that are not mapped", async () => {
    const unmappedIds = [...unmapped.map((name) => v.groupIds[name] as string), storeObjectId()];
    for (const action of ["identitystore:CreateGroupMembership", "identitystore:DeleteGroupMembership"]) {
      for (const group of unmappedIds) {
        const decision = await sim(action, resourcesFor(await requiredResourceTypes(action), v, group));
        expect(decision.allowed).toBe(false);
        expect(decision.byResourceType.Group?.allowed).toBe(false);
      }
    }
  });

  it("may update user attributes on its own user pool only", async () => {
    for (const action of COGNITO_ACTIONS) {
      await expect(sim(action, { userpool: userPoolArn(v) })).resolves.toMatchObject({ allowed: true });
      await expect(sim(action, { userpool: userPoolArn(v, "eu-west-1_Other0000") })).resolves.toMatchObject({
        allowed: false,
      });
    }
    await expect(sim("cognito-idp:AdminDeleteUser", { userpool: userPoolArn(v) })).resolves.toMatchObject({
      allowed: false,
    });
  });

  it("may derive the link key (kms:GenerateMac on the link key) and do nothing else with it or another key", async () => {
    // The link key keeps KMS's default key policy: the account's IAM policies decide who may use it.
    const keyPolicy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${v.cognitoAccount}:root` },
          Action: "kms:*",
          Resource: "*",
        },
      ],
    };
    const use = (action: string, resource = linkKeyArn(v)) =>
      simulate({
        identityPolicies,
        action,
        resource,
        resourcePolicy: keyPolicy,
        principal: `arn:aws:sts::${v.cognitoAccount}:assumed-role/${ROLE}/${ROLE}`,
      });
    await expect(use("kms:GenerateMac")).resolves.toMatchObject({ allowed: true, resourceType: "key" });
    for (const action of [
      "kms:VerifyMac",
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:ScheduleKeyDeletion",
      "kms:PutKeyPolicy",
    ]) {
      await expect(use(action)).resolves.toMatchObject({ allowed: false });
    }
    await expect(
      use(
        "kms:GenerateMac",
        `arn:aws:kms:${v.cognitoRegion}:${v.cognitoAccount}:key/11111111-2222-4333-8444-555555555555`,
      ),
    ).resolves.toMatchObject({ allowed: false });
  });

  it("lists each mapped group once", () => {
    const groupArns = identityPolicies
      .flatMap((p) => p.policy.Statement)
      .filter((st) => (st.Action as string[]).includes("identitystore:CreateGroupMembership"))
      .flatMap((st) => st.Resource as string[])
      .filter((r) => r.includes(":group/"));
    expect(groupArns.sort()).toEqual(mappedIds.map((id) => memberArn(`group/${id}`)).sort());
  });

  it("may be assumed by the Lambda service only", async () => {
    const trustPolicy = roleTrustPolicy(bridge.cognito, ROLE, bridgeSubstitutions(v));
    const roleArn = `arn:aws:iam::${v.cognitoAccount}:role/${ROLE}`;
    const assume = (principal: string) => simulateAssumeRole({ trustPolicy, roleArn, principal });
    await expect(assume("lambda.amazonaws.com")).resolves.toMatchObject({ allowed: true });
    await expect(assume("ec2.amazonaws.com")).resolves.toMatchObject({ allowed: false });
    const admin = `arn:aws:iam::${v.cognitoAccount}:role/admin`;
    await expect(
      simulateAssumeRole({
        trustPolicy,
        roleArn,
        principal: admin,
        callerPolicies: [
          {
            name: "all",
            policy: {
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: "sts:*", Resource: "*" }],
            },
          },
        ],
        context: { "aws:PrincipalArn": admin, "aws:PrincipalAccount": v.cognitoAccount },
      }),
    ).resolves.toMatchObject({ allowed: false });
  });

  it("forms no dependency cycle: the pool names the function, the pool-scoped policy comes after both", () => {
    const graph = dependencyGraph(bridge.cognito);
    expect(dependencyCycles(graph)).toEqual([]);
    const address = (type: string) => {
      // The leavers construct's function is not the JIT Lambda (deprovisioning.test.ts covers it).
      const found = [...graph.keys()].filter(
        (k) => k.startsWith(`${type}.`) && !k.startsWith(`${type}.deprovisioning_`),
      );
      expect(found).toHaveLength(1);
      return found[0] as string;
    };
    const pool = address("aws_cognito_user_pool");
    const fn = address("aws_lambda_function");
    const poolPolicy = [...graph.keys()].find(
      (k) => k.startsWith("aws_iam_role_policy.") && k.includes("own-user-pool"),
    );
    expect(poolPolicy).toBeDefined();
    expect(dependsOn(graph, pool, fn)).toBe(true);
    expect(dependsOn(graph, poolPolicy as string, pool)).toBe(true);
    expect(dependsOn(graph, fn, poolPolicy as string)).toBe(false);
  });
});

describe("the JIT Lambda's role with IAM Identity Center's customer managed KMS key", () => {
  const v = bridgeValues(["platform-admins", "developers", "readers"]);
  const policiesOf = (kmsKeyArn?: string) =>
    rolePolicies(
      synthBridge(configWith((c) => (c.identityCenter.kmsKeyArn = kmsKeyArn))).cognito,
      ROLE,
      bridgeSubstitutions(v),
    );
  const identityPolicies = policiesOf(KEY);
  const viaIdentityStore = {
    "kms:ViaService": "identitystore.eu-west-1.amazonaws.com",
    "kms:EncryptionContext:aws:identitystore:identitystore-arn": identityStoreArn(v),
  };
  // The key policy that lets the account's IAM policies grant use of the key (KMS default key policy; the
  // first statement of IdC's baseline key policy): without it KMS ignores IAM policies.
  const keyPolicy = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${v.identityCenterAccount}:root` },
        Action: "kms:*",
        Resource: "*",
      },
    ],
  };
  const decrypt = (context: Record<string, string>, resource = KEY, action = "kms:Decrypt") =>
    simulate({
      identityPolicies,
      action,
      resource,
      context,
      resourcePolicy: keyPolicy,
      principal: `arn:aws:sts::${v.cognitoAccount}:assumed-role/${ROLE}/${ROLE}`,
    });

  it("may decrypt with that key through this Identity Store", async () => {
    await expect(decrypt(viaIdentityStore)).resolves.toMatchObject({ allowed: true, resourceType: "key" });
  });

  it("may not use the key directly, through another service or for another store, nor use another key", async () => {
    await expect(decrypt({})).resolves.toMatchObject({ allowed: false });
    await expect(
      decrypt({ ...viaIdentityStore, "kms:ViaService": "s3.eu-west-1.amazonaws.com" }),
    ).resolves.toMatchObject({
      allowed: false,
    });
    await expect(
      decrypt({ ...viaIdentityStore, "kms:ViaService": "identitystore.us-east-1.amazonaws.com" }),
    ).resolves.toMatchObject({ allowed: false });
    await expect(
      decrypt({
        ...viaIdentityStore,
        "kms:EncryptionContext:aws:identitystore:identitystore-arn": identityStoreArn(v, "d-0000000000"),
      }),
    ).resolves.toMatchObject({ allowed: false });
    await expect(
      decrypt(
        viaIdentityStore,
        "arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555",
      ),
    ).resolves.toMatchObject({ allowed: false });
    for (const action of ["kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom"]) {
      await expect(decrypt(viaIdentityStore, KEY, action)).resolves.toMatchObject({ allowed: false });
    }
  });

  it("has no KMS permission but the link key's without a key", () => {
    expect(actionsOf(policiesOf()).filter((a) => a.startsWith("kms:"))).toEqual([...LINK_KEY_ACTIONS]);
  });
});

describe("the JIT Lambda's role without a group map", () => {
  const v = bridgeValues(["platform-admins", "developers", "readers"]);
  const identityPolicies = rolePolicies(
    synthBridge(configWith((c) => (c.cognito.provisioning!.groupMap = {}))).cognito,
    ROLE,
    bridgeSubstitutions(v),
  );

  it("may look up, create and update users, and change no group membership", async () => {
    expect(
      actionsOf(identityPolicies)
        .filter((a) => a.startsWith("identitystore:"))
        .sort(),
    ).toEqual([
      "identitystore:CreateUser",
      "identitystore:DescribeUser",
      "identitystore:GetUserId",
      "identitystore:UpdateUser",
    ]);
    for (const action of IDENTITY_STORE_ACTIONS.filter((a) => a.includes("GroupMembership"))) {
      const decision = await simulateAction({
        identityPolicies,
        action,
        resources: resourcesFor(await requiredResourceTypes(action), v, v.groupIds.readers as string),
      });
      expect(decision.allowed).toBe(false);
    }
  });
});
