import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudflareProvider } from "@cdktf/provider-cloudflare/lib/provider";
import { Fn, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { CloudflareConfig } from "../../config";
import { awsProviderAccess, type AwsAccountAccess } from "../shared/aws-account";
import { addOutputs } from "../shared/outputs";
import { configureBackend, type StateSettings } from "../backend";
import { AccessPolicies } from "./access-policies";
import { CognitoLoginMethod } from "./login-method";
import { IdentityCenterSamlApp } from "./saml-application";
import { certificatePem, samlIdpMetadataUrl, samlIdpMetadataXml } from "./saml-metadata";

export { AccessPolicies, CognitoLoginMethod, IdentityCenterSamlApp };

/** What this stack needs from the identity-center stack. */
export interface IdentityCenterSpRef {
  readonly issuerUrl: string;
  readonly acsUrl: string;
  readonly accessPortalUrl: string;
}

/** What this stack needs from the cognito stack. */
export interface CognitoOidcRef {
  readonly region: string;
  readonly authorizationUrl: string;
  readonly tokenUrl: string;
  readonly jwksUrl: string;
  readonly clientId: string;
  /** Secrets Manager secret holding `{"client_id","client_secret"}`. */
  readonly clientSecretArn: string;
}

export interface CloudflareAccessStackProps {
  readonly state: StateSettings;
  readonly tags: Readonly<Record<string, string>>;
  readonly environment: string;
  readonly cloudflare: CloudflareConfig;
  readonly identityCenter: IdentityCenterSpRef;
  readonly cognito: CognitoOidcRef;
  /** The cognito account (where the client secret lives) and the deploy role that reads it. */
  readonly cognitoAccount?: AwsAccountAccess;
}

/** Last in apply order: Cloudflare Access turns Cognito's OIDC into the SAML that IAM Identity Center accepts. */
export class CloudflareAccessStack extends TerraformStack {
  public readonly samlApp: IdentityCenterSamlApp;

  constructor(scope: Construct, id: string, props: CloudflareAccessStackProps) {
    super(scope, id);
    configureBackend(this, props.state);
    const cf = props.cloudflare;
    // Credentials come from CLOUDFLARE_API_TOKEN; nothing secret is configured here.
    new CloudflareProvider(this, "cloudflare", {});
    new AwsProvider(this, "aws", {
      region: props.cognito.region,
      defaultTags: [{ tags: { ...props.tags } }],
      ...awsProviderAccess(props.cognitoAccount ?? {}, id),
    });

    // The client secret is read from Secrets Manager at plan time, so it never sits in any output or JSON file.
    const clientCredentials = new DataAwsSecretsmanagerSecretVersion(this, "cognito-client-credentials", {
      secretId: props.cognito.clientSecretArn,
    });
    const loginMethod = new CognitoLoginMethod(this, "cognito-login-method", {
      accountId: cf.accountId,
      name: `Amazon Cognito (${props.environment})`,
      clientId: props.cognito.clientId,
      clientSecret: Fn.lookup(Fn.jsondecode(clientCredentials.secretString), "client_secret"),
      authorizationUrl: props.cognito.authorizationUrl,
      tokenUrl: props.cognito.tokenUrl,
      jwksUrl: props.cognito.jwksUrl,
      accessControlAttributes: cf.accessControlAttributes,
    });
    const policies = new AccessPolicies(this, "access-policies", {
      accountId: cf.accountId,
      namePrefix: `${cf.appName} ${props.environment}`,
      access: cf.access,
      sessionDuration: cf.sessionDuration,
      loginMethodId: loginMethod.id,
    });
    this.samlApp = new IdentityCenterSamlApp(this, "identity-center-app", {
      accountId: cf.accountId,
      name: cf.appName,
      spEntityId: props.identityCenter.issuerUrl,
      acsUrl: props.identityCenter.acsUrl,
      loginMethodId: loginMethod.id,
      policyIds: policies.policyIds,
      sessionDuration: cf.sessionDuration,
      accessPortalUrl: props.identityCenter.accessPortalUrl,
      accessControlAttributes: cf.accessControlAttributes,
    });

    // Everything the one console step needs (IdC → Settings → Identity source → External identity provider).
    const app = this.samlApp;
    addOutputs(this, {
      identity_center_idp_sign_in_url: { value: app.ssoEndpoint, description: "IdP sign-in URL." },
      identity_center_idp_issuer_url: { value: app.idpEntityId, description: "IdP issuer URL." },
      identity_center_idp_certificate: {
        value: certificatePem(app.publicKey),
        description: "IdP certificate (PEM).",
      },
      identity_center_idp_metadata_url: {
        value: samlIdpMetadataUrl(app.ssoEndpoint),
        description: "IdP SAML metadata URL.",
      },
      identity_center_idp_metadata_xml: {
        value: samlIdpMetadataXml({
          entityId: app.idpEntityId,
          ssoUrl: app.ssoEndpoint,
          publicKey: app.publicKey,
        }),
        description:
          "IdP SAML metadata document: upload it as the IdP SAML metadata (npm run idc-metadata writes it to a file).",
      },
      cognito_login_method_id: {
        value: loginMethod.id,
        description: "Cloudflare Access login method (Cognito).",
      },
    });
  }
}
