import { z } from "zod";
import { resolveAccounts } from "./accounts";

/**
 * The optional `bootstrap` block: what `npm run bootstrap -- --env <env>` creates once per environment for CI
 * (the state bucket of `backend`, GitHub's OIDC provider, a plan role and an apply role). The main app ignores it.
 */
export const bootstrapConfigSchema = z.strictObject({
  github: z.strictObject({
    /** The only repository whose workflows may assume the roles. */
    repository: z
      .string()
      .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/, {
        error: "expected a GitHub repository as <owner>/<name>, such as acme/idc-oidc-bridge",
      })
      .refine((r) => !/\/\.\.?$/.test(r), { error: "expected a repository name other than . or .." }),
    /** Drift detection runs here with the plan role (OIDC subject `repo:<owner>/<name>:ref:refs/heads/<branch>`). */
    defaultBranch: z
      .string()
      .regex(/^(?!\/|.*(?:\/\/|\.\.|@\{|\/$|\.lock$))[A-Za-z0-9._/-]{1,200}$/, {
        error: "expected a branch name such as main",
      })
      .default("main"),
    /** An AWS account holds one OIDC provider per URL: false uses the one that already exists. */
    createOidcProvider: z.boolean().default(true),
  }),
  /**
   * The account of the state bucket with two accounts [cognito: the workload account; identity-center keeps a
   * bucket made while everything was one account, in the account that now holds only IAM Identity Center].
   */
  stateAccount: z
    .enum(["cognito", "identity-center"], { error: 'expected "cognito" or "identity-center"' })
    .default("cognito"),
  /** How the state bucket encrypts objects [SSE-KMS with backend.kmsKeyId, else SSE-S3]. */
  stateBucketEncryption: z
    .enum(["SSE-KMS", "SSE-S3"], { error: 'expected "SSE-KMS" or "SSE-S3"' })
    .optional(),
  /**
   * Extra managed policies of the deploy roles [none: their own policies grant exactly the actions of
   * stacks/bootstrap/terraform-actions.ts].
   */
  applyRoleManagedPolicies: z
    .array(
      z.string().regex(/^arn:aws(?:-cn|-us-gov)?:iam::(?:aws|\d{12}):policy\/[\w+=,.@/-]+$/, {
        error: "expected a managed policy ARN such as arn:aws:iam::aws:policy/AdministratorAccess",
      }),
    )
    .default([]),
});

export type BootstrapConfig = z.output<typeof bootstrapConfigSchema>;

/** What the bootstrap stack needs, resolved from the whole config (see `bootstrapSettings`). */
export interface BootstrapSettings {
  readonly environment: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly repository: string;
  readonly defaultBranch: string;
  readonly createOidcProvider: boolean;
  readonly bucket: string;
  readonly region: string;
  readonly keyPrefix: string;
  /** SSE-KMS: the key in backend.kmsKeyId; an alias ARN there means the bootstrap creates the key under it. */
  readonly encryption:
    | { readonly type: "SSE-S3" }
    | { readonly type: "SSE-KMS"; readonly kmsKeyId: string; readonly createAlias?: string };
  readonly applyRoleManagedPolicies: readonly string[];
  /** Region of the Cognito stack, whose client secret the cloudflare-access stack reads at plan time. */
  readonly cognitoRegion: string;
  /**
   * The accounts CI works in, each with its CI roles: the first holds the state bucket
   * (bootstrap.stateAccount, Cognito's by default); a second one only when the config names two accounts.
   */
  readonly accounts: readonly BootstrapAccount[];
}

/** One account the bootstrap creates CI roles in; `assumeRoleArn` is how the administrator reaches it. */
export interface BootstrapAccount {
  readonly side: "cognito" | "identity-center";
  /** Unknown in a one-account config that names no account (the credentials' account). */
  readonly accountId?: string;
  readonly assumeRoleArn?: string;
}

interface Problem {
  readonly path: string;
  readonly message: string;
  readonly value: string;
}

// Structural: the parsed config's fields that the bootstrap reads (config/schema.ts imports this file).
interface ConfigForBootstrap {
  readonly environment: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly backend:
    | { readonly type: "s3"; bucket: string; region: string; keyPrefix: string; kmsKeyId?: string }
    | { readonly type: "local" | "cloud" };
  readonly identityCenter: { readonly region: string; accountId?: string; assumeRoleArn?: string };
  readonly cognito: { readonly region: string; accountId?: string; assumeRoleArn?: string };
  readonly bootstrap?: BootstrapConfig;
}

const KMS_ALIAS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:alias\/[\w/-]+$/;

/** The bootstrap settings of a parsed config, or the problems (field, message, value) that prevent them. */
export function bootstrapSettings(config: ConfigForBootstrap): BootstrapSettings | Problem[] {
  const problems: Problem[] = [];
  const b = config.bootstrap;
  if (b === undefined) {
    problems.push({
      path: "bootstrap",
      message:
        'required by npm run bootstrap: expected { "github": { "repository": "<owner>/<name>" } } (README: Bootstrap)',
      value: "nothing",
    });
  }
  const backend = config.backend;
  if (backend.type !== "s3") {
    problems.push({
      path: "backend.type",
      message: 'expected "s3": the bootstrap creates the S3 state bucket that CI uses',
      value: JSON.stringify(backend.type),
    });
  }
  if (b === undefined || backend.type !== "s3") return problems;

  const kmsKeyId = backend.kmsKeyId;
  const type = b.stateBucketEncryption ?? (kmsKeyId === undefined ? "SSE-S3" : "SSE-KMS");
  if (type === "SSE-KMS" && kmsKeyId === undefined) {
    problems.push({
      path: "backend.kmsKeyId",
      message: `required with bootstrap.stateBucketEncryption "SSE-KMS": expected an alias ARN such as arn:aws:kms:${backend.region}:<account>:alias/${config.environment}-tfstate (the bootstrap creates that key) or an existing key's ARN`,
      value: "nothing",
    });
  }
  if (type === "SSE-S3" && kmsKeyId !== undefined) {
    problems.push({
      path: "bootstrap.stateBucketEncryption",
      message:
        'expected "SSE-KMS" (or no backend.kmsKeyId): Terraform encrypts the state with backend.kmsKeyId',
      value: JSON.stringify(type),
    });
  }
  const aliasRegion = kmsKeyId === undefined ? undefined : KMS_ALIAS_ARN.exec(kmsKeyId)?.[1];
  if (aliasRegion !== undefined && aliasRegion !== backend.region) {
    problems.push({
      path: "backend.kmsKeyId",
      message: `expected a key in the bucket's region backend.region (${backend.region})`,
      value: JSON.stringify(kmsKeyId),
    });
  }
  if (problems.length > 0) return problems;
  return {
    environment: config.environment,
    tags: config.tags,
    repository: b.github.repository,
    defaultBranch: b.github.defaultBranch,
    createOidcProvider: b.github.createOidcProvider,
    bucket: backend.bucket,
    region: backend.region,
    keyPrefix: backend.keyPrefix,
    encryption:
      type === "SSE-S3"
        ? { type }
        : {
            type,
            kmsKeyId: kmsKeyId as string,
            ...(aliasRegion === undefined
              ? {}
              : { createAlias: (kmsKeyId as string).replace(/^.*:alias\//, "alias/") }),
          },
    applyRoleManagedPolicies: b.applyRoleManagedPolicies,
    cognitoRegion: config.cognito.region,
    accounts: bootstrapAccounts(config),
  };
}

function bootstrapAccounts(config: ConfigForBootstrap): BootstrapAccount[] {
  const accounts = resolveAccounts(config);
  const side = (name: "cognito" | "identityCenter", accountId: string | undefined): BootstrapAccount => ({
    side: name === "cognito" ? "cognito" : "identity-center",
    ...(accountId === undefined ? {} : { accountId }),
    ...(config[name].assumeRoleArn === undefined ? {} : { assumeRoleArn: config[name].assumeRoleArn }),
  });
  const cognito = side("cognito", accounts.cognito);
  if (!accounts.crossAccount) return [cognito];
  const identityCenter = side("identityCenter", accounts.identityCenter);
  return config.bootstrap?.stateAccount === "identity-center"
    ? [identityCenter, cognito]
    : [cognito, identityCenter];
}
