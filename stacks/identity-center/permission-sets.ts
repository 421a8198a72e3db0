import { SsoadminAccountAssignment } from "@cdktf/provider-aws/lib/ssoadmin-account-assignment";
import { SsoadminCustomerManagedPolicyAttachment } from "@cdktf/provider-aws/lib/ssoadmin-customer-managed-policy-attachment";
import { SsoadminManagedPolicyAttachment } from "@cdktf/provider-aws/lib/ssoadmin-managed-policy-attachment";
import { SsoadminPermissionSet } from "@cdktf/provider-aws/lib/ssoadmin-permission-set";
import { SsoadminPermissionSetInlinePolicy } from "@cdktf/provider-aws/lib/ssoadmin-permission-set-inline-policy";
import { SsoadminPermissionsBoundaryAttachment } from "@cdktf/provider-aws/lib/ssoadmin-permissions-boundary-attachment";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { PermissionSetConfig } from "../../config";
import { idFromName } from "../naming";

export interface PermissionSetsProps {
  readonly instanceArn: string;
  readonly permissionSets: readonly PermissionSetConfig[];
  /** Group name → Identity Store group id (from IdentityStoreGroups). */
  readonly groupIds: Readonly<Record<string, string>>;
}

/** Permission sets, their policies, and their assignments to groups in accounts. */
export class PermissionSets extends Construct {
  /** Permission set name → ARN. */
  public readonly permissionSetArns: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: PermissionSetsProps) {
    super(scope, id);
    const arns: Record<string, string> = {};
    for (const ps of props.permissionSets) {
      const set = new PermissionSetWithPolicies(this, idFromName(ps.name), ps, props.instanceArn);
      arns[ps.name] = set.arn;
      for (const assignment of ps.assignments) {
        const groupId = props.groupIds[assignment.group];
        if (groupId === undefined) {
          throw new Error(
            `identityCenter.permissionSets "${ps.name}": assignment to unknown group "${assignment.group}"; ` +
              `expected one of ${Object.keys(props.groupIds).join(", ")}`,
          );
        }
        for (const account of assignment.accounts) {
          new SsoadminAccountAssignment(this, idFromName(ps.name, assignment.group, account), {
            instanceArn: props.instanceArn,
            permissionSetArn: set.arn,
            principalType: "GROUP",
            principalId: groupId,
            targetType: "AWS_ACCOUNT",
            targetId: account,
            // Provision the set only once its policies are attached.
            dependsOn: set.policies,
          });
        }
      }
    }
    this.permissionSetArns = arns;
  }
}

/** One permission set with everything attached to it. */
class PermissionSetWithPolicies extends Construct {
  public readonly arn: string;
  public readonly policies: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, ps: PermissionSetConfig, instanceArn: string) {
    super(scope, id);
    const set = new SsoadminPermissionSet(this, "permission-set", {
      instanceArn,
      name: ps.name,
      description: ps.description,
      sessionDuration: ps.sessionDuration,
      relayState: ps.relayState,
    });
    this.arn = set.arn;
    const common = { instanceArn, permissionSetArn: set.arn };
    for (const arn of ps.managedPolicies) {
      const policyName = arn.slice(arn.indexOf(":policy/") + ":policy/".length);
      this.policies.push(
        new SsoadminManagedPolicyAttachment(this, idFromName("managed", policyName), {
          ...common,
          managedPolicyArn: arn,
        }),
      );
    }
    for (const ref of ps.customerManagedPolicies) {
      this.policies.push(
        new SsoadminCustomerManagedPolicyAttachment(
          this,
          idFromName("customer-managed", ref.path, ref.name),
          {
            ...common,
            customerManagedPolicyReference: ref,
          },
        ),
      );
    }
    if (ps.inlinePolicy !== undefined) {
      this.policies.push(
        new SsoadminPermissionSetInlinePolicy(this, "inline-policy", {
          ...common,
          inlinePolicy: ps.inlinePolicy,
        }),
      );
    }
    if (ps.permissionsBoundary !== undefined) {
      const b = ps.permissionsBoundary;
      this.policies.push(
        new SsoadminPermissionsBoundaryAttachment(this, "permissions-boundary", {
          ...common,
          permissionsBoundary:
            "managedPolicyArn" in b
              ? { managedPolicyArn: b.managedPolicyArn }
              : { customerManagedPolicyReference: b.customerManagedPolicy },
        }),
      );
    }
  }
}
