import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { hostedUiClientConfig } from "./hosted-ui-client";
import type { IamFederationConfig, IamFederationRoleConfig } from "../../config";
import { SESSION_TAG_KEYS } from "../../lambda-src/pre-token-generation/contract";
import { idFromName } from "../naming";
import type { ClientAttributes } from "./client-attributes";

/** The scopes the IAM federation client asks for: an ID token with the person's email and names. */
export const IAM_FEDERATION_SCOPES = ["openid", "email", "profile"];

export interface IamFederationProps {
  readonly userPoolId: string;
  /** `https://cognito-idp.<region>.amazonaws.com/<pool id>`: the `iss` of the pool's tokens. */
  readonly issuerUrl: string;
  readonly identityProviderNames: string[];
  /** The pool's one rule (`appClientAttributes`): the Lambda's attributes readable, the mapped ones writable. */
  readonly attributes: ClientAttributes;
  readonly config: IamFederationConfig;
}

export interface FederatedRole {
  readonly arn: string;
  readonly maxSessionDuration: number;
  readonly requiredGroups: readonly string[];
}

/**
 * IAM OIDC federation with the pool's ID tokens: a public app client (code flow with PKCE on a loopback
 * callback) whose id is the only accepted audience, the IAM OIDC provider for the pool's issuer, and the
 * configured roles, each assumable only with this provider's tokens for that audience.
 */
export class IamFederation extends Construct {
  public readonly client: CognitoUserPoolClient;
  public readonly clientId: string;
  public readonly providerArn: string;
  public readonly callbackUrl: string;
  /** Role name (from config) → role. */
  public readonly roles: Readonly<Record<string, FederatedRole>>;

  constructor(scope: Construct, id: string, props: IamFederationProps) {
    super(scope, id);
    this.callbackUrl = `http://localhost:${props.config.callbackPort}/callback`;
    // A public client: the command line keeps no secret; PKCE protects the code. Its refresh token (12 h)
    // lets `aws-credentials` skip the browser.
    this.client = new CognitoUserPoolClient(
      this,
      "client",
      hostedUiClientConfig({
        name: "iam-federation",
        userPoolId: props.userPoolId,
        generateSecret: false,
        scopes: IAM_FEDERATION_SCOPES,
        callbackUrls: [this.callbackUrl],
        identityProviderNames: props.identityProviderNames,
        attributes: props.attributes,
      }),
    );
    this.clientId = this.client.id;

    // IAM verifies the issuer's TLS certificate itself for well-known CAs: no thumbprint to pin or rotate.
    const provider = new IamOpenidConnectProvider(this, "provider", {
      url: props.issuerUrl,
      clientIdList: [this.clientId],
    });
    this.providerArn = provider.arn;

    const issuerHostAndPath = props.issuerUrl.replace(/^https:\/\//, "");
    const roles: Record<string, FederatedRole> = {};
    for (const role of props.config.roles) {
      roles[role.name] = new FederatedRoleConstruct(this, idFromName(role.name), {
        role,
        trust: webIdentityTrust({
          providerArn: this.providerArn,
          issuerHostAndPath,
          audience: this.clientId,
          requiredGroups: role.requiredGroups,
        }),
      });
    }
    this.roles = roles;
  }
}

interface FederatedRoleProps {
  readonly role: IamFederationRoleConfig;
  readonly trust: DataAwsIamPolicyDocumentStatement;
}

class FederatedRoleConstruct extends Construct implements FederatedRole {
  public readonly arn: string;
  public readonly maxSessionDuration: number;
  public readonly requiredGroups: readonly string[];

  constructor(scope: Construct, id: string, props: FederatedRoleProps) {
    super(scope, id);
    const r = props.role;
    const trust = new DataAwsIamPolicyDocument(this, "trust", { statement: [props.trust] });
    const role = new IamRole(this, "role", {
      name: r.name,
      description:
        r.description ??
        "Assumed with ID tokens of the bridge's Cognito IAM federation client (aws-credentials)",
      assumeRolePolicy: trust.json,
      maxSessionDuration: r.maxSessionDuration,
    });
    for (const arn of r.managedPolicies) {
      new IamRolePolicyAttachment(this, idFromName(arn), { role: role.name, policyArn: arn });
    }
    if (r.inlinePolicy !== undefined) {
      new IamRolePolicy(this, "inline-policy", { name: "inline", role: role.id, policy: r.inlinePolicy });
    }
    this.arn = role.arn;
    this.maxSessionDuration = r.maxSessionDuration;
    this.requiredGroups = r.requiredGroups;
  }
}

export interface WebIdentityTrust {
  readonly providerArn: string;
  /** The issuer without `https://`: IAM's condition keys for the provider start with it. */
  readonly issuerHostAndPath: string;
  readonly audience: string;
  /** Any one of these groups must be in the `groups` session tag (`:g1:g2:`). */
  readonly requiredGroups: readonly string[];
}

/**
 * The trust statement of a federated role. IAM evaluates only `aud`, `sub` and `amr` of a generic OIDC
 * token, so group membership arrives as session tags (the JIT Lambda's `https://aws.amazon.com/tags`
 * claim), which needs `sts:TagSession` and is checked with `aws:RequestTag/groups`. Several required groups
 * are alternatives: IAM matches a condition key when any of its values matches.
 */
export function webIdentityTrust(t: WebIdentityTrust): DataAwsIamPolicyDocumentStatement {
  if (t.audience === "" || t.issuerHostAndPath === "") {
    throw new Error("a web-identity trust needs the issuer and an audience: never an unconditioned trust");
  }
  return {
    sid: "PoolIdTokensForTheFederationClient",
    effect: "Allow",
    actions: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
    principals: [{ type: "Federated", identifiers: [t.providerArn] }],
    condition: [
      { test: "StringEquals", variable: `${t.issuerHostAndPath}:aud`, values: [t.audience] },
      // Only the tags the Lambda sets: nothing else may ride along into the session.
      { test: "ForAllValues:StringEquals", variable: "aws:TagKeys", values: Object.values(SESSION_TAG_KEYS) },
      ...(t.requiredGroups.length === 0
        ? []
        : [
            {
              test: "StringLike",
              variable: `aws:RequestTag/${SESSION_TAG_KEYS.groups}`,
              values: t.requiredGroups.map((g) => `*:${g}:*`),
            },
          ]),
    ],
  };
}
