/**
 * Trading the ID token for role credentials: STS AssumeRoleWithWebIdentity, an unsigned call (the SDK's
 * no-auth scheme: the person needs no AWS credentials), with a refusal explained by the groups the role needs.
 */
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { AWS_SESSION_TAGS_CLAIM, SESSION_TAG_KEYS } from "../../lambda-src/pre-token-generation/contract";
import { CommandError, type FederationSettings } from "./settings";

function claims(idToken: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(idToken.split(".")[1] ?? "", "base64url").toString("utf8"));
  } catch {
    return {};
  }
}

/** CloudTrail shows the session name: the person's email where it fits STS's pattern. */
export function roleSessionName(idToken: string): string {
  const email = claims(idToken).email;
  const name = typeof email === "string" ? email.replace(/[^\w+=,.@-]/g, "-").slice(0, 64) : "";
  return name.length >= 2 ? name : "idc-oidc-bridge";
}

function tokenGroups(idToken: string): string[] | undefined {
  const tags = claims(idToken)[AWS_SESSION_TAGS_CLAIM] as
    { principal_tags?: Record<string, unknown> } | undefined;
  const value = tags?.principal_tags?.[SESSION_TAG_KEYS.groups];
  const groups = Array.isArray(value) ? value[0] : value;
  return typeof groups === "string" ? groups.split(":").filter((g) => g !== "") : undefined;
}

export async function assumeRole(
  s: FederationSettings,
  roleName: string,
  idToken: string,
  durationSeconds: number,
  env: NodeJS.ProcessEnv,
) {
  const role = s.roles[roleName];
  // AssumeRoleWithWebIdentity is unsigned (the SDK's no-auth scheme): the person needs no AWS credentials.
  const sts = new STSClient({
    region: s.region,
    endpoint: env.AWS_ENDPOINT_URL_STS || undefined,
    maxAttempts: 3,
  });
  try {
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: role.arn,
        RoleSessionName: roleSessionName(idToken),
        WebIdentityToken: idToken,
        DurationSeconds: durationSeconds,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new CommandError("STS returned no credentials");
    }
    return {
      Version: 1,
      AccessKeyId: c.AccessKeyId,
      SecretAccessKey: c.SecretAccessKey,
      SessionToken: c.SessionToken,
      Expiration: c.Expiration.toISOString(),
    };
  } catch (e) {
    if (e instanceof CommandError) throw e;
    const err = e as Error;
    if (err.name === "AccessDenied" || err.name === "AccessDeniedException") {
      const groups = tokenGroups(idToken);
      const needs =
        role.requiredGroups.length > 0
          ? ` It requires one of the groups ${role.requiredGroups.join(", ")}; your sign-in carries ${
              groups === undefined ? "no groups session tag" : groups.length ? groups.join(", ") : "no groups"
            }.`
          : "";
      throw new CommandError(`STS refused role ${roleName} (${role.arn}): ${err.message}.${needs}`, {
        cause: e,
      });
    }
    throw new CommandError(`STS AssumeRoleWithWebIdentity failed (${err.name}): ${err.message}`, {
      cause: e,
    });
  } finally {
    sts.destroy();
  }
}
