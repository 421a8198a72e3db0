import { blocksOf, list, type PolicyRule, type Violation } from "./rule";

const TYPES = ["cloudflare_zero_trust_access_application", "cloudflare_access_application"];

/**
 * A Cloudflare Access SaaS application (the SAML IdP of IAM Identity Center) accepts exactly one login method
 * and redirects to it: any other method (e.g. one-time PIN) could assert an email to IdC. It must have policies:
 * without them nobody, or with some account defaults everybody, gets in.
 */
export const cloudflareSaasApp: PolicyRule = {
  id: "cloudflare-saas-app",
  check(stack) {
    const violations: Violation[] = [];
    for (const type of TYPES) {
      for (const [id, app] of blocksOf(stack, "resource", type)) {
        if (app.type !== "saas") continue;
        const address = `${type}.${id}`;
        const idps = list(app.allowed_idps);
        if (idps.length !== 1) {
          violations.push({
            address,
            message: `allows ${idps.length === 0 ? "every login method (allowed_idps unset)" : `${idps.length} login methods`}: expected allowed_idps with exactly one (the Cognito login method)`,
          });
        }
        if (app.auto_redirect_to_identity !== true) {
          violations.push({
            address,
            message: "shows a login method picker: expected auto_redirect_to_identity = true",
          });
        }
        if (list(app.policies).length === 0) {
          violations.push({ address, message: "has no Access policies: expected at least one in policies" });
        }
      }
    }
    return violations;
  },
};
