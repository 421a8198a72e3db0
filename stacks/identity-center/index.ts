import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Fn, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { IdentityCenterConfig } from "../../config";
import { configureBackend, type StateSettings } from "../backend";
import { awsProviderAccess, type AwsAccountAccess } from "../shared/aws-account";
import type { IdentityStoreCaller } from "../shared/identity-store-policy";
import { addOutputs } from "../shared/outputs";
import { AccessControlAttributes } from "./access-control-attributes";
import { IdentityStoreGroups } from "./groups";
import { IdentityStoreAccess } from "./identity-store-access";
import { IdentityCenterInstance } from "./instance";
import { PermissionSets } from "./permission-sets";
import { SamlServiceProvider } from "./saml-service-provider";

export {
  AccessControlAttributes,
  IdentityCenterInstance,
  IdentityStoreAccess,
  IdentityStoreGroups,
  PermissionSets,
  SamlServiceProvider,
};

export interface IdentityCenterStackProps {
  readonly state: StateSettings;
  readonly tags: Readonly<Record<string, string>>;
  readonly identityCenter: IdentityCenterConfig;
  /** The account the stack deploys to and the deploy role its aws provider assumes [none: the credentials']. */
  readonly account?: AwsAccountAccess;
  /**
   * Cross-account mode: the Lambdas in `trustedAccountId` that call the Identity Store; each gets a role here
   * that only its execution role may assume.
   */
  readonly identityStoreAccess?: {
    /** Names the roles (`<environment>-identity-store-access-<purpose>`). */
    readonly environment: string;
    readonly trustedAccountId: string;
    readonly callers: readonly IdentityStoreCaller[];
  };
}

/** First in apply order: the IdC instance, its groups, permission sets and SAML SP settings. */
export class IdentityCenterStack extends TerraformStack {
  public readonly region: string;
  public readonly instanceArn: string;
  public readonly identityStoreId: string;
  public readonly identityStoreArn: string;
  /** Group name → Identity Store group id. */
  public readonly groupIds: Readonly<Record<string, string>>;
  public readonly samlServiceProvider: SamlServiceProvider;
  /** Default AWS access portal URL, derived from the identity store id. */
  public readonly accessPortalUrl: string;
  /** IdC's customer managed KMS key (from config), if any. */
  public readonly kmsKeyArn?: string;
  /** Cross-account mode: caller purpose → the role it assumes for Identity Store calls. */
  public readonly accessRoleArns?: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: IdentityCenterStackProps) {
    super(scope, id);
    configureBackend(this, props.state);
    const ic = props.identityCenter;
    new AwsProvider(this, "aws", {
      region: ic.region,
      defaultTags: [{ tags: { ...props.tags } }],
      ...awsProviderAccess(props.account ?? {}, id),
    });

    const instance = new IdentityCenterInstance(this, "instance");
    const groups = new IdentityStoreGroups(this, "groups", {
      identityStoreId: instance.identityStoreId,
      groups: ic.groups,
    });
    new PermissionSets(this, "permission-sets", {
      instanceArn: instance.instanceArn,
      permissionSets: ic.permissionSets,
      groupIds: groups.groupIds,
    });
    if (Object.keys(ic.accessControlAttributes).length > 0) {
      new AccessControlAttributes(this, "access-control-attributes", {
        instanceArn: instance.instanceArn,
        attributes: ic.accessControlAttributes,
      });
    }
    if (props.identityStoreAccess !== undefined) {
      this.accessRoleArns = new IdentityStoreAccess(this, "identity-store-access", {
        environment: props.identityStoreAccess.environment,
        trustedAccountId: props.identityStoreAccess.trustedAccountId,
        scope: {
          partition: instance.partition,
          identityStoreArn: instance.identityStoreArn,
          ...(ic.kmsKeyArn === undefined ? {} : { kmsKeyArn: ic.kmsKeyArn }),
        },
        groupIds: groups.groupIds,
        callers: props.identityStoreAccess.callers,
      }).roleArns;
    }
    this.samlServiceProvider = new SamlServiceProvider(this, "saml-service-provider", {
      issuerUrl: ic.issuerUrl,
      acsUrl: ic.acsUrl,
    });

    this.region = new DataAwsRegion(this, "region").region;
    this.instanceArn = instance.instanceArn;
    this.identityStoreId = instance.identityStoreId;
    this.identityStoreArn = instance.identityStoreArn;
    this.groupIds = groups.groupIds;
    this.accessPortalUrl = `https://${instance.identityStoreId}.awsapps.com/start`;
    this.kmsKeyArn = ic.kmsKeyArn;

    const outputs = addOutputs(this, {
      identity_store_id: {
        value: instance.identityStoreId,
        description: "Identity Store id (d-xxxxxxxxxx).",
      },
      instance_arn: { value: instance.instanceArn, description: "IdC instance ARN." },
      access_portal_url: {
        value: this.accessPortalUrl,
        description: "Default AWS access portal URL (a custom alias, if set in the console, also works).",
      },
      saml_issuer_url: {
        value: this.samlServiceProvider.issuerUrl,
        description: "IdC SAML issuer (SP entity id), from config.",
      },
      saml_acs_url: {
        value: this.samlServiceProvider.acsUrl,
        description: "IdC SAML assertion consumer service URL, from config.",
      },
      group_ids: {
        value: groups.groupIds,
        description: "Identity Store group ids by group name.",
      },
    });
    // cdktf 0.21 accepts `precondition` on TerraformOutput but never renders it: write the block directly.
    outputs.identity_store_id.addOverride("precondition", [
      {
        // The issuer URL from the console ends in the directory id: catch a config for another instance.
        condition: Fn.endswith(ic.issuerUrl, instance.identityStoreId),
        error_message: `identityCenter.issuerUrl (${ic.issuerUrl}) does not belong to this account's IAM Identity Center instance: copy it again from Settings → Identity source.`,
      },
    ]);
  }
}
