/**
 * Terraform expressions that turn the Cloudflare SaaS (SAML) application's computed attributes
 * into what the one IAM Identity Center console step needs: the signing certificate as PEM,
 * the metadata URL and a complete SAML 2.0 IdP metadata document.
 *
 * The inputs are only known at apply time (cdktf tokens such as `saasApp.publicKey`), so all the
 * string work happens in Terraform functions; TypeScript only assembles the expressions.
 *
 * Literal arguments of `Fn.*` calls are emitted into HCL string literals by cdktf, which escapes
 * newlines and `${` but neither `"` nor `\`: the literals below therefore avoid backslashes
 * (`[[:space:]]` instead of `\s`) and pre-escape the one double quote.
 */
import { Fn } from "cdktf";

/** The SaaS app's computed attributes (`saas_app.idp_entity_id`, `.sso_endpoint`, `.public_key`). */
export interface SamlIdpAttributes {
  /** Access entity ID / issuer. */
  readonly entityId: string;
  /** SSO endpoint: where IAM Identity Center sends the AuthnRequest. */
  readonly ssoUrl: string;
  /** Signing certificate: a PEM or only its base64 body, with or without line breaks. */
  readonly publicKey: string;
}

/**
 * PEM armour lines and all whitespace. Cloudflare documents `public_key` as the certificate's base64
 * body with line breaks ("wrap it in BEGIN/END CERTIFICATE"), so either form must give the same body.
 */
const PEM_ARMOUR_AND_WHITESPACE = "/-----(BEGIN|END)[^-]*-----|[[:space:]]+/";

/** The certificate's DER as one line of base64: the content of `ds:X509Certificate`. */
export function certificateBase64Body(publicKey: string): string {
  return Fn.replace(publicKey, PEM_ARMOUR_AND_WHITESPACE, "");
}

/** The certificate as PEM: armour lines and a body wrapped at 64 characters (RFC 7468). */
export function certificatePem(publicKey: string): string {
  // Terraform has no wrap function: split the one-line body into chunks of at most 64 characters.
  const lines = Fn.join("\n", Fn.regexall(".{1,64}", certificateBase64Body(publicKey)));
  return `-----BEGIN CERTIFICATE-----\n${lines}\n-----END CERTIFICATE-----\n`;
}

/** Cloudflare serves the app's IdP metadata at `<sso endpoint>/saml-metadata`. */
export function samlIdpMetadataUrl(ssoUrl: string): string {
  return `${Fn.trimsuffix(ssoUrl, "/")}/saml-metadata`;
}

/** Escapes a value for XML text and (single- or double-quoted) attributes; `&` must go first. */
export function xmlEscape(value: string): string {
  const amp = Fn.replace(value, "&", "&amp;");
  const lt = Fn.replace(amp, "<", "&lt;");
  const gt = Fn.replace(lt, ">", "&gt;");
  const quot = Fn.replace(gt, '\\"', "&quot;");
  return Fn.replace(quot, "'", "&apos;");
}

/**
 * A SAML 2.0 IdP metadata document (the file IAM Identity Center accepts as "IdP SAML metadata"):
 * signing key, emailAddress NameID (Cloudflare sends the lowercased email) and SSO over both bindings.
 * Element order follows the OASIS schema: KeyDescriptor, NameIDFormat, SingleSignOnService.
 */
export function samlIdpMetadataXml(attrs: SamlIdpAttributes): string {
  const entityId = xmlEscape(attrs.entityId);
  const ssoUrl = xmlEscape(attrs.ssoUrl);
  const certificate = certificateBase64Body(attrs.publicKey);
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo>
        <ds:X509Data>
          <ds:X509Certificate>${certificate}</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${ssoUrl}"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${ssoUrl}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`;
}
