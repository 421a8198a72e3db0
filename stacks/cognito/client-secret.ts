import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Fn } from "cdktf";
import { Construct } from "constructs";

export interface ClientCredentialsSecretProps {
  readonly name: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * The app client's id and secret as JSON (`{"client_id", "client_secret"}`) in Secrets Manager, for operators
 * and for the cloudflare-access stack. The value is a Terraform expression, never a literal in the JSON.
 */
export class ClientCredentialsSecret extends Construct {
  public readonly arn: string;

  constructor(scope: Construct, id: string, props: ClientCredentialsSecretProps) {
    super(scope, id);
    const secret = new SecretsmanagerSecret(this, "secret", {
      name: props.name,
      description: "OIDC client credentials Cloudflare Access uses to sign people in with Cognito",
      recoveryWindowInDays: 7,
    });
    new SecretsmanagerSecretVersion(this, "version", {
      secretId: secret.id,
      secretString: Fn.jsonencode({ client_id: props.clientId, client_secret: props.clientSecret }),
    });
    this.arn = secret.arn;
  }
}
