import { DataAwsIamOpenidConnectProvider } from "@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";

/** GitHub Actions' OIDC issuer; its tokens for AWS carry `aud` = sts.amazonaws.com. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

export interface GithubOidcProviderProps {
  /** An account holds one provider per issuer URL: false reads the existing one instead. */
  readonly create: boolean;
  /** The aws provider of the account (the stack's default when unset). */
  readonly provider?: TerraformProvider;
}

/** The IAM OIDC identity provider for GitHub Actions (AWS trusts GitHub's certificate authority: no thumbprint). */
export class GithubOidcProvider extends Construct {
  public readonly arn: string;

  constructor(scope: Construct, id: string, props: GithubOidcProviderProps) {
    super(scope, id);
    const url = `https://${GITHUB_OIDC_HOST}`;
    this.arn = props.create
      ? new IamOpenidConnectProvider(this, "provider", {
          provider: props.provider,
          url,
          clientIdList: [GITHUB_OIDC_AUDIENCE],
        }).arn
      : new DataAwsIamOpenidConnectProvider(this, "existing", { provider: props.provider, url }).arn;
  }
}
