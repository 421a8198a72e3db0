import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import type { IdentityStoreCaller, IdentityStoreScope } from "../shared/identity-store-policy";
import { policyDocumentStatements } from "../shared/nodejs-function";

export interface IdentityStoreAccessProps {
  readonly environment: string;
  /** The cognito account, where the callers' execution roles are. */
  readonly trustedAccountId: string;
  readonly scope: IdentityStoreScope;
  /** IdC group name → Identity Store group id. */
  readonly groupIds: Readonly<Record<string, string>>;
  readonly callers: readonly IdentityStoreCaller[];
}

/** `<environment>-identity-store-access-<purpose>`: at most 64 characters, as IAM requires. */
export function identityStoreAccessRoleName(environment: string, purpose: string): string {
  const name = `${environment}-identity-store-access-${purpose}`;
  if (!/^[\w+=,.@-]{1,64}$/.test(name))
    throw new Error(`Invalid IAM role name ${name} (1-64 of [\\w+=,.@-])`);
  return name;
}

/**
 * Cross-account mode: the Identity Store has no resource policies, so Lambdas in the cognito account reach it
 * through roles in the IdC account. Each caller gets its own role with only its own statements, which only
 * its execution role may assume. The trust names the cognito account as principal and the caller's role by
 * `aws:PrincipalArn`, so IAM accepts it before that role exists: the identity-center stack applies first.
 */
export class IdentityStoreAccess extends Construct {
  /** Caller purpose → ARN of the role it assumes. */
  public readonly roleArns: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: IdentityStoreAccessProps) {
    super(scope, id);
    const { partition } = props.scope;
    const arns: Record<string, string> = {};
    for (const caller of props.callers) {
      const name = identityStoreAccessRoleName(props.environment, caller.purpose);
      const callerScope = new Construct(this, caller.purpose);
      const trust = new DataAwsIamPolicyDocument(callerScope, "trust", {
        statement: [
          {
            sid: "OnlyTheCallersExecutionRole",
            actions: ["sts:AssumeRole"],
            principals: [
              { type: "AWS", identifiers: [`arn:${partition}:iam::${props.trustedAccountId}:root`] },
            ],
            condition: [
              {
                test: "ArnEquals",
                variable: "aws:PrincipalArn",
                values: [`arn:${partition}:iam::${props.trustedAccountId}:role/${caller.roleName}`],
              },
            ],
          },
        ],
      });
      const role = new IamRole(callerScope, "role", {
        name,
        description: `Identity Store access for ${caller.roleName} in account ${props.trustedAccountId}`,
        assumeRolePolicy: trust.json,
      });
      const policy = new DataAwsIamPolicyDocument(callerScope, "policy", {
        statement: policyDocumentStatements(caller.statements(props.scope, props.groupIds)),
      });
      new IamRolePolicy(callerScope, "role-policy", {
        name: "least-privilege",
        role: role.id,
        policy: policy.json,
      });
      arns[caller.purpose] = role.arn;
    }
    this.roleArns = arns;
  }
}
