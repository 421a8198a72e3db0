/** What every doctor check shares: its result, what it may use, and the outputs of the deployed stacks. */
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { IdentitystoreClient } from "@aws-sdk/client-identitystore";
import type { BridgeConfig } from "../../config";

export interface CheckResult {
  readonly ok: boolean;
  readonly title: string;
  /** What was found (shown after the title). */
  readonly detail?: string;
  /** What to do about a failure. */
  readonly hint?: string;
}

export interface DoctorDependencies {
  readonly config: BridgeConfig;
  /** All outputs of a deployed stack; throws with a readable message when they cannot be read. */
  readonly readOutputs: (stack: string) => Record<string, unknown>;
  /** The IdC side (identityCenter.region, as identityCenter.assumeRoleArn when set). */
  readonly identityStore: IdentitystoreClient;
  /** The Cognito side (cognito.region, as cognito.assumeRoleArn when set), like the two below. */
  readonly cognito: CognitoIdentityProviderClient;
  readonly cloudwatch: CloudWatchClient;
  readonly cloudtrail: CloudTrailClient;
  readonly cloudflare: { readonly baseUrl: string; readonly token: string | undefined };
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
}

/** The outputs of the three stacks, read once by the runner. */
export interface DeployedOutputs {
  /** A non-empty string output of the stack of that kind (`cognito`, …), else undefined. */
  output(kind: string, name: string): string | undefined;
  /** The named outputs, or a ✘ result titled `title` saying which are missing. */
  needs(title: string, kind: string, names: string[]): string[] | CheckResult;
}

/** One check: reads what it needs, returns one or more ✔/✘ lines. */
export type Check = (deps: DoctorDependencies, outputs: DeployedOutputs) => Promise<CheckResult[]>;

/** Names listed in one failure line at most. */
const MAX_LISTED = 10;

export const pass = (title: string, detail?: string): CheckResult => ({ ok: true, title, detail });

export const fail = (title: string, detail: string, hint: string): CheckResult => ({
  ok: false,
  title,
  detail,
  hint,
});

export function listed(values: readonly string[]): string {
  const shown = values.slice(0, MAX_LISTED).join(", ");
  return values.length > MAX_LISTED ? `${shown} and ${values.length - MAX_LISTED} more` : shown;
}

/** An AWS error's name and the first line of its message. */
export function message(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e?.name ?? "Error"}: ${(e?.message ?? String(error)).split("\n")[0]}`;
}
