import { TerraformLocal } from "cdktf";
import { Construct } from "constructs";

export interface SamlServiceProviderProps {
  /** IdC's SAML issuer URL (console only: Settings → Identity source → Change → External IdP). */
  readonly issuerUrl: string;
  /** IdC's assertion consumer service URL (same console page). */
  readonly acsUrl: string;
}

/**
 * IdC's SAML service-provider settings. No API exposes them, so they come from config; holding them in
 * this stack lets the cloudflare-access stack read them through remote state like any other value.
 */
export class SamlServiceProvider extends Construct {
  public readonly issuerUrl: string;
  public readonly acsUrl: string;

  constructor(scope: Construct, id: string, props: SamlServiceProviderProps) {
    super(scope, id);
    this.issuerUrl = new TerraformLocal(this, "saml_issuer_url", props.issuerUrl).asString;
    this.acsUrl = new TerraformLocal(this, "saml_acs_url", props.acsUrl).asString;
  }
}
