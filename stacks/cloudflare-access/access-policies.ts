import {
  ZeroTrustAccessPolicy,
  type ZeroTrustAccessPolicyInclude,
} from "@cdktf/provider-cloudflare/lib/zero-trust-access-policy";
import { Construct } from "constructs";
import type { CloudflareConfig } from "../../config";

export interface AccessPoliciesProps {
  readonly accountId: string;
  readonly namePrefix: string;
  readonly access: CloudflareConfig["access"];
  readonly sessionDuration: string;
  /** Every policy requires this login method, so no other method can let anyone in. */
  readonly loginMethodId: string;
}

/** Reusable Access policies: who may reach AWS, always through the Cognito login method. */
export class AccessPolicies extends Construct {
  /** Policy ids in precedence order. */
  public readonly policyIds: string[] = [];

  constructor(scope: Construct, id: string, props: AccessPoliciesProps) {
    super(scope, id);
    const a = props.access;
    const rules: [string, ZeroTrustAccessPolicyInclude[]][] = [
      ["email-domains", a.emailDomains.map((domain) => ({ emailDomain: { domain } }))],
      ["emails", a.emails.map((email) => ({ email: { email } }))],
      ["access-groups", a.groups.map((groupId) => ({ group: { id: groupId } }))],
    ];
    for (const [kind, include] of rules) {
      if (include.length === 0) continue;
      const policy = new ZeroTrustAccessPolicy(this, kind, {
        accountId: props.accountId,
        name: `${props.namePrefix} (${kind})`,
        decision: "allow",
        include,
        require: [{ loginMethod: { id: props.loginMethodId } }],
        sessionDuration: props.sessionDuration,
      });
      this.policyIds.push(policy.id);
    }
  }
}
