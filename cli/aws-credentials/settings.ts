/** What `aws-credentials` needs of the cognito stack's `iam_federation` output, checked field by field. */
import * as fs from "node:fs";

/** A failure the command reports as it is (no usage). */
export class CommandError extends Error {}

export interface FederationSettings {
  readonly region: string;
  readonly domainUrl: string;
  readonly clientId: string;
  readonly callbackUrl: string;
  readonly roles: Readonly<
    Record<string, { arn: string; maxSessionDuration: number; requiredGroups: string[] }>
  >;
}

/** The `iam_federation` value, checked field by field. */
export function parseSettings(value: unknown, source: string): FederationSettings {
  const v = (value ?? {}) as Record<string, unknown>;
  const fail = (field: string, expected: string): never => {
    throw new CommandError(`${source}: ${field}: expected ${expected}; got ${JSON.stringify(v[field])}`);
  };
  const str = (field: string, test: (s: string) => boolean, expected: string): string =>
    typeof v[field] === "string" && test(v[field] as string) ? (v[field] as string) : fail(field, expected);
  // Plain http only for a loopback host: a test's fake, never a real domain.
  const webUrl = (s: string) =>
    /^https:\/\/[^/]+$/.test(s) || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(s);
  const settings = {
    region: str("region", (s) => /^[a-z]{2}(-[a-z]+)+-\d$/.test(s), "an AWS region"),
    domainUrl: str("domain_url", webUrl, "the hosted domain's https:// base URL"),
    clientId: str("client_id", (s) => /^[\w+]{1,128}$/.test(s), "a Cognito app client id"),
    callbackUrl: str(
      "callback_url",
      (s) => /^http:\/\/localhost:\d{1,5}\/callback$/.test(s),
      "http://localhost:<port>/callback",
    ),
  };
  const roles = v.roles;
  if (!roles || typeof roles !== "object" || Array.isArray(roles) || Object.keys(roles).length === 0) {
    fail("roles", "an object of role name → {arn, max_session_duration}");
  }
  return {
    ...settings,
    roles: Object.fromEntries(
      Object.entries(roles as Record<string, Record<string, unknown>>).map(([name, r]) => {
        if (typeof r?.arn !== "string" || !/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(r.arn)) {
          fail(`roles.${name}.arn`, "an IAM role ARN");
        }
        const max = r.max_session_duration;
        if (typeof max !== "number" || !Number.isInteger(max) || max < 3600 || max > 43200) {
          fail(`roles.${name}.max_session_duration`, "3600-43200 seconds");
        }
        const groups = Array.isArray(r.required_groups) ? r.required_groups.map(String) : [];
        return [name, { arn: r.arn as string, maxSessionDuration: max as number, requiredGroups: groups }];
      }),
    ),
  };
}

export function readSettingsFile(file: string): FederationSettings {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new CommandError(`cannot read settings file ${file}: ${(e as Error).message}`, { cause: e });
  }
  return parseSettings(value, file);
}
