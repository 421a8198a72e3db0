import * as path from "node:path";
import type { App } from "cdktf";
import { resolveAccounts, type BridgeConfig } from "../config";
import type { StateSettings } from "./backend";
import { CloudflareAccessStack } from "./cloudflare-access";
import { cognitoLoginClaims } from "./cloudflare-access/login-method";
import { CognitoStack } from "./cognito";
import { appClientAttributes } from "./cognito/client-attributes";
import { deprovisioningCaller } from "./cognito/deprovisioning";
import { preTokenGenerationCaller } from "./cognito/pre-token-generation-function";
import { IdentityCenterStack } from "./identity-center";
import { applyPolicyChecks } from "./policy-checks";
import { escapeLiteralStrings } from "./shared/terraform-literal";
import { IdentityPropagationStack } from "./identity-propagation";

export { CloudflareAccessStack, CognitoStack, IdentityCenterStack, IdentityPropagationStack };

export interface BridgeStacks {
  readonly identityCenter: IdentityCenterStack;
  readonly cognito: CognitoStack;
  readonly cloudflareAccess: CloudflareAccessStack;
  /** Only with `identityCenter.trustedTokenIssuer`. */
  readonly identityPropagation?: IdentityPropagationStack;
}

export interface BuildOptions {
  /** Directory of the built JIT Lambda bundle. */
  readonly preTokenGenerationBundleDir: string;
  /** Directory of the built deprovisioning Lambda bundle. */
  readonly deprovisioningBundleDir: string;
  /** The project root: local-backend state lives in its terraform-state/ folder. */
  readonly projectRoot: string;
}

/**
 * The three stacks of one environment, wired by construct references: cdktf turns each cross-stack value
 * into an output of the producer and a `terraform_remote_state` read in the consumer.
 * Apply order: identity-center, cognito, cloudflare-access, then identity-propagation when configured.
 */
export function buildStacks(app: App, config: BridgeConfig, options: BuildOptions): BridgeStacks {
  const env = config.environment;
  const stackDir = path.join(app.outdir, "stacks", "stack");
  const state: StateSettings = {
    backend: config.backend,
    environment: env,
    localRootFromStackDir: path.relative(stackDir, options.projectRoot).split(path.sep).join("/") || ".",
  };
  const common = { state, tags: config.tags };
  const accounts = resolveAccounts(config);
  const identityCenterAccount = {
    accountId: accounts.identityCenter,
    assumeRoleArn: config.identityCenter.assumeRoleArn,
  };
  const cognitoAccount = { accountId: accounts.cognito, assumeRoleArn: config.cognito.assumeRoleArn };

  const identityCenter = new IdentityCenterStack(app, `${env}-identity-center`, {
    ...common,
    identityCenter: config.identityCenter,
    account: identityCenterAccount,
    // Cross-account mode: the Lambdas in the cognito account reach the Identity Store through roles here.
    ...(accounts.crossAccount && accounts.cognito !== undefined
      ? {
          identityStoreAccess: {
            environment: env,
            trustedAccountId: accounts.cognito,
            callers: [
              preTokenGenerationCaller(env, config.cognito.provisioning),
              deprovisioningCaller(env, config.cognito.provisioning),
            ],
          },
        }
      : {}),
  });
  const cognito = new CognitoStack(app, `${env}-cognito`, {
    ...common,
    environment: env,
    cognito: config.cognito,
    account: cognitoAccount,
    cloudflareTeamName: config.cloudflare.teamName,
    cloudflareClaims: cognitoLoginClaims(config.cloudflare.accessControlAttributes),
    identityStore: identityCenter,
    preTokenGenerationBundleDir: options.preTokenGenerationBundleDir,
    deprovisioningBundleDir: options.deprovisioningBundleDir,
  });
  const cloudflareAccess = new CloudflareAccessStack(app, `${env}-cloudflare-access`, {
    ...common,
    environment: env,
    cloudflare: config.cloudflare,
    cognitoAccount,
    identityCenter: {
      issuerUrl: identityCenter.samlServiceProvider.issuerUrl,
      acsUrl: identityCenter.samlServiceProvider.acsUrl,
      accessPortalUrl: identityCenter.accessPortalUrl,
    },
    cognito: {
      region: config.cognito.region,
      authorizationUrl: cognito.authorizationUrl,
      tokenUrl: cognito.tokenUrl,
      jwksUrl: cognito.jwksUrl,
      clientId: cognito.clientId,
      clientSecretArn: cognito.clientSecretArn,
    },
  });
  cognito.addDependency(identityCenter);
  cloudflareAccess.addDependency(identityCenter);
  cloudflareAccess.addDependency(cognito);
  const tti = config.identityCenter.trustedTokenIssuer;
  const identityPropagation =
    tti &&
    new IdentityPropagationStack(app, `${env}-identity-propagation`, {
      ...common,
      environment: env,
      trustedTokenIssuer: tti,
      identityCenter: {
        region: config.identityCenter.region,
        instanceArn: identityCenter.instanceArn,
        account: identityCenterAccount,
      },
      cognito: {
        region: config.cognito.region,
        userPoolId: cognito.userPoolId,
        issuerUrl: cognito.issuerUrl,
        identityProviderNames: cognito.identityProviderNames,
        attributes: appClientAttributes(config.cognito),
        account: cognitoAccount,
      },
    });
  identityPropagation?.addDependency(identityCenter);
  identityPropagation?.addDependency(cognito);
  // Escaping first: the policy checks read the stacks' output as written.
  escapeLiteralStrings(app);
  applyPolicyChecks(app);
  return { identityCenter, cognito, cloudflareAccess, identityPropagation };
}
