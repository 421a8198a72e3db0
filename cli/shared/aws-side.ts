/**
 * The two AWS sides a command may read: IAM Identity Center (identityCenter.region, identityCenter.assumeRoleArn)
 * and Cognito (cognito.region, cognito.assumeRoleArn). With a role configured, a command reads that side as
 * the role, assumed with the default credential chain's credentials (STS AssumeRole in the side's region;
 * AWS_ENDPOINT_URL_STS is honoured), as `cdktf deploy` reaches the side through the provider's assume_role.
 * The stacks of each side are read the same way: identity-center as the IdC side; cognito, cloudflare-access
 * (whose aws provider is in the Cognito account) and identity-propagation's Cognito inputs as the Cognito side.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
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

/** The account of a role ARN (`arn:<partition>:iam::<account>:role/…`). */
const accountOfRole = (roleArn: string): string | undefined => roleArn.split(":")[4];

/**
 * How a command reaches the side: as the role it assumes, or, when the caller's own credentials already are
 * in the role's account (CI, whose per-account roles are chosen per stack; an administrator signed in to that
 * account), as the caller. GetCallerIdentity decides, once per side and command: a role that does not trust the
 * caller (the administrators' role in the config does not trust CI's roles) is never needed from inside its
 * own account.
 */
class SideAccess {
  private current: Promise<AwsCredentialIdentity | "caller"> | undefined;
  private expiresAt = Number.POSITIVE_INFINITY;
  /** The default chain's credentials (the caller's), as the STS client resolves them. */
  private callerCredentials: AwsCredentialIdentityProvider | undefined;

  constructor(
    private readonly side: AwsSide & { readonly assumeRoleArn: string },
    private readonly command: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** The role's credentials, or "caller" when the caller is in the role's account already. */
  resolve(): Promise<AwsCredentialIdentity | "caller"> {
    if (this.current === undefined || Date.now() >= this.expiresAt - REFRESH_MARGIN_MS) {
      this.current = this.decide().catch((e: unknown) => {
        this.current = undefined;
        throw e;
      });
    }
    return this.current;
  }

  /** The credentials a client of this side signs with. */
  async credentials(): Promise<AwsCredentialIdentity> {
    const resolved = await this.resolve();
    return resolved === "caller" ? this.callerCredentials!() : resolved;
  }

  private async decide(): Promise<AwsCredentialIdentity | "caller"> {
    const roleArn = this.side.assumeRoleArn;
    const sts = new STSClient({
      region: this.side.region,
      endpoint: this.env.AWS_ENDPOINT_URL_STS || undefined,
      maxAttempts: 3,
    });
    this.callerCredentials = sts.config.credentials;
    try {
      const caller = await sts.send(new GetCallerIdentityCommand({}));
      if (caller.Account !== undefined && caller.Account === accountOfRole(roleArn)) return "caller";
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: `idc-oidc-bridge-${this.command}`.slice(0, 64),
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
        throw new Error(`STS AssumeRole ${roleArn} returned no credentials`);
      }
      this.expiresAt = c.Expiration.getTime();
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration,
      };
    } catch (e) {
      const err = e as Error;
      throw new Error(
        `cannot assume ${this.side.name}.assumeRoleArn ${roleArn} (${err.name}: ${err.message}): the credentials in your environment must be allowed sts:AssumeRole on it, or be in its account`,
        { cause: e },
      );
    } finally {
      sts.destroy();
    }
  }
}

function sideAccess(side: AwsSide, command: string, env: NodeJS.ProcessEnv): SideAccess | undefined {
  const roleArn = side.assumeRoleArn;
  return roleArn === undefined
    ? undefined
    : new SideAccess({ ...side, assumeRoleArn: roleArn }, command, env);
}

/**
 * Credentials of the side (undefined without a role: the default chain): its role's, assumed once and
 * refreshed before they expire, or the caller's own when they are in the role's account. `command` names the
 * session, so CloudTrail shows which command read.
 */
export function sideCredentials(
  side: AwsSide,
  command: string,
  env: NodeJS.ProcessEnv,
): AwsCredentialIdentityProvider | undefined {
  const access = sideAccess(side, command, env);
  return access === undefined ? undefined : () => access.credentials();
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
  const resolved = await sideAccess(side, command, env)?.resolve();
  if (resolved === undefined || resolved === "caller") return env;
  const c = resolved;
  const rest = { ...env };
  delete rest.AWS_PROFILE;
  return {
    ...rest,
    AWS_ACCESS_KEY_ID: c.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
    AWS_SESSION_TOKEN: c.sessionToken,
  };
}
