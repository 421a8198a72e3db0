import { SsoadminApplication } from "@cdktf/provider-aws/lib/ssoadmin-application";
import { SsoadminApplicationAccessScope } from "@cdktf/provider-aws/lib/ssoadmin-application-access-scope";
import { SsoadminApplicationAssignmentConfiguration } from "@cdktf/provider-aws/lib/ssoadmin-application-assignment-configuration";
import { Construct } from "constructs";
import type { IdcAccessScope } from "../../config";
import { idFromName } from "../naming";

export interface PropagationApplicationProps {
  readonly instanceArn: string;
  readonly name: string;
  readonly scopes: readonly IdcAccessScope[];
  /** AWS partition of the IdC instance, for the application provider's ARN. */
  readonly partition: string;
}

/**
 * The customer managed OAuth 2.0 application in IdC that exchanges the pool's tokens (CreateTokenWithIAM).
 * Anyone the trusted token issuer maps to an Identity Store user may use it (assignment not required):
 * what they can reach is decided by the receiving services' grants to that user and their groups.
 */
export class PropagationApplication extends Construct {
  public readonly arn: string;

  constructor(scope: Construct, id: string, props: PropagationApplicationProps) {
    super(scope, id);
    const app = new SsoadminApplication(this, "application", {
      instanceArn: props.instanceArn,
      name: props.name,
      description: "Trusted identity propagation with tokens of the bridge's Cognito user pool",
      // CreateApplication creates customer managed OAuth 2.0 applications only, with this provider.
      applicationProviderArn: `arn:${props.partition}:sso::aws:applicationProvider/custom`,
    });
    new SsoadminApplicationAssignmentConfiguration(this, "assignment-configuration", {
      applicationArn: app.arn,
      assignmentRequired: false,
    });
    for (const scope of props.scopes) {
      new SsoadminApplicationAccessScope(this, idFromName("scope", scope), {
        applicationArn: app.arn,
        scope,
      });
    }
    this.arn = app.arn;
  }
}
