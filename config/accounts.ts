import { z } from "zod";

/**
 * AWS accounts: which account each side runs in, the deploy role each stack's aws provider assumes, and the
 * customer managed KMS key of IAM Identity Center. By default everything is one account (the credentials').
 */

export const awsAccountId = z.string().regex(/^\d{12}$/, { error: "expected a 12-digit AWS account id" });

/** `arn:<partition>:iam::<account>:role/<path/><name>` (IAM: name 1-64 of [\w+=,.@-], path up to 512). */
const ROLE_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/){0,50}([\w+=,.@-]{1,64})$/;
/** As IAM Identity Center's EncryptionConfiguration.KmsKeyArn accepts it: a key (not an alias) ARN. */
const KMS_KEY_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):kms:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):key\/(?:mrk-[a-f0-9]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

const assumeRoleArn = z.string().regex(ROLE_ARN, {
  error: "expected an IAM role ARN such as arn:aws:iam::111111111111:role/idc-oidc-bridge-deploy",
});

/** Fields added to `identityCenter`. */
export const identityCenterAccountFields = {
  /** The account of the IAM Identity Center instance (management or delegated administrator account). */
  accountId: awsAccountId.optional(),
  /** Role the identity-center stack's aws provider assumes. */
  assumeRoleArn: assumeRoleArn.optional(),
  /** IdC's customer managed KMS key, when it uses one: Identity Store callers then need kms:Decrypt on it. */
  kmsKeyArn: z
    .string()
    .regex(KMS_KEY_ARN, {
      error:
        "expected a KMS key ARN such as arn:aws:kms:eu-west-1:111111111111:key/<key id or mrk-…> (not an alias)",
    })
    .optional(),
};

/** Fields added to `cognito`. */
export const cognitoAccountFields = {
  /** The account of the user pool and the Lambdas [identityCenter.accountId: one account]. */
  accountId: awsAccountId.optional(),
  /** Role the cognito stack's aws provider (and the cloudflare-access stack's, which reads its secret) assumes. */
  assumeRoleArn: assumeRoleArn.optional(),
};

interface AccountFields {
  readonly region?: unknown;
  readonly accountId?: unknown;
  readonly assumeRoleArn?: unknown;
  readonly kmsKeyArn?: unknown;
}

/** The partition of a region code (`cn-…` → aws-cn, `us-gov-…` → aws-us-gov, else aws). */
export function partitionOfRegion(region: string): string {
  return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const roleAccount = (arn: unknown) => ROLE_ARN.exec(str(arn) ?? "")?.[2];

/** The accounts a config's two sides run in, as far as the config says. */
export interface ResolvedAccounts {
  /** identityCenter.accountId, else the account of identityCenter.assumeRoleArn. */
  readonly identityCenter: string | undefined;
  /** cognito.accountId, else cognito.assumeRoleArn's account, else the IdC account (one account). */
  readonly cognito: string | undefined;
  /**
   * Cross-account mode: both accounts are known and differ. The identity-center stack then owns the roles the
   * cognito account's Lambdas assume for every Identity Store call.
   */
  readonly crossAccount: boolean;
}

// Not from kmsKeyArn: the key belongs to the account that owns the IdC instance, which is the management
// account even when a delegated administrator account runs the identity-center stack.
function identityCenterImplied(ic: AccountFields): string | undefined {
  return str(ic.accountId) ?? roleAccount(ic.assumeRoleArn);
}

function cognitoImplied(c: AccountFields): string | undefined {
  return str(c.accountId) ?? roleAccount(c.assumeRoleArn);
}

export function resolveAccounts(config: {
  readonly identityCenter: AccountFields;
  readonly cognito: AccountFields;
}): ResolvedAccounts {
  const identityCenter = identityCenterImplied(config.identityCenter);
  const cognito = cognitoImplied(config.cognito) ?? identityCenter;
  return {
    identityCenter,
    cognito,
    crossAccount: identityCenter !== undefined && cognito !== undefined && identityCenter !== cognito,
  };
}

type Issue = { readonly path: (string | number)[]; readonly message: string };

/**
 * Cross-field account checks: every account or partition the config implies must agree, and a config that
 * names two accounts must say which one IAM Identity Center is in.
 */
export function accountIssues(config: {
  readonly identityCenter?: AccountFields;
  readonly cognito?: AccountFields;
}): Issue[] {
  const ic = config.identityCenter ?? {};
  const c = config.cognito ?? {};
  const issues: Issue[] = [];
  const icAccount = str(ic.accountId);
  const cAccount = str(c.accountId);

  for (const [side, fields, account, accountField] of [
    ["identityCenter", ic, icAccount, "identityCenter.accountId"],
    ["cognito", c, cAccount, "cognito.accountId"],
  ] as const) {
    const role = ROLE_ARN.exec(str(fields.assumeRoleArn) ?? "");
    const region = str(fields.region);
    if (role && account !== undefined && role[2] !== account) {
      issues.push({
        path: [side, "assumeRoleArn"],
        message: `expected a role in ${accountField} (${account}), not in ${role[2]}`,
      });
    }
    if (role && region !== undefined && role[1] !== partitionOfRegion(region)) {
      issues.push({
        path: [side, "assumeRoleArn"],
        message: `expected an ARN in the partition of ${side}.region ${region} (arn:${partitionOfRegion(region)}:…)`,
      });
    }
  }

  // Only the region is checked: the key's account is the instance owner's (the management account), which
  // differs from identityCenter.accountId under a delegated administrator.
  const key = KMS_KEY_ARN.exec(str(ic.kmsKeyArn) ?? "");
  const icRegion = str(ic.region);
  if (key && icRegion !== undefined && (key[2] !== icRegion || key[1] !== partitionOfRegion(icRegion))) {
    issues.push({
      path: ["identityCenter", "kmsKeyArn"],
      message: `expected a key in identityCenter.region (${icRegion}), not in ${key[2]}`,
    });
  }

  if (icAccount === undefined) {
    const icImplied = identityCenterImplied(ic);
    const cImplied = cognitoImplied(c);
    if (cAccount !== undefined) {
      issues.push({
        path: ["identityCenter", "accountId"],
        message: `required when cognito.accountId is set: expected the 12-digit account of IAM Identity Center (${cAccount} again for one account)`,
      });
    } else if (icImplied !== undefined && cImplied !== undefined && icImplied !== cImplied) {
      issues.push({
        path: ["identityCenter", "accountId"],
        message: `required for a cross-account config (the config names IdC account ${icImplied} and Cognito account ${cImplied}): expected the 12-digit account of IAM Identity Center`,
      });
    }
  }
  return issues;
}
