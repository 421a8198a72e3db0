import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import type { CognitoConfig } from "../../config";
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
}

/** The JIT Lambda: creates the person in the Identity Store and keeps mapped group memberships in step. */
export class PreTokenGenerationFunction extends Construct {
  public readonly fn: NodejsFunction;
  public readonly functionName: string;
  public readonly arn: string;

  constructor(scope: Construct, id: string, props: PreTokenGenerationFunctionProps) {
    super(scope, id);
    const partition = new DataAwsPartition(this, "partition").partition;
    this.fn = new NodejsFunction(this, "function", {
      functionName: props.functionName,
      description: "Cognito Pre Token Generation V2: just-in-time IAM Identity Center user and group sync",
      bundleDir: props.bundleDir,
      memorySizeMb: props.provisioning.memorySizeMb,
      timeoutSeconds: PRE_TOKEN_GENERATION_TIMEOUT_SECONDS,
      logRetentionDays: props.provisioning.logRetentionDays,
      environment: {
        IDENTITY_STORE_ID: props.identityStoreId,
        IDENTITY_STORE_REGION: props.identityStoreRegion,
        REQUIRE_VERIFIED_EMAIL: String(props.provisioning.requireVerifiedEmail),
        ON_SYNC_FAILURE: props.provisioning.onSyncFailure,
        GROUP_MAP: Object.keys(props.groupMap).length > 0 ? Fn.jsonencode(props.groupMap) : "{}",
        POWERTOOLS_SERVICE_NAME: props.functionName,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
      },
      statements: identityStoreStatements(partition, props.identityStoreArn, Object.values(props.groupMap)),
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
 * Only the Identity Store calls the Lambda makes, on this identity store. Group-membership actions exist
 * only with a group map, and adding members is limited to the mapped groups.
 */
export function identityStoreStatements(
  partition: string,
  identityStoreArn: string,
  groupIds: readonly string[],
): PolicyStatement[] {
  const arn = (resource: string) => `arn:${partition}:identitystore:::${resource}`;
  const anyUser = arn("user/*");
  const statements: PolicyStatement[] = [
    {
      sid: "JitUser",
      actions: ["identitystore:CreateUser", "identitystore:GetUserId"],
      resources: [identityStoreArn, anyUser],
    },
  ];
  if (groupIds.length > 0) {
    statements.push(
      {
        sid: "ReadMemberships",
        actions: ["identitystore:ListGroupMembershipsForMember"],
        resources: [identityStoreArn, anyUser, arn("group/*"), arn("membership/*")],
      },
      {
        sid: "AddToMappedGroups",
        actions: ["identitystore:CreateGroupMembership"],
        resources: [identityStoreArn, anyUser, ...groupIds.map((id) => arn(`group/${id}`))],
      },
      {
        sid: "RemoveMemberships",
        actions: ["identitystore:DeleteGroupMembership"],
        resources: [identityStoreArn, arn("membership/*")],
      },
    );
  }
  return statements;
}
