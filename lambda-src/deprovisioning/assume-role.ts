import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";

/** Credentials are renewed this long before they expire. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Cross-account mode: credentials of the Identity Store access role in the IdC account, assumed with the
 * function's own role and cached per container until shortly before they expire.
 */
export function assumeRoleCredentials(
  roleArn: string,
  region: string,
  sessionName: string,
  sts: STSClient = new STSClient({ region }),
): AwsCredentialIdentityProvider {
  let cached: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const fresh = () =>
    cached?.expiration !== undefined && cached.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS;
  return async () => {
    if (fresh()) return cached!;
    pending ??= sts
      .send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: sessionName.replace(/[^\w+=,.@-]/g, "-").slice(0, 64),
          DurationSeconds: 3600,
        }),
      )
      .then((output) => {
        const c = output.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
          throw new Error(`AssumeRole of ${roleArn} returned no credentials`);
        }
        cached = {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
          expiration: c.Expiration,
        };
        return cached;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}
