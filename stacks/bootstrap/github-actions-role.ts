import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { PolicyStatement } from "../shared/nodejs-function";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from "./github-oidc-provider";

export interface GithubActionsRoleProps {
  readonly name: string;
  readonly description: string;
  readonly oidcProviderArn: string;
  /**
   * The OIDC subjects (`sub`) that may assume the role, exactly: `repo:<owner>/<name>:pull_request`,
   * `repo:<owner>/<name>:environment:<env>`, `repo:<owner>/<name>:ref:refs/heads/<branch>`.
   */
  readonly subjects: readonly string[];
  readonly managedPolicyArns: readonly string[];
  /** The inline policy (the state bucket). */
  readonly statements: readonly PolicyStatement[];
  /** Customer managed policies created for the role (the action table), each within IAM's size limit. */
  readonly policies?: readonly (readonly PolicyStatement[])[];
  /** The aws provider of the role's account (the stack's default when unset). */
  readonly provider?: TerraformProvider;
}

/** A role that only GitHub Actions jobs with one of the given OIDC subjects (and audience) can assume. */
export class GithubActionsRole extends Construct {
  public readonly role: IamRole;
  public readonly arn: string;

  constructor(scope: Construct, id: string, props: GithubActionsRoleProps) {
    super(scope, id);
    const provider = props.provider;
    // Policy documents are rendered locally: the default provider is enough.
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          sid: "GitHubActions",
          actions: ["sts:AssumeRoleWithWebIdentity"],
          principals: [{ type: "Federated", identifiers: [props.oidcProviderArn] }],
          condition: [
            { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:aud`, values: [GITHUB_OIDC_AUDIENCE] },
            { test: "StringEquals", variable: `${GITHUB_OIDC_HOST}:sub`, values: [...props.subjects] },
          ],
        },
      ],
    });
    this.role = new IamRole(this, "role", {
      provider,
      name: props.name,
      description: props.description,
      assumeRolePolicy: trust.json,
      maxSessionDuration: 3600,
    });
    this.arn = this.role.arn;
    props.managedPolicyArns.forEach((policyArn, i) => {
      new IamRolePolicyAttachment(this, `managed-${i}`, { provider, role: this.role.name, policyArn });
    });
    (props.policies ?? []).forEach((statements, i) => {
      const policy = new IamPolicy(this, `actions-${i}`, {
        provider,
        name: `${props.name}-${i + 1}`,
        description: `${props.description}: Terraform actions (stacks/bootstrap/terraform-actions.ts), part ${i + 1}`,
        policy: new DataAwsIamPolicyDocument(this, `actions-${i}-document`, {
          statement: statements.map((s) => ({ sid: s.sid, actions: s.actions, resources: s.resources })),
        }).json,
      });
      new IamRolePolicyAttachment(this, `actions-${i}-attachment`, {
        provider,
        role: this.role.name,
        policyArn: policy.arn,
      });
    });
    if (props.statements.length > 0) {
      const policy = new DataAwsIamPolicyDocument(this, "policy", {
        statement: props.statements.map((s) => ({ sid: s.sid, actions: s.actions, resources: s.resources })),
      });
      new IamRolePolicy(this, "role-policy", {
        provider,
        name: "state-and-secrets",
        role: this.role.id,
        policy: policy.json,
      });
    }
  }
}
