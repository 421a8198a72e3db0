import { CognitoIdentityProvider } from "@cdktf/provider-aws/lib/cognito-identity-provider";
import { CognitoUserPool, type CognitoUserPoolSchema } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { CognitoUserPoolDomain } from "@cdktf/provider-aws/lib/cognito-user-pool-domain";
import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { upstreamSecretVariable, type CognitoConfig, type UpstreamProviderConfig } from "../../config";
import {
  BRIDGE_CUSTOM_ATTRIBUTES,
  MAX_STRING_LENGTH,
  type CustomAttributeConfig,
} from "../../config/cognito-attributes";
import { idFromName } from "../naming";

/**
 * provider_details keys Cognito fills in itself (API reference, CreateIdentityProvider: OIDC endpoints it
 * discovers from the issuer and the read-only attributes_url_add_attributes; for SAML, what it reads from the
 * metadata). They are never configured here, so Terraform must not plan to remove them after every apply.
 */
export const COGNITO_WRITTEN_PROVIDER_DETAILS = {
  oidc: ["attributes_url", "authorize_url", "token_url", "jwks_uri", "attributes_url_add_attributes"],
  saml: ["ActiveEncryptionCertificate", "SLORedirectBindingURI", "SSORedirectBindingURI"],
} as const;

export interface UserPoolProps {
  readonly name: string;
  readonly cognito: CognitoConfig;
  /** The Lambda that Cognito calls before issuing tokens (Pre Token Generation V2). */
  readonly preTokenGenerationArn: string;
}

/** The user pool people sign in to, its hosted domain and any upstream identity providers. */
export class UserPool extends Construct {
  public readonly pool: CognitoUserPool;
  public readonly arn: string;
  public readonly id: string;
  /** OIDC issuer: `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
  public readonly issuerUrl: string;
  /** Hosted domain base URL: `https://<prefix>.auth.<region>.amazoncognito.com`. */
  public readonly domainUrl: string;
  /** Names to list in an app client's supported identity providers. */
  public readonly identityProviderNames: string[];

  constructor(scope: Construct, id: string, props: UserPoolProps) {
    super(scope, id);
    const c = props.cognito;
    this.pool = new CognitoUserPool(this, "pool", {
      name: props.name,
      // Pre Token Generation V2 (access-token claims) needs Essentials or Plus.
      userPoolTier: c.userPoolTier,
      usernameAttributes: ["email"],
      usernameConfiguration: { caseSensitive: false },
      autoVerifiedAttributes: ["email"],
      adminCreateUserConfig: { allowAdminCreateUserOnly: true },
      deletionProtection: "ACTIVE",
      passwordPolicy: {
        minimumLength: c.passwordMinimumLength,
        requireLowercase: true,
        requireUppercase: true,
        requireNumbers: true,
        requireSymbols: true,
        temporaryPasswordValidityDays: 3,
      },
      mfaConfiguration: c.mfa,
      softwareTokenMfaConfiguration: c.mfa === "OFF" ? undefined : { enabled: true },
      accountRecoverySetting: { recoveryMechanism: [{ name: "verified_email", priority: 1 }] },
      lambdaConfig: {
        preTokenGenerationConfig: { lambdaArn: props.preTokenGenerationArn, lambdaVersion: "V2_0" },
      },
      // Custom attributes can be added to an existing pool, never changed or removed (Cognito's rule).
      schema: [
        ...BRIDGE_CUSTOM_ATTRIBUTES.map((a) =>
          schemaAttribute({
            name: a.name,
            type: "String",
            mutable: true,
            minLength: a.minLength,
            maxLength: a.maxLength,
          }),
        ),
        ...c.customAttributes.map(schemaAttribute),
      ],
    });
    this.arn = this.pool.arn;
    this.id = this.pool.id;
    this.issuerUrl = `https://${this.pool.endpoint}`;

    const domain = new CognitoUserPoolDomain(this, "domain", {
      domain: c.domainPrefix,
      userPoolId: this.pool.id,
    });
    this.domainUrl = `https://${domain.domain}.auth.${c.region}.amazoncognito.com`;

    this.identityProviderNames = [
      "COGNITO",
      ...c.upstreamProviders.map(
        (p) => new UpstreamIdentityProvider(this, idFromName(p.name), p, this.pool.id).name,
      ),
    ];
  }
}

/**
 * One custom attribute of the pool's schema. String and Number attributes always carry their constraints
 * block: without it the provider plans to replace the pool on every run (aws_cognito_user_pool docs, schema).
 */
function schemaAttribute(a: CustomAttributeConfig): CognitoUserPoolSchema {
  return {
    name: a.name,
    attributeDataType: a.type,
    mutable: a.mutable,
    developerOnlyAttribute: false,
    required: false,
    stringAttributeConstraints:
      a.type === "String"
        ? { minLength: String(a.minLength ?? 0), maxLength: String(a.maxLength ?? MAX_STRING_LENGTH) }
        : undefined,
    numberAttributeConstraints:
      a.type === "Number"
        ? {
            minValue: a.minValue === undefined ? undefined : String(a.minValue),
            maxValue: a.maxValue === undefined ? undefined : String(a.maxValue),
          }
        : undefined,
  };
}

/** An upstream OIDC or SAML IdP federated into the pool; OIDC client secrets come from `TF_VAR_…`. */
class UpstreamIdentityProvider extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, p: UpstreamProviderConfig, userPoolId: string) {
    super(scope, id);
    let details: Record<string, string>;
    if (p.type === "oidc") {
      const envName = upstreamSecretVariable(p.name);
      const clientSecret = new TerraformVariable(this, "client_secret", {
        type: "string",
        sensitive: true,
        nullable: false,
        description: `Client secret of the upstream OIDC provider ${p.name} (set ${envName}).`,
      });
      // A stable variable name users can set as TF_VAR_<name>, whatever construct path it sits at.
      clientSecret.overrideLogicalId(envName.slice("TF_VAR_".length));
      details = {
        client_id: p.clientId,
        client_secret: clientSecret.stringValue,
        oidc_issuer: p.issuerUrl,
        authorize_scopes: p.scopes.join(" "),
        attributes_request_method: "GET",
      };
    } else {
      details = {
        MetadataURL: p.metadataUrl,
        // Sign-out stays local: Cloudflare and IdC sessions end on their own, not through the upstream.
        IDPSignout: "false",
        // Only sign-ins that Cognito started: an unsolicited assertion could not be tied to a request.
        IDPInit: "false",
      };
    }
    // Cognito always maps an OIDC user's username from sub; declaring it keeps the plan from removing it.
    const mapping: Record<string, string> =
      p.type === "oidc" ? { username: "sub", ...p.attributeMapping } : { ...p.attributeMapping };
    const provider = new CognitoIdentityProvider(this, "provider", {
      userPoolId,
      providerName: p.name,
      providerType: p.type === "oidc" ? "OIDC" : "SAML",
      providerDetails: details,
      attributeMapping: mapping,
      idpIdentifiers: p.identifiers,
      lifecycle: {
        ignoreChanges: COGNITO_WRITTEN_PROVIDER_DETAILS[p.type].map((key) => `provider_details["${key}"]`),
      },
    });
    this.name = provider.providerName;
  }
}
