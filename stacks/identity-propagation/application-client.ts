import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { hostedUiClientConfig } from "../cognito/hosted-ui-client";
import type { ClientAttributes } from "../cognito/client-attributes";

export interface PropagationAppClientProps {
  /** The aws provider of the user pool's region. */
  readonly provider: AwsProvider;
  readonly userPoolId: string;
  readonly identityProviderNames: string[];
  /** The pool's one rule (`appClientAttributes`): the Lambda's attributes readable, the mapped ones writable. */
  readonly attributes: ClientAttributes;
  readonly callbackUrls: readonly string[];
  /** Name of the Secrets Manager secret that receives `{"client_id","client_secret"}`. */
  readonly secretName: string;
}

/**
 * The pool's confidential app client for the propagating application: code flow only, the application's
 * callback URLs. Its id is the audience the trusted token issuer accepts; its secret goes to Secrets
 * Manager, never into an output.
 */
export class PropagationAppClient extends Construct {
  public readonly clientId: string;
  public readonly secretArn: string;

  constructor(scope: Construct, id: string, props: PropagationAppClientProps) {
    super(scope, id);
    const client = new CognitoUserPoolClient(this, "client", {
      provider: props.provider,
      ...hostedUiClientConfig({
        name: "identity-propagation",
        userPoolId: props.userPoolId,
        generateSecret: true,
        callbackUrls: props.callbackUrls,
        identityProviderNames: props.identityProviderNames,
        attributes: props.attributes,
      }),
    });
    const secret = new SecretsmanagerSecret(this, "secret", {
      provider: props.provider,
      name: props.secretName,
      description:
        "OIDC client credentials of the application that propagates identities to IAM Identity Center",
      recoveryWindowInDays: 7,
    });
    new SecretsmanagerSecretVersion(this, "secret-version", {
      provider: props.provider,
      secretId: secret.id,
      secretString: Fn.jsonencode({ client_id: client.id, client_secret: client.clientSecret }),
    });
    this.clientId = client.id;
    this.secretArn = secret.arn;
  }
}
