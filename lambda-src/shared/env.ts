/**
 * Environment parsing for the bridge Lambdas, one way: each Lambda's `config.ts` reads its variables once
 * at cold start through an `EnvReader`, which collects every problem (variable, bad value, expected form)
 * so that one ConfigError lists them all. The variables both Lambdas have are read by the same methods.
 */

export type Environment = Readonly<Record<string, string | undefined>>;

/** Invalid environment configuration; thrown at cold start. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Identity Store id as the API accepts it: `d-` + 10 hex digits, or a UUID (lowercase). */
export const IDENTITY_STORE_ID_PATTERN =
  /^(?:d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
/** Identity Store group id (API pattern): optional 10-hex prefix, then a UUID. */
export const GROUP_ID_PATTERN =
  /^(?:[0-9a-f]{10}-)?[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;
/** AWS region names: us-east-1, eu-central-2, us-gov-west-1, cn-northwest-1, us-isob-east-1, ... */
export const REGION_PATTERN = /^[a-z]{2,4}(?:-[a-z]{2,12}){1,3}-\d{1,2}$/;
/** An IAM role ARN in any partition (path segments, then a name of 1-64 characters). */
const ROLE_ARN_PATTERN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** A KMS key ARN (a key id: a UUID, or mrk- and 32 hex digits for a multi-Region key), in any partition. */
export const KMS_KEY_ARN_PATTERN =
  /^arn:aws(?:-[a-z]+)*:kms:[a-z]{2,4}(?:-[a-z]{2,12}){1,3}-\d{1,2}:\d{12}:key\/(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
/** Cognito group names: 1–128 letters, marks, symbols, numbers or punctuation. */
const COGNITO_GROUP_NAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
/** CloudWatch namespace characters; must not start with "AWS/". */
const NAMESPACE_PATTERN = /^(?!AWS\/)[A-Za-z0-9 ._\-/#:]{1,255}$/;
const SERVICE_NAME_PATTERN = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/;

/** Shows a configured value in an error message without echoing an arbitrarily long string. */
export function show(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** Shows a parsed JSON value (of any type) in an error message. */
export function showJson(value: unknown): string {
  if (typeof value === "string") return show(value);
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 80)}…` : json;
}

export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Environment) {}

  /** The value, or undefined when unset or empty. */
  optional(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === "" ? undefined : value;
  }

  required(name: string, pattern: RegExp, expected: string): string {
    const value = this.optional(name);
    if (value === undefined) {
      this.problems.push(`${name} is not set (expected ${expected})`);
      return "";
    }
    if (!pattern.test(value)) this.problems.push(`${name}=${show(value)} is invalid (expected ${expected})`);
    return value;
  }

  /** An optional value that must match `regex` when set (undefined when it does not). */
  matching(name: string, regex: RegExp, expected: string): string | undefined {
    const value = this.optional(name);
    if (value !== undefined && !regex.test(value)) {
      this.problems.push(`${name}=${show(value)} is invalid (expected ${expected})`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.optional(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name}=${show(value)} is invalid (expected one of: ${allowed.join(", ")})`);
    return fallback;
  }

  positiveInteger(name: string, max: number): number | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < 1 || parsed > max) {
      this.problems.push(`${name}=${show(value)} is invalid (expected an integer from 1 to ${max})`);
      return undefined;
    }
    return parsed;
  }

  /** Parses `raw` as JSON; records a problem (and returns undefined) when it is not valid JSON. */
  json(name: string, raw: string, expected: string): unknown {
    try {
      return JSON.parse(raw);
    } catch {
      this.problems.push(`${name}=${show(raw)} is not valid JSON (${expected})`);
      return undefined;
    }
  }

  /** A JSON object (parsed), or undefined (unset, or a problem recorded). */
  jsonObject(name: string, expected: string): Record<string, unknown> | undefined {
    const raw = this.optional(name);
    if (raw === undefined) return undefined;
    const parsed = this.json(name, raw, expected);
    if (parsed === undefined) return undefined;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      this.problems.push(`${name}=${show(raw)} is invalid (${expected})`);
      return undefined;
    }
    return parsed as Record<string, unknown>;
  }

  identityStoreId(name: string): string {
    return this.required(
      name,
      IDENTITY_STORE_ID_PATTERN,
      '"d-" followed by 10 lowercase hex digits, e.g. d-1234567890, or a lowercase UUID',
    );
  }

  region(name: string): string {
    return this.required(name, REGION_PATTERN, "an AWS region name such as eu-west-1");
  }

  roleArn(name: string): string | undefined {
    return this.matching(
      name,
      ROLE_ARN_PATTERN,
      "an IAM role ARN such as arn:aws:iam::111111111111:role/identity-store-access",
    );
  }

  /** A required KMS key ARN (e.g. LINK_KEY_ARN). */
  kmsKeyArn(name: string): string {
    return this.required(
      name,
      KMS_KEY_ARN_PATTERN,
      "a KMS key ARN such as arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    );
  }

  /** GROUP_MAP: Cognito group name → Identity Store group id (empty when unset). */
  groupMap(name: string): ReadonlyMap<string, string> {
    const groupMap = new Map<string, string>();
    const parsed = this.jsonObject(
      name,
      'expected a JSON object mapping Cognito group names to Identity Store group ids, e.g. {"admins":"9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b"}',
    );
    for (const [group, groupId] of Object.entries(parsed ?? {})) {
      if (!COGNITO_GROUP_NAME_PATTERN.test(group)) {
        this.problems.push(
          `${name} key ${show(group)} is invalid (expected a Cognito group name: 1-128 characters, no spaces or control characters)`,
        );
        continue;
      }
      if (typeof groupId !== "string" || !GROUP_ID_PATTERN.test(groupId)) {
        this.problems.push(
          `${name}[${show(group)}]=${showJson(groupId)} is invalid ` +
            "(expected an Identity Store group id: a UUID, optionally prefixed by 10 hex digits and a dash)",
        );
        continue;
      }
      groupMap.set(group, groupId);
    }
    return groupMap;
  }

  /** The CloudWatch namespace of the Lambda's metrics. */
  metricsNamespace(name: string, fallback: string): string {
    const value = this.optional(name) ?? fallback;
    if (!NAMESPACE_PATTERN.test(value)) {
      this.problems.push(
        `${name}=${show(value)} is invalid (expected 1-255 characters from ` +
          'A-Z a-z 0-9 space . _ - / # :, not starting with "AWS/")',
      );
    }
    return value;
  }

  /** The Powertools service name (log field and metric dimension). */
  serviceName(name: string, fallback: string): string {
    const value = this.optional(name) ?? fallback;
    if (!SERVICE_NAME_PATTERN.test(value)) {
      this.problems.push(`${name}=${show(value)} is invalid (expected 1-255 printable ASCII characters)`);
    }
    return value;
  }

  /** Throws one ConfigError listing every problem, if there are any. */
  check(lambdaName: string): void {
    if (this.problems.length > 0) {
      throw new ConfigError(`Invalid configuration of the ${lambdaName} Lambda: ${this.problems.join("; ")}`);
    }
  }
}
