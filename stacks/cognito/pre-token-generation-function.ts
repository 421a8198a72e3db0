import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import type { CognitoConfig } from "../../config";
import { COGNITO_ACTIONS, ENV_VARS } from "../../lambda-src/pre-token-generation/contract";
import {
  identityStoreKmsStatements,
  identityStoreMemberArn,
  type IdentityStoreCaller,
  type IdentityStoreScope,
} from "../shared/identity-store-policy";
import { hclQuotedContent } from "../shared/terraform-literal";
import { NodejsFunction, type PolicyStatement } from "../shared/nodejs-function";
import { linkKeyStatement } from "./link-key";

/** Cognito waits at most 5 s for a trigger: the function may not run longer. */
export const PRE_TOKEN_GENERATION_TIMEOUT_SECONDS = 5;

/** Names this function among the Identity Store callers (its cross-account access role, its role ARN). */
export const PRE_TOKEN_GENERATION_CALLER = "pre-token-generation";

/**
 * The function's name, which is also its execution role's name: fixed by the environment, so the
 * identity-center stack can trust the role by ARN before it exists (cross-account mode).
 */
export function preTokenGenerationFunctionName(environment: string): string {
  return `${environment}-idc-oidc-bridge-pre-token-generation`;
}

/**
 * The JIT Lambda as an Identity Store caller, for its cross-account access role: the same statements as its
 * own role gets in one account, for the IdC groups `groupMap` maps to.
 */
export function preTokenGenerationCaller(
  environment: string,
  provisioning: Pick<CognitoConfig["provisioning"], "groupMap">,
): IdentityStoreCaller {
  return {
    purpose: PRE_TOKEN_GENERATION_CALLER,
    roleName: preTokenGenerationFunctionName(environment),
    statements: (scope, groupIds) =>
      identityStoreStatements(
        scope,
        Object.values(provisioning.groupMap).map((name) => {
          const id = groupIds[name];
          if (id === undefined) throw new Error(`cognito.provisioning.groupMap: unknown IdC group "${name}"`);
          return id;
        }),
      ),
  };
}

export interface PreTokenGenerationFunctionProps {
  readonly functionName: string;
  readonly bundleDir: string;
  readonly provisioning: CognitoConfig["provisioning"];
  readonly identityStoreId: string;
  readonly identityStoreArn: string;
  readonly identityStoreRegion: string;
  /** Cognito group name → Identity Store group id; empty turns group sync (and its permissions) off. */
  readonly groupMap: Readonly<Record<string, string>>;
  readonly metricsNamespace: string;
  /** AWS partition (`aws`, `aws-cn`, `aws-us-gov`) for Identity Store ARNs. */
  readonly partition: string;
  /** The link key (LinkKey construct): the function may call kms:GenerateMac with it, and nothing else of KMS's. */
  readonly linkKeyArn: string;
  /** IdC's customer managed KMS key, if any (same-account mode: the function's own role decrypts). */
  readonly kmsKeyArn?: string;
  /**
   * Cross-account mode: the role in the IdC account the function assumes for every Identity Store call.
   * Its own role then gets no Identity Store permissions, only sts:AssumeRole on this role.
   */
  readonly identityStoreRoleArn?: string;
  /** Upstream providers whose emails count as verified (`trustEmail`). */
  readonly trustedEmailProviders?: readonly string[];
  /** App client id of the IAM federation client (its ID tokens get the session-tags claim), when configured. */
  readonly iamFederationClientId?: string;
}

/** The JIT Lambda: creates the person in the Identity Store and keeps mapped group memberships in step. */
export class PreTokenGenerationFunction extends Construct {
  public readonly fn: NodejsFunction;
  public readonly functionName: string;
  public readonly arn: string;

  constructor(scope: Construct, id: string, props: PreTokenGenerationFunctionProps) {
    super(scope, id);
    this.fn = new NodejsFunction(this, "function", {
      functionName: props.functionName,
      description: "Cognito Pre Token Generation V2: just-in-time IAM Identity Center user and group sync",
      bundleDir: props.bundleDir,
      memorySizeMb: props.provisioning.memorySizeMb,
      timeoutSeconds: PRE_TOKEN_GENERATION_TIMEOUT_SECONDS,
      logRetentionDays: props.provisioning.logRetentionDays,
      environment: {
        [ENV_VARS.identityStoreId]: props.identityStoreId,
        [ENV_VARS.identityStoreRegion]: props.identityStoreRegion,
        [ENV_VARS.requireVerifiedEmail]: String(props.provisioning.requireVerifiedEmail),
        [ENV_VARS.onSyncFailure]: props.provisioning.onSyncFailure,
        [ENV_VARS.groupMap]: groupMapEnvironmentValue(props.groupMap),
        [ENV_VARS.trustedEmailProviders]: JSON.stringify(props.trustedEmailProviders ?? []),
        [ENV_VARS.adoptExistingUsers]: String(props.provisioning.adoptExistingUsers),
        // The deprovisioner judges inactivity by the recorded day of the last sign-in: record it only then.
        [ENV_VARS.recordLastSignIn]: String(props.provisioning.inactiveDays !== undefined),
        [ENV_VARS.enterpriseAttributes]: JSON.stringify(props.provisioning.enterpriseAttributes),
        ...(props.provisioning.groupsAttribute === undefined
          ? {}
          : { [ENV_VARS.groupsAttribute]: props.provisioning.groupsAttribute }),
        [ENV_VARS.linkKeyArn]: props.linkKeyArn,
        [ENV_VARS.serviceName]: props.functionName,
        [ENV_VARS.metricsNamespace]: props.metricsNamespace,
        ...(props.identityStoreRoleArn === undefined
          ? {}
          : { [ENV_VARS.identityStoreRoleArn]: props.identityStoreRoleArn }),
        ...(props.iamFederationClientId === undefined
          ? {}
          : { [ENV_VARS.iamFederationClientId]: props.iamFederationClientId }),
      },
      statements: [
        ...(props.identityStoreRoleArn === undefined
          ? identityStoreStatements(
              {
                partition: props.partition,
                identityStoreArn: props.identityStoreArn,
                ...(props.kmsKeyArn === undefined ? {} : { kmsKeyArn: props.kmsKeyArn }),
              },
              Object.values(props.groupMap),
            )
          : [
              {
                sid: "AssumeIdentityStoreRole",
                actions: ["sts:AssumeRole"],
                resources: [props.identityStoreRoleArn],
              },
            ]),
        // The link key lives in this (the pool's) account in both modes: the function's own role uses it.
        linkKeyStatement(props.linkKeyArn),
      ],
    });
    this.functionName = props.functionName;
    this.arn = this.fn.arn;
  }

  /**
   * Lets exactly this user pool invoke the function, and lets the function link the IdC user id on the
   * pool's users (COGNITO_ACTIONS on this pool only). The pool names the function as its trigger, so this
   * policy is a separate one attached after the pool: the function never waits for it, and no cycle forms.
   */
  public attachUserPool(userPoolArn: string): void {
    new LambdaPermission(this, "cognito-invoke", {
      statementId: "AllowCognitoUserPool",
      action: "lambda:InvokeFunction",
      functionName: this.fn.functionName,
      principal: "cognito-idp.amazonaws.com",
      sourceArn: userPoolArn,
    });
    this.fn.addPolicy("own-user-pool", [
      { sid: "LinkIdentityCenterUser", actions: [...COGNITO_ACTIONS], resources: [userPoolArn] },
    ]);
  }
}

/**
 * `GROUP_MAP`: the group map as JSON, built by Terraform because the group ids come from remote state.
 * cdktf 0.21 writes `Fn.jsonencode`'s map keys into the HCL expression as they are, so each Cognito group
 * name (which may hold `"`, `\\`, `${`…) is given as the content of an HCL quoted string.
 */
function groupMapEnvironmentValue(groupMap: Readonly<Record<string, string>>): string {
  if (Object.keys(groupMap).length === 0) return "{}";
  return Fn.jsonencode(
    Object.fromEntries(Object.entries(groupMap).map(([name, id]) => [hclQuotedContent(name), id])),
  );
}

/**
 * Only the Identity Store calls the Lambda makes, on this identity store, each on exactly the resource types
 * IAM authorizes it against (Service Authorization Reference, proven by pre-token-generation-role.test.ts).
 * Group-membership actions exist only with a group map; adding and removing members only in mapped groups.
 * Also used for the cross-account identity-store-access role, so both modes grant the same.
 */
export function identityStoreStatements(
  scope: IdentityStoreScope,
  groupIds: readonly string[],
): PolicyStatement[] {
  const arn = (resource: string) => identityStoreMemberArn(scope.partition, resource);
  const store = scope.identityStoreArn;
  // Several Cognito groups may map to one IdC group: list each group once.
  const groupArns = [...new Set(groupIds)].map((id) => arn(`group/${id}`));
  const anyUser = arn("user/*");
  const statements: PolicyStatement[] = [
    {
      // Users have no store in their ARN: the Identitystore resource, authorized too, pins this store.
      sid: "UsersOfThisStore",
      actions: ["identitystore:GetUserId", "identitystore:DescribeUser", "identitystore:UpdateUser"],
      resources: [store, anyUser],
    },
    { sid: "CreateUsers", actions: ["identitystore:CreateUser"], resources: [store] },
  ];
  if (groupArns.length > 0) {
    statements.push(
      {
        sid: "ReadMemberships",
        actions: ["identitystore:ListGroupMembershipsForMember"],
        resources: [store, anyUser, arn("membership/*")],
      },
      {
        sid: "AddToMappedGroups",
        actions: ["identitystore:CreateGroupMembership"],
        resources: [store, anyUser, ...groupArns],
      },
      {
        // IAM also authorizes the membership's group, so only mapped groups' memberships can be removed.
        sid: "RemoveFromMappedGroups",
        actions: ["identitystore:DeleteGroupMembership"],
        resources: [store, anyUser, arn("membership/*"), ...groupArns],
      },
    );
  }
  return [...statements, ...identityStoreKmsStatements(scope)];
}
