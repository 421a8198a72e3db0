/** The IAM Identity Center console values the config names (Settings → identity source → SAML). */

/** IdC SAML 2.0 issuer: `https://<region>.signin.aws.amazon.com/platform/saml/d-xxxxxxxxxx`. */
export const IDC_ISSUER_URL =
  /^https:\/\/([a-z0-9-]+)\.signin\.aws\.amazon\.com\/platform\/saml\/(d-[0-9a-f]{10})$/;
/** IdC assertion consumer service: `https://<region>.signin.aws.amazon.com/platform/saml/acs/<uuid>`. */
export const IDC_ACS_URL =
  /^https:\/\/([a-z0-9-]+)\.signin\.aws\.amazon\.com\/platform\/saml\/acs\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
