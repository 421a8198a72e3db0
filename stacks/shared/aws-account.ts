import type { AwsProviderConfig } from "@cdktf/provider-aws/lib/provider";

/** Where a stack's aws provider deploys: the account it must be, and the deploy role it assumes. */
export interface AwsAccountAccess {
  /** The provider refuses credentials of any other account (`allowed_account_ids`). */
  readonly accountId?: string;
  /** Role the provider assumes (`assume_role`), so one `cdktf deploy` reaches several accounts. */
  readonly assumeRoleArn?: string;
}

/** The aws provider arguments for `access`: none when the config names no account (today's behaviour). */
export function awsProviderAccess(
  access: AwsAccountAccess,
  sessionName: string,
): Pick<AwsProviderConfig, "allowedAccountIds" | "assumeRole"> {
  return {
    ...(access.accountId === undefined ? {} : { allowedAccountIds: [access.accountId] }),
    ...(access.assumeRoleArn === undefined
      ? {}
      : { assumeRole: [{ roleArn: access.assumeRoleArn, sessionName }] }),
  };
}
