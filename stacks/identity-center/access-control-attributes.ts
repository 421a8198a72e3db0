import { SsoadminInstanceAccessControlAttributes } from "@cdktf/provider-aws/lib/ssoadmin-instance-access-control-attributes";
import { Construct } from "constructs";

export interface AccessControlAttributesProps {
  readonly instanceArn: string;
  /** Attribute key → source, e.g. `{ "Department": "${path:enterprise.department}" }`. */
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * Attributes for access control (ABAC): session tags IdC passes to the accounts. With an external IdP,
 * values may also arrive in the SAML assertion as `https://aws.amazon.com/SAML/Attributes/AccessControl:<key>`
 * (see `cloudflare.accessControlAttributes`).
 */
export class AccessControlAttributes extends Construct {
  constructor(scope: Construct, id: string, props: AccessControlAttributesProps) {
    super(scope, id);
    new SsoadminInstanceAccessControlAttributes(this, "attributes", {
      instanceArn: props.instanceArn,
      // Sources such as `${path:enterprise.department}` are IdC syntax, not Terraform interpolations.
      attribute: Object.entries(props.attributes).map(([key, source]) => ({
        key,
        value: [{ source: [source] }],
      })),
    });
  }
}
