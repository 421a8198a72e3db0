/**
 * The deprovisioner in cross-account mode (IdC in one account, Cognito in another), proven with the IAM policy
 * simulator: its own role only assumes its access role in the IdC account (plus what stays in the cognito
 * account: its user pool, budget table and event queue); that access role, owned by the identity-center stack,
 * may delete users of this identity store only.
 */
import { configWith, resources, synthBridge, type TerraformJson } from "../../__tests__/helpers/stacks";
import {
  rolePolicies,
  roleTrustPolicy,
  simulateAssumeRole,
  type Substitution,
} from "../../__tests__/helpers/iam-simulator";
import {
  accessRoleArn,
  bridgeSubstitutions,
  bridgeValues,
  identityStoreArn,
  lambdaRoleArn,
  userPoolArn,
} from "../../__tests__/helpers/bridge-iam";
import { identityStoreAccessRoleName } from "../identity-center/identity-store-access";
import { DEPROVISIONING_CALLER, deprovisioningFunctionName } from "./deprovisioning";
import { allowed, group, membership, user } from "./test-support/deprovisioning";

describe("cross-account mode: the identity-center stack's access role for the deprovisioner", () => {
  const IDC = "333333333333";
  const COGNITO = "444444444444";
  const ENV = "stage";
  const FN = deprovisioningFunctionName(ENV);
  const ACCESS = identityStoreAccessRoleName(ENV, DEPROVISIONING_CALLER);
  const bridge = synthBridge(
    configWith((c) => {
      c.environment = ENV;
      c.backend = { type: "local" };
      c.identityCenter.accountId = IDC;
      c.cognito.accountId = COGNITO;
      c.cognito.provisioning = {
        ...c.cognito.provisioning,
        deprovision: "delete-user",
        groupMap: { "cognito-admins": "platform-admins" },
      };
    }),
  );
  const v = bridgeValues(
    ["platform-admins", "developers", "readers"],
    { identityCenter: IDC, cognito: COGNITO },
    { accessRoleNames: { [DEPROVISIONING_CALLER]: ACCESS } },
  );
  const values: Substitution[] = [
    ...bridgeSubstitutions(v),
    // The budget table and the event queue stay in the cognito account, on the function's own role.
    [/^aws_dynamodb_table\.[^.]+\.arn$/, `arn:aws:dynamodb:eu-west-1:${COGNITO}:table/${FN}-budget`],
    [/^aws_sqs_queue\.[^.]+\.arn$/, `arn:aws:sqs:eu-west-1:${COGNITO}:${FN}-events`],
  ];
  const store = identityStoreArn(v);

  it("the function only assumes its own access role; that role may delete users of this store only", async () => {
    const fn = (Object.values(resources(bridge.cognito, "aws_lambda_function")) as TerraformJson[]).find(
      (f) => f.function_name === FN,
    )!;
    expect(fn.environment.variables.IDENTITY_STORE_ROLE_ARN).toMatch(
      /identity-store-access_deprovisioning_role/,
    );
    const own = rolePolicies(bridge.cognito, FN, values);
    const ownActions = own.flatMap((p) => p.policy.Statement.flatMap((st) => st.Action as string[]));
    expect(ownActions.filter((a) => a.startsWith("identitystore:"))).toEqual([]);
    // The budget and the queue are the cognito account's: its own role keeps them in cross-account mode too.
    expect(
      await allowed(
        own,
        "dynamodb:PutItem",
        { table: `arn:aws:dynamodb:eu-west-1:${COGNITO}:table/${FN}-budget` },
        `arn:aws:sts::${COGNITO}:assumed-role/${FN}/session`,
      ),
    ).toBe(true);
    const self = `arn:aws:sts::${COGNITO}:assumed-role/${FN}/session`;
    expect(await allowed(own, "cognito-idp:ListUsers", { userpool: userPoolArn(v) }, self)).toBe(true);

    const trust = roleTrustPolicy(bridge.identityCenter, ACCESS, values);
    const assume = (principalRole: string) =>
      simulateAssumeRole({
        trustPolicy: trust,
        roleArn: accessRoleArn(v, DEPROVISIONING_CALLER),
        principal: `arn:aws:sts::${COGNITO}:assumed-role/${principalRole}/session`,
        callerPolicies: own,
        context: { "aws:PrincipalArn": lambdaRoleArn(v, principalRole), "aws:PrincipalAccount": COGNITO },
      });
    expect((await assume(FN)).allowed).toBe(true);
    expect((await assume(deprovisioningFunctionName("prod"))).allowed).toBe(false);

    const access = rolePolicies(bridge.identityCenter, ACCESS, values);
    const accessSession = `arn:aws:sts::${IDC}:assumed-role/${ACCESS}/session`;
    const may = (action: string, resources: Record<string, string>) =>
      allowed(access, action, resources, accessSession);
    expect(await may("identitystore:DeleteUser", { Identitystore: store, User: user("u-1") })).toBe(true);
    expect(
      await may("identitystore:DeleteUser", {
        Identitystore: identityStoreArn(v, "d-9999999999"),
        User: user("u-1"),
      }),
    ).toBe(false);
    expect(
      await allowed(access, "identitystore:UpdateUser", { Identitystore: store, User: user("u-1") }),
    ).toBe(false);
    expect(await may("identitystore:ListUsers", { Identitystore: store, AllUsers: user("*") })).toBe(true);
    expect(
      await may("identitystore:DeleteGroupMembership", {
        Identitystore: store,
        Group: group(v.groupIds["platform-admins"]!),
        GroupMembership: membership("m-1"),
        User: user("u-1"),
      }),
    ).toBe(false);
  });
});
