import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Fn, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { TrustedTokenIssuerConfig } from "../../config";
import type { ClientAttributes } from "../cognito/client-attributes";
import { configureBackend, type StateSettings } from "../backend";
import { awsProviderAccess, type AwsAccountAccess } from "../shared/aws-account";
import { addOutputs } from "../shared/outputs";
import { PropagationAppClient } from "./application-client";
import { PropagationApplication } from "./application";
import {
  applicationGrant,
  iamAuthenticationMethod,
  IAM_AUTHENTICATION_METHOD_TYPE,
  JWT_BEARER_GRANT_TYPE,
} from "./grant";
import { TrustedTokenIssuer } from "./trusted-token-issuer";

export { PropagationAppClient, PropagationApplication, TrustedTokenIssuer };

/** What this stack needs from the identity-center stack. */
export interface IdentityCenterInstanceRef {
  readonly region: string;
  readonly instanceArn: string;
  /** The account of the IdC instance and the deploy role there (as the identity-center stack's provider). */
  readonly account?: AwsAccountAccess;
}

/** What this stack needs from the cognito stack. */
export interface UserPoolRef {
  readonly region: string;
  readonly userPoolId: string;
  readonly issuerUrl: string;
  readonly identityProviderNames: string[];
  /** From config by `appClientAttributes`, the rule every app client of the pool follows. */
  readonly attributes: ClientAttributes;
  /** The account of the user pool and the deploy role there (as the cognito stack's provider). */
  readonly account?: AwsAccountAccess;
}

export interface IdentityPropagationStackProps {
  readonly state: StateSettings;
  readonly tags: Readonly<Record<string, string>>;
  readonly environment: string;
  readonly trustedTokenIssuer: TrustedTokenIssuerConfig;
  readonly identityCenter: IdentityCenterInstanceRef;
  readonly cognito: UserPoolRef;
}

/**
 * Fourth in apply order, only with `identityCenter.trustedTokenIssuer`: the user pool as an IdC trusted
 * token issuer, the app client and the customer managed application that exchange its tokens. The grant
 * and authentication method follow after apply (`npm run identity-propagation:configure`).
 */
export class IdentityPropagationStack extends TerraformStack {
  public readonly applicationArn: string;
  public readonly trustedTokenIssuerArn: string;
  public readonly clientId: string;

  constructor(scope: Construct, id: string, props: IdentityPropagationStackProps) {
    super(scope, id);
    configureBackend(this, props.state);
    const t = props.trustedTokenIssuer;
    const defaultTags = [{ tags: { ...props.tags } }];
    new AwsProvider(this, "aws", {
      region: props.identityCenter.region,
      defaultTags,
      ...awsProviderAccess(props.identityCenter.account ?? {}, id),
    });
    const poolRegion = new AwsProvider(this, "aws-cognito", {
      alias: "cognito",
      region: props.cognito.region,
      defaultTags,
      ...awsProviderAccess(props.cognito.account ?? {}, id),
    });

    const client = new PropagationAppClient(this, "application-client", {
      provider: poolRegion,
      userPoolId: props.cognito.userPoolId,
      identityProviderNames: props.cognito.identityProviderNames,
      attributes: props.cognito.attributes,
      callbackUrls: t.callbackUrls,
      secretName: `${props.environment}-idc-oidc-bridge/identity-propagation-client`,
    });
    const issuer = new TrustedTokenIssuer(this, "trusted-token-issuer", {
      instanceArn: props.identityCenter.instanceArn,
      name: t.name,
      issuerUrl: props.cognito.issuerUrl,
    });
    const application = new PropagationApplication(this, "application", {
      instanceArn: props.identityCenter.instanceArn,
      name: t.applicationName,
      scopes: t.scopes,
      partition: new DataAwsPartition(this, "partition").partition,
    });

    this.applicationArn = application.arn;
    this.trustedTokenIssuerArn = issuer.arn;
    this.clientId = client.clientId;

    const grant = applicationGrant(issuer.arn, client.clientId);
    const authenticationMethod = iamAuthenticationMethod(t.tokenExchangeAccounts);
    const region = props.identityCenter.region;
    addOutputs(this, {
      region: { value: region, description: "Region of the IAM Identity Center instance." },
      application_arn: {
        value: application.arn,
        description: "The customer managed OAuth application in IdC.",
      },
      trusted_token_issuer_arn: {
        value: issuer.arn,
        description: "The user pool as IdC trusted token issuer.",
      },
      client_id: {
        value: client.clientId,
        description: "App client of the application (the accepted audience).",
      },
      client_secret_arn: {
        value: client.secretArn,
        description: "Secrets Manager secret (Cognito region) with the app client id and secret.",
      },
      application_grant: {
        value: grant,
        description: `The application's ${JWT_BEARER_GRANT_TYPE} grant (applied by npm run identity-propagation:configure).`,
      },
      application_authentication_method: {
        value: authenticationMethod,
        description:
          "The application's IAM authentication method (applied by npm run identity-propagation:configure).",
      },
      put_application_grant_command: {
        value:
          `aws sso-admin put-application-grant --region ${region} --application-arn ${application.arn} ` +
          `--grant-type ${JWT_BEARER_GRANT_TYPE} --grant '${Fn.jsonencode(grant)}'`,
        description: "The same grant with the AWS CLI, if you cannot run identity-propagation:configure.",
      },
      put_application_authentication_method_command: {
        value:
          `aws sso-admin put-application-authentication-method --region ${region} --application-arn ${application.arn} ` +
          `--authentication-method-type ${IAM_AUTHENTICATION_METHOD_TYPE} --authentication-method '${Fn.jsonencode(authenticationMethod)}'`,
        description: "The same authentication method with the AWS CLI.",
      },
    });
  }
}
