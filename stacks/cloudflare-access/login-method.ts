import { ZeroTrustAccessIdentityProvider } from "@cdktf/provider-cloudflare/lib/zero-trust-access-identity-provider";
import { Construct } from "constructs";
import { IDENTITY_STORE_USER_ID_CLAIM } from "../../lambda-src/pre-token-generation/contract";

export interface CognitoLoginMethodProps {
  readonly accountId: string;
  readonly name: string;
  readonly clientId: string;
  /** A Terraform expression (read from Secrets Manager at plan time), never a literal. */
  readonly clientSecret: string;
  readonly authorizationUrl: string;
  readonly tokenUrl: string;
  readonly jwksUrl: string;
  /** ABAC key → claim: every claim named here is requested, or its SAML attribute would stay empty. */
  readonly accessControlAttributes: Readonly<Record<string, string>>;
}

/** Claims Cloudflare copies from Cognito's ID token into the Access identity (and so into SAML attributes). */
export const COGNITO_CLAIMS = [
  "email_verified",
  "given_name",
  "family_name",
  IDENTITY_STORE_USER_ID_CLAIM,
] as const;

/**
 * The claims the login method requests: the fixed ones, then each claim an ABAC attribute reads (Cloudflare
 * passes a SAML attribute's value only from a claim it was told to copy).
 */
export function cognitoLoginClaims(accessControlAttributes: Readonly<Record<string, string>>): string[] {
  return [...new Set<string>([...COGNITO_CLAIMS, ...Object.values(accessControlAttributes)])];
}

/** The Cloudflare Access login method that authenticates people against Cognito (OIDC, code + PKCE). */
export class CognitoLoginMethod extends Construct {
  public readonly id: string;

  constructor(scope: Construct, id: string, props: CognitoLoginMethodProps) {
    super(scope, id);
    const idp = new ZeroTrustAccessIdentityProvider(this, "identity-provider", {
      accountId: props.accountId,
      name: props.name,
      type: "oidc",
      config: {
        clientId: props.clientId,
        clientSecret: props.clientSecret,
        authUrl: props.authorizationUrl,
        tokenUrl: props.tokenUrl,
        certsUrl: props.jwksUrl,
        scopes: ["openid", "email", "profile"],
        emailClaimName: "email",
        claims: cognitoLoginClaims(props.accessControlAttributes),
        pkceEnabled: true,
      },
    });
    this.id = idp.id;
  }
}
