import type { CognitoUserPoolClientConfig } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import type { ClientAttributes } from "./client-attributes";

export interface HostedUiClientProps {
  readonly name: string;
  readonly userPoolId: string;
  /** Confidential (a secret Cognito generates) or public (no secret: PKCE protects the code). */
  readonly generateSecret: boolean;
  readonly callbackUrls: readonly string[];
  readonly identityProviderNames: readonly string[];
  /** From `appClientAttributes`: the one rule for every client of the pool. */
  readonly attributes: ClientAttributes;
  readonly scopes?: readonly string[];
}

/**
 * The settings every app client of the pool shares: sign-in only through the hosted UI with the
 * authorization-code flow (no password grant), no user-existence leaks, revocable refresh tokens, short ID and
 * access tokens, and attribute permissions by the one rule.
 */
export function hostedUiClientConfig(props: HostedUiClientProps): CognitoUserPoolClientConfig {
  return {
    name: props.name,
    userPoolId: props.userPoolId,
    generateSecret: props.generateSecret,
    allowedOauthFlowsUserPoolClient: true,
    allowedOauthFlows: ["code"],
    allowedOauthScopes: [...(props.scopes ?? ["openid", "email", "profile"])],
    callbackUrls: [...props.callbackUrls],
    supportedIdentityProviders: [...props.identityProviderNames],
    readAttributes: props.attributes.readAttributes,
    writeAttributes: props.attributes.writeAttributes,
    explicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
    preventUserExistenceErrors: "ENABLED",
    enableTokenRevocation: true,
    authSessionValidity: 3,
    accessTokenValidity: 60,
    idTokenValidity: 60,
    refreshTokenValidity: 12,
    tokenValidityUnits: [{ accessToken: "minutes", idToken: "minutes", refreshToken: "hours" }],
  };
}
