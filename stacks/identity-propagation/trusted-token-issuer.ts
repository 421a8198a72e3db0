import { SsoadminTrustedTokenIssuer } from "@cdktf/provider-aws/lib/ssoadmin-trusted-token-issuer";
import { Construct } from "constructs";
import { IDC_USER_NAME_CLAIM } from "../../lambda-src/pre-token-generation/contract";

export interface TrustedTokenIssuerProps {
  readonly instanceArn: string;
  readonly name: string;
  /** The user pool's issuer (`https://cognito-idp.<region>.amazonaws.com/<pool id>`). */
  readonly issuerUrl: string;
}

/**
 * The user pool as an IdC trusted token issuer. The JIT Lambda puts the exact IdC UserName it provisioned
 * into every token as `idc_user_name`, so the match to the Identity Store's `userName` never depends on
 * how Cognito spells the email.
 */
export class TrustedTokenIssuer extends Construct {
  public readonly arn: string;

  constructor(scope: Construct, id: string, props: TrustedTokenIssuerProps) {
    super(scope, id);
    const issuer = new SsoadminTrustedTokenIssuer(this, "issuer", {
      instanceArn: props.instanceArn,
      name: props.name,
      trustedTokenIssuerType: "OIDC_JWT",
      trustedTokenIssuerConfiguration: [
        {
          oidcJwtConfiguration: [
            {
              issuerUrl: props.issuerUrl,
              claimAttributePath: IDC_USER_NAME_CLAIM,
              identityStoreAttributePath: "userName",
              // Cognito publishes its keys through OpenID discovery (/.well-known/openid-configuration).
              jwksRetrievalOption: "OPEN_ID_DISCOVERY",
            },
          ],
        },
      ],
    });
    this.arn = issuer.arn;
  }
}
