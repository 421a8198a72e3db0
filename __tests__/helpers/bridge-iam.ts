/**
 * Test values for the Terraform expressions in this project's synthesized IAM policies, and the ARNs built
 * from them, so tests of each role can render its policies with `iam-simulator.ts` and ask IAM questions
 * about concrete resources.
 */
import { randomUUID } from "node:crypto";
import type { Substitution } from "./iam-simulator";

export interface BridgeValues {
  readonly identityCenterAccount: string;
  readonly cognitoAccount: string;
  readonly identityCenterRegion: string;
  readonly cognitoRegion: string;
  readonly identityStoreId: string;
  readonly userPoolId: string;
  /** IdC group name (as in `identityCenter.groups`) → its test group id. */
  readonly groupIds: Readonly<Record<string, string>>;
  /** Cross-account mode: purpose (e.g. `pre-token-generation`) → access role name in the IdC account. */
  readonly accessRoleNames?: Readonly<Record<string, string>>;
}

/** A fresh Identity Store style id (UUID; group and user ids look like this). */
export const storeObjectId = (): string => randomUUID();

/** Values for the example's names, with the given accounts and groups. */
export function bridgeValues(
  groupNames: readonly string[],
  accounts: { identityCenter?: string; cognito?: string } = {},
  overrides: Partial<BridgeValues> = {},
): BridgeValues {
  const identityCenterAccount = accounts.identityCenter ?? "111111111111";
  return {
    identityCenterAccount,
    cognitoAccount: accounts.cognito ?? identityCenterAccount,
    identityCenterRegion: "eu-west-1",
    cognitoRegion: "eu-west-1",
    identityStoreId: "d-1234567890",
    userPoolId: "eu-west-1_AbCdEfGhI",
    groupIds: Object.fromEntries(groupNames.map((name) => [name, storeObjectId()])),
    ...overrides,
  };
}

export const identityStoreArn = (
  v: BridgeValues,
  storeId = v.identityStoreId,
  account = v.identityCenterAccount,
) => `arn:aws:identitystore::${account}:identitystore/${storeId}`;
export const memberArn = (resource: string) => `arn:aws:identitystore:::${resource}`;
export const userPoolArn = (v: BridgeValues, poolId = v.userPoolId) =>
  `arn:aws:cognito-idp:${v.cognitoRegion}:${v.cognitoAccount}:userpool/${poolId}`;
/** The cognito stack's link key (stacks/cognito/link-key.ts). */
export const linkKeyArn = (v: BridgeValues) =>
  `arn:aws:kms:${v.cognitoRegion}:${v.cognitoAccount}:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d`;
export const lambdaRoleArn = (v: BridgeValues, roleName: string, account = v.cognitoAccount) =>
  `arn:aws:iam::${account}:role/${roleName}`;
export const accessRoleArn = (v: BridgeValues, purpose: string) => {
  const name = v.accessRoleNames?.[purpose];
  if (name === undefined) throw new Error(`No access role name for ${purpose}`);
  return `arn:aws:iam::${v.identityCenterAccount}:role/${name}`;
};

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Rules for every expression the bridge's IAM policies hold, in the stack that owns them and as read from
 * the identity-center stack's remote state (whose output names embed the producer's address).
 */
export function bridgeSubstitutions(v: BridgeValues): Substitution[] {
  return [
    [/partition$/, "aws"],
    [/identity_store_ids/, v.identityStoreId],
    // The IdC instance's account (local in identity-center, remote in cognito), and the cognito stack's own.
    [/instance_caller_[0-9A-F]{8}\.?account_id$/, v.identityCenterAccount],
    ["data.aws_caller_identity.account.account_id", v.cognitoAccount],
    ...Object.entries(v.groupIds).map(
      ([name, id]) => [new RegExp(`groups_${escape(name)}_[0-9A-F]{8}\\.?group_id$`), id] as const,
    ),
    [/^aws_cognito_user_pool\.[^.]+\.arn$/, userPoolArn(v)],
    [/^aws_kms_key\.link-key_[^.]+\.arn$/, linkKeyArn(v)],
    [
      /^aws_cloudwatch_log_group\.[^.]+\.arn$/,
      `arn:aws:logs:${v.cognitoRegion}:${v.cognitoAccount}:log-group:/aws/lambda/under-test`,
    ],
    ...Object.entries(v.accessRoleNames ?? {}).map(
      ([purpose]) =>
        [
          new RegExp(`identity-store-access_${escape(purpose)}_role_[0-9A-F]{8}\\.?arn$`),
          accessRoleArn(v, purpose),
        ] as const,
    ),
  ];
}
