import { ArchiveProvider } from "@cdktf/provider-archive/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Lazy, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { CognitoConfig } from "../../config";
import { DEFAULT_METRICS_NAMESPACE } from "../../lambda-src/pre-token-generation/metric-names";
import { awsProviderAccess, type AwsAccountAccess } from "../shared/aws-account";
import { addOutputs } from "../shared/outputs";
import { configureBackend, type StateSettings } from "../backend";
import { ClientCredentialsSecret } from "./client-secret";
import { DEPROVISIONING_CALLER, Deprovisioning, deprovisioningFunctionName } from "./deprovisioning";
import { IamFederation } from "./iam-federation";
import { LinkKey } from "./link-key";
import { PreTokenGenerationMonitoring } from "./monitoring";
import {
  PRE_TOKEN_GENERATION_CALLER,
  PreTokenGenerationFunction,
  preTokenGenerationFunctionName,
} from "./pre-token-generation-function";
import { trustedEmailProviders } from "../../config/cognito-checks";
import { CloudflareAppClient } from "./cloudflare-app-client";
import { CognitoUserGroups } from "./user-groups";
import { UserPool } from "./user-pool";
import { appClientAttributes } from "./client-attributes";

export {
  ClientCredentialsSecret,
  CloudflareAppClient,
  Deprovisioning,
  CognitoUserGroups,
  IamFederation,
  PreTokenGenerationFunction,
  PreTokenGenerationMonitoring,
  UserPool,
};
export {
  identityStoreStatements,
  PRE_TOKEN_GENERATION_TIMEOUT_SECONDS,
} from "./pre-token-generation-function";

/** What the cognito stack needs from the identity-center stack. */
export interface IdentityStoreRef {
  readonly identityStoreId: string;
  readonly identityStoreArn: string;
  readonly region: string;
  /** IdC group name → Identity Store group id. */
  readonly groupIds: Readonly<Record<string, string>>;
  /** IdC's customer managed KMS key (`identityCenter.kmsKeyArn`), if any. */
  readonly kmsKeyArn?: string;
  /** Cross-account mode: per calling Lambda (e.g. `pre-token-generation`), the role it assumes in the IdC account. */
  readonly accessRoleArns?: Readonly<Record<string, string>>;
}

export interface CognitoStackProps {
  readonly state: StateSettings;
  readonly tags: Readonly<Record<string, string>>;
  readonly environment: string;
  readonly cognito: CognitoConfig;
  /** The account the stack deploys to and the deploy role its aws provider assumes [none: the credentials']. */
  readonly account?: AwsAccountAccess;
  readonly cloudflareTeamName: string;
  /** Claims the Cloudflare login method copies from the ID token: the app client must be able to read them. */
  readonly cloudflareClaims: readonly string[];
  readonly identityStore: IdentityStoreRef;
  /** Directory of the built JIT Lambda bundle (`npm run build:lambda`). */
  readonly preTokenGenerationBundleDir: string;
  /** Directory of the built deprovisioning Lambda bundle (`npm run build:lambda`). */
  readonly deprovisioningBundleDir: string;
}

/** Second in apply order: the user pool, the Cloudflare app client and the JIT Lambda with its monitoring. */
export class CognitoStack extends TerraformStack {
  public readonly issuerUrl: string;
  public readonly authorizationUrl: string;
  public readonly tokenUrl: string;
  public readonly jwksUrl: string;
  public readonly clientId: string;
  /** ARN of the Secrets Manager secret with the client id and secret. */
  public readonly clientSecretArn: string;
  public readonly userPoolId: string;
  /** Names for an app client's supported identity providers (COGNITO and the upstream providers). */
  public readonly identityProviderNames: string[];
  /** The IAM OIDC federation client, provider and roles, when `cognito.iamFederation` is set. */
  public readonly iamFederation?: IamFederation;

  constructor(scope: Construct, id: string, props: CognitoStackProps) {
    super(scope, id);
    configureBackend(this, props.state);
    const c = props.cognito;
    new AwsProvider(this, "aws", {
      region: c.region,
      defaultTags: [{ tags: { ...props.tags } }],
      ...awsProviderAccess(props.account ?? {}, id),
    });
    new ArchiveProvider(this, "archive");

    const name = `${props.environment}-idc-oidc-bridge`;
    const groupMap = Object.fromEntries(
      Object.entries(c.provisioning.groupMap).map(([cognitoGroup, idcGroup]) => {
        const groupId = props.identityStore.groupIds[idcGroup];
        if (groupId === undefined) {
          throw new Error(`cognito.provisioning.groupMap.${cognitoGroup}: unknown IdC group "${idcGroup}"`);
        }
        return [cognitoGroup, groupId];
      }),
    );
    const metricsNamespace = DEFAULT_METRICS_NAMESPACE;
    const account = {
      id: new DataAwsCallerIdentity(this, "account").accountId,
      partition: new DataAwsPartition(this, "partition").partition,
    };
    // The Lambda's environment names the federation client, which needs the pool, which names the Lambda:
    // with IAM federation the pool names the function by its ARN (built from its name), not by reference,
    // so Terraform's graph has no cycle (pool → client → function).
    let iamFederation: IamFederation | undefined;
    const functionName = preTokenGenerationFunctionName(props.environment);
    const linkKey = new LinkKey(this, "link-key", { name, account });
    const jit = new PreTokenGenerationFunction(this, "pre-token-generation", {
      functionName,
      bundleDir: props.preTokenGenerationBundleDir,
      provisioning: c.provisioning,
      identityStoreId: props.identityStore.identityStoreId,
      identityStoreArn: props.identityStore.identityStoreArn,
      identityStoreRegion: props.identityStore.region,
      groupMap,
      metricsNamespace,
      partition: account.partition,
      kmsKeyArn: props.identityStore.kmsKeyArn,
      linkKeyArn: linkKey.arn,
      identityStoreRoleArn: props.identityStore.accessRoleArns?.[PRE_TOKEN_GENERATION_CALLER],
      trustedEmailProviders: trustedEmailProviders(c),
      iamFederationClientId: c.iamFederation && Lazy.stringValue({ produce: () => iamFederation?.clientId }),
    });
    const pool = new UserPool(this, "user-pool", {
      name,
      cognito: c,
      preTokenGenerationArn: c.iamFederation
        ? `arn:${account.partition}:lambda:${c.region}:${account.id}:function:${functionName}`
        : jit.arn,
    });
    new CognitoUserGroups(this, "groups", { userPoolId: pool.id, groups: c.groups });
    jit.attachUserPool(pool.arn);
    const monitoring = new PreTokenGenerationMonitoring(this, "monitoring", {
      functionName: jit.functionName,
      region: c.region,
      metricsNamespace,
      durationAlarmMs: c.monitoring.durationAlarmMs,
      alarmEmail: c.alarmEmail,
      topicName: `${name}-alarms`,
      account,
    });
    const leavers = new Deprovisioning(this, "deprovisioning", {
      functionName: deprovisioningFunctionName(props.environment),
      bundleDir: props.deprovisioningBundleDir,
      provisioning: c.provisioning,
      identityStoreId: props.identityStore.identityStoreId,
      identityStoreArn: props.identityStore.identityStoreArn,
      identityStoreRegion: props.identityStore.region,
      kmsKeyArn: props.identityStore.kmsKeyArn,
      identityStoreRoleArn: props.identityStore.accessRoleArns?.[DEPROVISIONING_CALLER],
      groupMap,
      userPoolId: pool.id,
      userPoolArn: pool.arn,
      metricsNamespace,
      account,
      alarmTopicArn: monitoring.topic.arn,
    });
    if (c.iamFederation) {
      iamFederation = new IamFederation(this, "iam-federation", {
        userPoolId: pool.id,
        issuerUrl: pool.issuerUrl,
        identityProviderNames: pool.identityProviderNames,
        attributes: appClientAttributes(c),
        config: c.iamFederation,
      });
    }
    const appClient = new CloudflareAppClient(this, "cloudflare-client", {
      userPoolId: pool.id,
      teamName: props.cloudflareTeamName,
      identityProviderNames: pool.identityProviderNames,
      attributes: appClientAttributes(c, props.cloudflareClaims),
    });
    const secret = new ClientCredentialsSecret(this, "client-credentials", {
      name: `${name}/cloudflare-access-client`,
      clientId: appClient.client.id,
      clientSecret: appClient.client.clientSecret,
    });

    this.issuerUrl = pool.issuerUrl;
    this.authorizationUrl = `${pool.domainUrl}/oauth2/authorize`;
    this.tokenUrl = `${pool.domainUrl}/oauth2/token`;
    this.jwksUrl = `${pool.issuerUrl}/.well-known/jwks.json`;
    this.clientId = appClient.client.id;
    this.clientSecretArn = secret.arn;
    this.userPoolId = pool.id;
    this.identityProviderNames = pool.identityProviderNames;
    this.iamFederation = iamFederation;

    addOutputs(this, {
      user_pool_id: { value: pool.id, description: "Cognito user pool id." },
      issuer_url: { value: this.issuerUrl, description: "OIDC issuer of the user pool." },
      authorization_url: {
        value: this.authorizationUrl,
        description: "OIDC authorization endpoint (hosted domain).",
      },
      token_url: { value: this.tokenUrl, description: "OIDC token endpoint (hosted domain)." },
      jwks_url: { value: this.jwksUrl, description: "JSON Web Key Set of the user pool." },
      client_id: { value: this.clientId, description: "App client id used by Cloudflare Access." },
      client_secret_arn: {
        value: this.clientSecretArn,
        description: "Secrets Manager secret with the app client id and secret.",
      },
      client_secret: {
        value: appClient.client.clientSecret,
        sensitive: true,
        description:
          "App client secret (sensitive: `cdktf output` hides it; prefer the Secrets Manager secret).",
      },
      pre_token_generation_function: { value: jit.functionName, description: "JIT provisioning Lambda." },
      deprovisioning_function: {
        value: leavers.functionName,
        description: "Leavers (deprovisioning) Lambda.",
      },
    });
    if (iamFederation) {
      addOutputs(this, {
        iam_federation: {
          value: iamFederationSettings(iamFederation, c.region, pool.domainUrl),
          description:
            "What `npm run aws-credentials` needs (no secrets): save it with `terraform output -json iam_federation` and pass it as --settings.",
        },
      });
    }
  }
}

/** The `iam_federation` output: the settings file of `npm run aws-credentials` (see cli/aws-credentials/). */
function iamFederationSettings(f: IamFederation, region: string, domainUrl: string) {
  return {
    region,
    domain_url: domainUrl,
    client_id: f.clientId,
    callback_url: f.callbackUrl,
    provider_arn: f.providerArn,
    roles: Object.fromEntries(
      Object.entries(f.roles).map(([name, r]) => [
        name,
        { arn: r.arn, max_session_duration: r.maxSessionDuration, required_groups: r.requiredGroups },
      ]),
    ),
  };
}
