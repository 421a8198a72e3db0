import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import type { CognitoConfig } from "../../config";
import { ENV_VARS } from "../../lambda-src/pre-token-generation/contract";
import { hclQuotedContent, terraformLiteral } from "../shared/terraform-literal";
import { NodejsFunction, type PolicyStatement } from "../shared/nodejs-function";

/** Cognito waits at most 5 s for a trigger: the function may not run longer. */
export const PRE_TOKEN_GENERATION_TIMEOUT_SECONDS = 5;

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
  /** Upstream providers whose emails count as verified (`trustEmail`). */
  readonly trustedEmailProviders?: readonly string[];
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
        // Config strings inside JSON values: escaped so Terraform reads no template in them.
        [ENV_VARS.trustedEmailProviders]: terraformLiteral(JSON.stringify(props.trustedEmailProviders ?? [])),
        [ENV_VARS.adoptExistingUsers]: String(props.provisioning.adoptExistingUsers),
        [ENV_VARS.enterpriseAttributes]: terraformLiteral(
          JSON.stringify(props.provisioning.enterpriseAttributes),
        ),
        ...(props.provisioning.groupsAttribute === undefined
          ? {}
          : { [ENV_VARS.groupsAttribute]: terraformLiteral(props.provisioning.groupsAttribute) }),
        [ENV_VARS.serviceName]: props.functionName,
        [ENV_VARS.metricsNamespace]: props.metricsNamespace,
      },
      statements: identityStoreStatements(
        props.partition,
        props.identityStoreArn,
        Object.values(props.groupMap),
      ),
    });
    this.functionName = props.functionName;
    this.arn = this.fn.arn;
  }

  /** Lets exactly this user pool invoke the function. */
  public allowInvocationFrom(userPoolArn: string): void {
    new LambdaPermission(this, "cognito-invoke", {
      statementId: "AllowCognitoUserPool",
      action: "lambda:InvokeFunction",
      functionName: this.fn.functionName,
      principal: "cognito-idp.amazonaws.com",
      sourceArn: userPoolArn,
    });
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
 * Only the Identity Store calls the Lambda makes, on this identity store. Group-membership actions exist
 * only with a group map, and adding members is limited to the mapped groups.
 */
export function identityStoreStatements(
  partition: string,
  identityStoreArn: string,
  groupIds: readonly string[],
): PolicyStatement[] {
  const arn = (resource: string) => `arn:${partition}:identitystore:::${resource}`;
  // Several Cognito groups may map to one IdC group: list each group once.
  const mappedGroups = [...new Set(groupIds)];
  const anyUser = arn("user/*");
  const groupArns = mappedGroups.map((id) => arn(`group/${id}`));
  const statements: PolicyStatement[] = [
    {
      sid: "JitUser",
      actions: ["identitystore:CreateUser", "identitystore:GetUserId"],
      resources: [identityStoreArn, anyUser],
    },
  ];
  if (mappedGroups.length > 0) {
    statements.push(
      {
        sid: "ReadMemberships",
        actions: ["identitystore:ListGroupMembershipsForMember"],
        resources: [identityStoreArn, anyUser, arn("group/*"), arn("membership/*")],
      },
      {
        sid: "AddToMappedGroups",
        actions: ["identitystore:CreateGroupMembership"],
        resources: [identityStoreArn, anyUser, ...groupArns],
      },
      {
        // Memberships have ids of their own; where IAM also evaluates the group, only mapped ones match.
        sid: "RemoveMemberships",
        actions: ["identitystore:DeleteGroupMembership"],
        resources: [identityStoreArn, arn("membership/*"), ...groupArns],
      },
    );
  }
  return statements;
}
