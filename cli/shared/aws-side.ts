/**
 * The two AWS sides a command may read: IAM Identity Center (identityCenter.region, identityCenter.assumeRoleArn)
 * and Cognito (cognito.region, cognito.assumeRoleArn). With a role configured, a command reads that side as
 * the role, assumed with the default credential chain's credentials (STS AssumeRole in the side's region;
 * AWS_ENDPOINT_URL_STS is honoured), as `cdktf deploy` reaches the side through the provider's assume_role.
 * The stacks of each side are read the same way: identity-center as the IdC side; cognito, cloudflare-access
 * (whose aws provider is in the Cognito account) and identity-propagation's Cognito inputs as the Cognito side.
 */
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import type { BridgeConfig } from "../../config";

export type SideName = "identityCenter" | "cognito";

export interface AwsSide {
  readonly name: SideName;
  readonly region: string;
  readonly assumeRoleArn?: string;
}

export function awsSide(config: BridgeConfig, name: SideName): AwsSide {
  const c = name === "identityCenter" ? config.identityCenter : config.cognito;
  return { name, region: c.region, assumeRoleArn: c.assumeRoleArn };
}

/** The side whose account holds a stack of this kind (`identity-center`, `cognito`, …). */
export function sideOfStack(config: BridgeConfig, kind: string): AwsSide {
  return awsSide(
    config,
    kind === "identity-center" || kind === "identity-propagation" ? "identityCenter" : "cognito",
  );
}

/** Refreshed this long before they expire. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Credentials of the side's role (undefined without one: the default chain), assumed once and refreshed
 * before they expire. `command` names the session, so CloudTrail shows which command read.
 */
export function sideCredentials(
  side: AwsSide,
  command: string,
  env: NodeJS.ProcessEnv,
): AwsCredentialIdentityProvider | undefined {
  const roleArn = side.assumeRoleArn;
  if (roleArn === undefined) return undefined;
  let current: Promise<AwsCredentialIdentity> | undefined;
  let expiresAt = 0;
  const assume = async (): Promise<AwsCredentialIdentity> => {
    const sts = new STSClient({
      region: side.region,
      endpoint: env.AWS_ENDPOINT_URL_STS || undefined,
      maxAttempts: 3,
    });
    try {
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: `idc-oidc-bridge-${command}`.slice(0, 64),
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
        throw new Error(`STS AssumeRole ${roleArn} returned no credentials`);
      }
      expiresAt = c.Expiration.getTime();
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
      };
    } catch (e) {
      current = undefined;
      const err = e as Error;
      throw new Error(
        `cannot assume ${side.name}.assumeRoleArn ${roleArn} (${err.name}: ${err.message}): the credentials in your environment must be allowed sts:AssumeRole on it`,
        { cause: e },
      );
    } finally {
      sts.destroy();
    }
  };
  return () => {
    if (current === undefined || Date.now() >= expiresAt - REFRESH_MARGIN_MS) current = assume();
    return current;
  };
}

/** Options for an AWS SDK client of that side: its region, and its role's credentials when one is set. */
export function sideClientConfig(
  side: AwsSide,
  command: string,
  env: NodeJS.ProcessEnv,
): { region: string; credentials?: AwsCredentialIdentityProvider } {
  const credentials = sideCredentials(side, command, env);
  return credentials === undefined ? { region: side.region } : { region: side.region, credentials };
}

/**
 * The environment for a child process (`terraform output`) that reads as that side: the role's credentials
 * as AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN (a profile would win over them: removed).
 */
export async function sideProcessEnv(
  side: AwsSide,
  command: string,
  env: NodeJS.ProcessEnv,
): Promise<NodeJS.ProcessEnv> {
  const credentials = sideCredentials(side, command, env);
  if (credentials === undefined) return env;
  const c = await credentials();
  const rest = { ...env };
  delete rest.AWS_PROFILE;
  return {
    ...rest,
    AWS_ACCESS_KEY_ID: c.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
    AWS_SESSION_TOKEN: c.sessionToken,
  };
}
