/**
 * The application's grant and authentication method: the two settings aws provider 6.25 has no resource
 * for. The stack outputs them (and the equivalent `aws sso-admin` commands); `npm run
 * identity-propagation:configure` applies them. Shapes: IAM Identity Center API reference,
 * PutApplicationGrant (Grant.JwtBearer) and PutApplicationAuthenticationMethod (AuthenticationMethod.Iam).
 */

/** RFC 7523: the application exchanges a JWT from the trusted token issuer for an IdC token. */
export const JWT_BEARER_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";
export const IAM_AUTHENTICATION_METHOD_TYPE = "IAM";
/** The call the token-exchange accounts' principals make (sso-oauth:CreateTokenWithIAM). */
export const CREATE_TOKEN_WITH_IAM_ACTION = "sso-oauth:CreateTokenWithIAM";

export interface ApplicationGrant {
  readonly JwtBearer: {
    readonly AuthorizedTokenIssuers: readonly {
      readonly TrustedTokenIssuerArn: string;
      readonly AuthorizedAudiences: readonly string[];
    }[];
  };
}

export interface IamAuthenticationMethod {
  readonly Iam: { readonly ActorPolicy: Record<string, unknown> };
}

/** Tokens of this issuer, for this audience (the app client id), may be exchanged. */
export function applicationGrant(trustedTokenIssuerArn: string, audience: string): ApplicationGrant {
  return {
    JwtBearer: {
      AuthorizedTokenIssuers: [
        { TrustedTokenIssuerArn: trustedTokenIssuerArn, AuthorizedAudiences: [audience] },
      ],
    },
  };
}

/** Principals of these accounts may call CreateTokenWithIAM for the application (their IAM policies decide which). */
export function iamAuthenticationMethod(accounts: readonly string[]): IamAuthenticationMethod {
  return {
    Iam: {
      ActorPolicy: {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "TokenExchangeAccounts",
            Effect: "Allow",
            Principal: { AWS: [...accounts] },
            Action: CREATE_TOKEN_WITH_IAM_ACTION,
            // The policy is the application's own: "*" is this application (API reference example).
            Resource: "*",
          },
        ],
      },
    },
  };
}
