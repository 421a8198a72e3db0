/**
 * Cross-account mode, proven with the IAM simulator on a two-account config written for this test only:
 * the identity-center stack's access role trusts only the JIT Lambda's execution role in the cognito account,
 * grants the same least-privilege Identity Store (and KMS) statements as the one-account role, and the
 * cognito stack's Lambda may only assume that role and is told its ARN.
 */
import { randomInt } from "node:crypto";
import type { BridgeConfigInput } from "../../config";
import {
  accessRoleArn,
  bridgeSubstitutions,
  bridgeValues,
  identityStoreArn,
  lambdaRoleArn,
  linkKeyArn,
  memberArn,
  storeObjectId,
} from "../../__tests__/helpers/bridge-iam";
import {
  requiredResourceTypes,
  resolveExpressions,
  rolePolicies,
  roleTrustPolicy,
  simulate,
  simulateAction,
  simulateAssumeRole,
  type NamedPolicy,
} from "../../__tests__/helpers/iam-simulator";
import { configWith, json, synthBridge, type TerraformJson } from "../../__tests__/helpers/stacks";
import { dependencyCycles, dependencyGraph } from "../../__tests__/helpers/terraform-graph";
import {
  COGNITO_ACTIONS,
  LINK_KEY_ACTIONS,
  ENV_VARS,
  IDENTITY_STORE_ACTIONS,
} from "../../lambda-src/pre-token-generation/contract";
import {
  PRE_TOKEN_GENERATION_CALLER,
  preTokenGenerationFunctionName,
} from "../cognito/pre-token-generation-function";
import { identityStoreAccessRoleName } from "./identity-store-access";

/** Three distinct random account ids: the config's two and a third no policy should trust. */
const [IDC, COGNITO, THIRD] = (() => {
  const ids = new Set<string>();
  while (ids.size < 3) ids.add(String(randomInt(100000000000, 999999999999)));
  return [...ids] as [string, string, string];
})();
const ENV = "stage";
const KEY = `arn:aws:kms:us-east-2:${IDC}:key/mrk-0123456789abcdef0123456789abcdef`;
const JIT_ROLE = preTokenGenerationFunctionName(ENV);
const ACCESS_ROLE = identityStoreAccessRoleName(ENV, PRE_TOKEN_GENERATION_CALLER);

function twoAccounts(c: BridgeConfigInput): void {
  c.environment = ENV;
  c.backend = { type: "local" };
  c.identityCenter.region = "us-east-2";
  c.identityCenter.issuerUrl = "https://us-east-2.signin.aws.amazon.com/platform/saml/d-9a8b7c6d5e";
  c.identityCenter.acsUrl =
    "https://us-east-2.signin.aws.amazon.com/platform/saml/acs/11111111-2222-4333-8444-555555555555";
  c.identityCenter.accountId = IDC;
  c.identityCenter.assumeRoleArn = `arn:aws:iam::${IDC}:role/ci/bridge-deploy`;
  c.identityCenter.kmsKeyArn = KEY;
  c.cognito.region = "eu-central-1";
  c.cognito.accountId = COGNITO;
  c.cognito.assumeRoleArn = `arn:aws:iam::${COGNITO}:role/bridge-deploy`;
  c.cognito.groups = [{ name: "cg-admins" }, { name: "cg-dev" }];
  c.cognito.provisioning!.groupMap = { "cg-admins": "platform-admins", "cg-dev": "developers" };
}

const bridge = synthBridge(configWith(twoAccounts));
const v = bridgeValues(
  ["platform-admins", "developers", "readers"],
  { identityCenter: IDC, cognito: COGNITO },
  {
    identityCenterRegion: "us-east-2",
    cognitoRegion: "eu-central-1",
    identityStoreId: "d-9a8b7c6d5e",
    userPoolId: "eu-central-1_AbCdEfGhI",
    accessRoleNames: { [PRE_TOKEN_GENERATION_CALLER]: ACCESS_ROLE },
  },
);
const values = bridgeSubstitutions(v);
const accessPolicies = rolePolicies(bridge.identityCenter, ACCESS_ROLE, values);
const jitPolicies = rolePolicies(bridge.cognito, JIT_ROLE, values);
const trustPolicy = roleTrustPolicy(bridge.identityCenter, ACCESS_ROLE, values);
const mapped = [v.groupIds["platform-admins"] as string, v.groupIds.developers as string];

/** The ARN a role's session signs with (role paths are not part of it). */
const session = (roleArn: string) => {
  const [, account, name] = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn) ?? [];
  return `arn:aws:sts::${account}:assumed-role/${name}/session`;
};
const actionsOf = (policies: readonly NamedPolicy[]) =>
  policies.flatMap((p) => p.policy.Statement.flatMap((s) => s.Action as string[]));

function resourcesFor(required: readonly string[], group: string, store = identityStoreArn(v)) {
  const arns: Record<string, string> = {
    Identitystore: store,
    User: memberArn(`user/${storeObjectId()}`),
    Group: memberArn(`group/${group}`),
    GroupMembership: memberArn(`membership/${storeObjectId()}`),
    AllGroupMemberships: memberArn("membership/*"),
  };
  return Object.fromEntries(required.map((type) => [type, arns[type] as string]));
}

describe("the identity-store-access role's trust", () => {
  const assume = (caller: string, callerPolicies: readonly NamedPolicy[]) =>
    simulateAssumeRole({
      trustPolicy,
      roleArn: accessRoleArn(v, PRE_TOKEN_GENERATION_CALLER),
      principal: session(caller),
      callerPolicies,
      // The simulator does not derive these from the principal; IAM puts them in every signed request.
      context: { "aws:PrincipalArn": caller, "aws:PrincipalAccount": caller.split(":")[4] as string },
    });
  const anything: NamedPolicy[] = [
    {
      name: "admin",
      policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
    },
  ];

  it("lets the JIT Lambda's execution role in the cognito account assume it, with its own synthesized policy", async () => {
    await expect(assume(lambdaRoleArn(v, JIT_ROLE), jitPolicies)).resolves.toMatchObject({ allowed: true });
  });

  it("denies any other role of the cognito account, even an administrator", async () => {
    await expect(assume(lambdaRoleArn(v, "admin"), anything)).resolves.toMatchObject({ allowed: false });
    await expect(assume(lambdaRoleArn(v, `${JIT_ROLE}-copy`), anything)).resolves.toMatchObject({
      allowed: false,
    });
  });

  it("denies a role of the same name in any other account, the IdC account included", async () => {
    for (const account of [THIRD, IDC]) {
      await expect(assume(lambdaRoleArn(v, JIT_ROLE, account), anything)).resolves.toMatchObject({
        allowed: false,
      });
    }
  });
});

describe("the identity-store-access role's permissions", () => {
  const sim = (action: string, resources: Record<string, string>) =>
    simulateAction({
      identityPolicies: accessPolicies,
      action,
      resources,
      principal: session(accessRoleArn(v, PRE_TOKEN_GENERATION_CALLER)),
    });

  it.each([...IDENTITY_STORE_ACTIONS])(
    "allows %s on every required resource type, mapped groups only",
    async (action) => {
      const required = await requiredResourceTypes(action);
      for (const group of required.includes("Group") ? mapped : [storeObjectId()]) {
        await expect(sim(action, resourcesFor(required, group))).resolves.toMatchObject({
          reason: "Allowed on every resource type",
        });
      }
    },
  );

  it("grants exactly the Identity Store actions of the JIT contract and kms:Decrypt", () => {
    expect([...new Set(actionsOf(accessPolicies))].sort()).toEqual(
      [...IDENTITY_STORE_ACTIONS, "kms:Decrypt"].sort(),
    );
  });

  it("denies DeleteUser, UpdateGroup, unmapped groups and other identity stores", async () => {
    for (const action of ["identitystore:DeleteUser", "identitystore:UpdateGroup"]) {
      await expect(
        sim(action, resourcesFor(await requiredResourceTypes(action), mapped[0] as string)),
      ).resolves.toMatchObject({
        allowed: false,
      });
    }
    for (const action of ["identitystore:CreateGroupMembership", "identitystore:DeleteGroupMembership"]) {
      const required = await requiredResourceTypes(action);
      for (const group of [v.groupIds.readers as string, storeObjectId()]) {
        await expect(sim(action, resourcesFor(required, group))).resolves.toMatchObject({ allowed: false });
      }
    }
    for (const action of IDENTITY_STORE_ACTIONS) {
      const other = resourcesFor(
        await requiredResourceTypes(action),
        mapped[0] as string,
        identityStoreArn(v, "d-0000000000"),
      );
      await expect(sim(action, other)).resolves.toMatchObject({ allowed: false });
    }
  });

  it("may decrypt with IdC's key through this Identity Store only", async () => {
    const keyPolicy = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${IDC}:root` }, Action: "kms:*", Resource: "*" },
      ],
    };
    const decrypt = (context: Record<string, string>) =>
      simulate({
        identityPolicies: accessPolicies,
        action: "kms:Decrypt",
        resource: KEY,
        resourcePolicy: keyPolicy,
        principal: session(accessRoleArn(v, PRE_TOKEN_GENERATION_CALLER)),
        context,
      });
    const via = {
      "kms:ViaService": "identitystore.us-east-2.amazonaws.com",
      "kms:EncryptionContext:aws:identitystore:identitystore-arn": identityStoreArn(v),
    };
    await expect(decrypt(via)).resolves.toMatchObject({ allowed: true });
    await expect(
      decrypt({ ...via, "kms:ViaService": "identitystore.eu-central-1.amazonaws.com" }),
    ).resolves.toMatchObject({
      allowed: false,
    });
    await expect(decrypt({})).resolves.toMatchObject({ allowed: false });
  });
});

describe("the cognito stack in cross-account mode", () => {
  const [, fn] = Object.entries(json(bridge.cognito).resource.aws_lambda_function as TerraformJson).find(
    ([, f]) => (f as TerraformJson).function_name === JIT_ROLE,
  ) as [string, TerraformJson];

  it("tells the JIT Lambda which role to assume", () => {
    expect(resolveExpressions(fn.environment.variables[ENV_VARS.identityStoreRoleArn], values)).toBe(
      accessRoleArn(v, PRE_TOKEN_GENERATION_CALLER),
    );
  });

  it("lets the JIT Lambda assume that role and no other, and gives it no Identity Store or KMS permission but the link key's", async () => {
    // A cross-account AssumeRole needs the role's trust too: the access role's own, and for another role of
    // the IdC account one that trusts the whole cognito account, so only the Lambda's policy can refuse it.
    const trustingCognito = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${COGNITO}:root` }, Action: "sts:AssumeRole" },
      ],
    };
    const caller = lambdaRoleArn(v, JIT_ROLE);
    const assume = (roleArn: string, rolesTrust: typeof trustPolicy, callerPolicies = jitPolicies) =>
      simulateAssumeRole({
        trustPolicy: rolesTrust,
        roleArn,
        principal: session(caller),
        callerPolicies,
        context: { "aws:PrincipalArn": caller, "aws:PrincipalAccount": COGNITO },
      });
    await expect(assume(accessRoleArn(v, PRE_TOKEN_GENERATION_CALLER), trustPolicy)).resolves.toMatchObject({
      allowed: true,
    });
    await expect(
      assume(`arn:aws:iam::${IDC}:role/OrganizationAccountAccessRole`, trustingCognito),
    ).resolves.toMatchObject({ allowed: false });
    const admin = [
      {
        name: "admin",
        policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
      },
    ];
    await expect(
      assume(`arn:aws:iam::${IDC}:role/OrganizationAccountAccessRole`, trustingCognito, admin),
    ).resolves.toMatchObject({ allowed: true });
    expect(actionsOf(jitPolicies).filter((a) => a.startsWith("identitystore:"))).toEqual([]);
    // Only the link key, which lives in the pool's (cognito) account: never IdC's key.
    const kms = jitPolicies
      .flatMap((p) => p.policy.Statement)
      .filter((st) => (st.Action as string[]).some((a) => a.startsWith("kms:")));
    expect(kms.map((st) => ({ Action: st.Action, Resource: st.Resource }))).toEqual([
      { Action: [...LINK_KEY_ACTIONS], Resource: [linkKeyArn(v)] },
    ]);
    expect(actionsOf(jitPolicies).filter((a) => a.startsWith("cognito-idp:"))).toEqual([...COGNITO_ACTIONS]);
  });
});

describe("two-account deployment wiring", () => {
  const provider = (stack: string) => (json(stack).provider.aws as TerraformJson[])[0] as TerraformJson;

  it("points each aws provider at its account, through its deploy role", () => {
    expect(provider(bridge.identityCenter)).toMatchObject({
      region: "us-east-2",
      allowed_account_ids: [IDC],
      assume_role: [{ role_arn: `arn:aws:iam::${IDC}:role/ci/bridge-deploy` }],
    });
    for (const stack of [bridge.cognito, bridge.cloudflareAccess]) {
      expect(provider(stack)).toMatchObject({
        region: "eu-central-1",
        allowed_account_ids: [COGNITO],
        assume_role: [{ role_arn: `arn:aws:iam::${COGNITO}:role/bridge-deploy` }],
      });
    }
  });

  it("keeps the apply order: the identity-center stack reads nothing from the cognito stack, and no stack has a cycle", () => {
    expect(json(bridge.identityCenter).data?.terraform_remote_state ?? {}).toEqual({});
    for (const stack of [bridge.identityCenter, bridge.cognito, bridge.cloudflareAccess]) {
      expect(dependencyCycles(dependencyGraph(stack))).toEqual([]);
    }
  });
});
