import { ZeroTrustAccessApplication } from "@cdktf/provider-cloudflare/lib/zero-trust-access-application";
import { Construct } from "constructs";

/** IdC matches the SAML NameID to the Identity Store UserName, which the JIT Lambda sets to the lowercased email. */
export const NAME_ID_TRANSFORM = "$lowercase(email)";

/** IdC reads ABAC session tags from these SAML attributes. */
export const ACCESS_CONTROL_ATTRIBUTE_PREFIX = "https://aws.amazon.com/SAML/Attributes/AccessControl:";

export interface IdentityCenterSamlAppProps {
  readonly accountId: string;
  readonly name: string;
  /** IdC's SAML issuer (SP entity id). */
  readonly spEntityId: string;
  /** IdC's assertion consumer service URL. */
  readonly acsUrl: string;
  /** The only login method allowed to assert identities to IdC. */
  readonly loginMethodId: string;
  /** Access policy ids in precedence order. */
  readonly policyIds: readonly string[];
  readonly sessionDuration: string;
  /** Where the app-launcher tile sends people: the AWS access portal. */
  readonly accessPortalUrl: string;
  /** ABAC key → claim of the Cognito login method, sent as AccessControl:<key>. */
  readonly accessControlAttributes: Readonly<Record<string, string>>;
}

/** The Cloudflare Access SaaS application that is IAM Identity Center's external SAML IdP. */
export class IdentityCenterSamlApp extends Construct {
  public readonly app: ZeroTrustAccessApplication;
  /** The IdP's SSO endpoint (IdC: "IdP sign-in URL"). */
  public readonly ssoEndpoint: string;
  /** The IdP's entity id (IdC: "IdP issuer URL"). */
  public readonly idpEntityId: string;
  /** The IdP's signing certificate as Cloudflare returns it. */
  public readonly publicKey: string;

  constructor(scope: Construct, id: string, props: IdentityCenterSamlAppProps) {
    super(scope, id);
    const customAttributes = Object.entries(props.accessControlAttributes).map(([key, claim]) => ({
      name: `${ACCESS_CONTROL_ATTRIBUTE_PREFIX}${key}`,
      nameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
      source: { name: claim },
    }));
    this.app = new ZeroTrustAccessApplication(this, "application", {
      accountId: props.accountId,
      name: props.name,
      type: "saas",
      sessionDuration: props.sessionDuration,
      // Exactly the Cognito login method: no one-time PIN or other method can assert an email to AWS.
      allowedIdps: [props.loginMethodId],
      autoRedirectToIdentity: true,
      appLauncherVisible: true,
      // Always managed here: the v5 provider detaches policies that are not listed.
      policies: props.policyIds.map((policyId, i) => ({ id: policyId, precedence: i + 1 })),
      saasApp: {
        authType: "saml",
        spEntityId: props.spEntityId,
        consumerServiceUrl: props.acsUrl,
        nameIdFormat: "email",
        nameIdTransformJsonata: NAME_ID_TRANSFORM,
        appLauncherUrl: props.accessPortalUrl,
        // Left unset when empty: the API returns no list, and [] would show as drift on every plan.
        customAttributes: customAttributes.length > 0 ? customAttributes : undefined,
      },
    });
    this.ssoEndpoint = this.app.saasApp.ssoEndpoint;
    this.idpEntityId = this.app.saasApp.idpEntityId;
    this.publicKey = this.app.saasApp.publicKey;
  }
}
