import { z } from "zod";
import { awsAccountId, cognitoAccountFields, identityCenterAccountFields } from "./accounts";
import { AWS_REGIONS, COGNITO_RESERVED_DOMAIN_WORDS, LOG_RETENTION_DAYS } from "./aws";
import { deprovisioningFields } from "./deprovisioning";
import { customAttributes, enterpriseAttributes } from "./cognito-attributes";
import { cognitoGroupName, cognitoGroups } from "./cognito-groups";
import { permissionSetInlinePolicy, roleInlinePolicy } from "./iam-policy";
import { kmsKeyId } from "./kms-key";
import { httpsUrl } from "./primitives";
import { upstreamProvider } from "./upstream-providers";
import { bootstrapConfigSchema } from "./bootstrap";
import { federationSchemas } from "./federation";
import { IDC_ACS_URL, IDC_ISSUER_URL } from "./identity-center-urls";

// Every custom message states the expected form; the formatter adds the field path and the bad value.

const region = z.enum(AWS_REGIONS, { error: "expected an AWS region code such as eu-west-1" });

function integerInRange(min: number, max: number, unit: string) {
  const error = `expected an integer from ${min} to ${max}${unit}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

const dnsLabel = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const domainName = z.string().regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
  error: "expected a lowercase DNS domain such as acme.example",
});

const email = z.email({ error: "expected an email address such as ops@acme.example" });

/** ISO-8601 duration between 1 and 12 hours, as IdC permission sets accept. */
const isoSessionDuration = z.string().refine(
  (d) => {
    const m = /^PT(?:(\d{1,2})H)?(?:(\d{1,3})M)?$/.exec(d);
    if (!m || (m[1] === undefined && m[2] === undefined)) return false;
    const minutes = Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
    return minutes >= 60 && minutes <= 720;
  },
  { error: "expected an ISO-8601 duration from PT1H to PT12H, such as PT8H or PT1H30M" },
);

/** Go-style duration (`300ms`, `2h45m`), as Cloudflare Access accepts. */
const goDuration = z
  .string()
  .regex(/^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/, {
    error: "expected a Go-style duration such as 8h, 30m or 2h45m",
  })
  // A zero session would make Cloudflare ask for a new sign-in on every request.
  .refine((d) => [...d.matchAll(/(\d+(?:\.\d+)?)/g)].some((m) => Number(m[1]) > 0), {
    error: "expected a duration longer than zero, such as 8h",
  });

const customerManagedPolicyRef = z.strictObject({
  name: z.string().regex(/^[\w+=,.@-]{1,128}$/, { error: "expected an IAM policy name" }),
  path: z
    .string()
    .regex(/^\/(?:[\w+=,.@-]+\/)*$/, { error: "expected an IAM path such as / or /team/" })
    .default("/"),
});

const awsManagedPolicyArn = z.string().regex(/^arn:aws(?:-cn|-us-gov)?:iam::aws:policy\/[\w+=,.@/-]+$/, {
  error: "expected an AWS managed policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess",
});

const permissionSet = z.strictObject({
  name: z.string().regex(/^[\w+=,.@-]{1,32}$/, {
    error: "expected 1-32 characters of letters, digits and +=,.@_-",
  }),
  description: z.string().min(1).max(700).optional(),
  sessionDuration: isoSessionDuration.default("PT1H"),
  relayState: httpsUrl.optional(),
  managedPolicies: z.array(awsManagedPolicyArn).default([]),
  customerManagedPolicies: z.array(customerManagedPolicyRef).default([]),
  inlinePolicy: permissionSetInlinePolicy.optional(),
  permissionsBoundary: z
    .union([
      z.strictObject({ managedPolicyArn: awsManagedPolicyArn }),
      z.strictObject({ customerManagedPolicy: customerManagedPolicyRef }),
    ])
    .optional(),
  assignments: z
    .array(
      z.strictObject({
        group: z.string().min(1),
        accounts: z.array(awsAccountId).min(1, { error: "expected at least one account id" }),
      }),
    )
    .default([]),
});

const federation = federationSchemas({
  inlinePolicy: roleInlinePolicy,
  accountId: awsAccountId,
  integerInRange,
});

const abacKey = z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+@-]{1,128}$/u, {
  error: "expected an attribute key of 1-128 letters, digits, spaces and _.:/=+-@",
});

const identityCenter = z.strictObject({
  region,
  ...identityCenterAccountFields,
  issuerUrl: z.string().regex(IDC_ISSUER_URL, {
    error:
      "expected https://<region>.signin.aws.amazon.com/platform/saml/d-xxxxxxxxxx (IdC console: issuer URL)",
  }),
  acsUrl: z.string().regex(IDC_ACS_URL, {
    error: "expected https://<region>.signin.aws.amazon.com/platform/saml/acs/<uuid> (IdC console: ACS URL)",
  }),
  groups: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[^\s](?:.{0,126}[^\s])?$/u, {
          error: "expected a group name of 1-128 characters without leading or trailing spaces",
        }),
        description: z.string().min(1).max(1024).optional(),
      }),
    )
    .default([]),
  permissionSets: z.array(permissionSet).default([]),
  accessControlAttributes: z
    .record(
      abacKey,
      z.string().min(1).max(256, { error: "expected an attribute source of at most 256 characters" }),
    )
    .default({}),
  trustedTokenIssuer: federation.trustedTokenIssuer.optional(),
});

const cognito = z.strictObject({
  region,
  ...cognitoAccountFields,
  domainPrefix: z
    .string()
    .regex(dnsLabel, {
      error: "expected 1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen",
    })
    .refine((p) => !COGNITO_RESERVED_DOMAIN_WORDS.some((w) => p.includes(w)), {
      error: `expected a prefix without the reserved words ${COGNITO_RESERVED_DOMAIN_WORDS.join(", ")}`,
    }),
  userPoolTier: z
    .enum(["ESSENTIALS", "PLUS"], { error: "expected ESSENTIALS or PLUS" })
    .default("ESSENTIALS"),
  mfa: z.enum(["OFF", "OPTIONAL", "ON"], { error: "expected OFF, OPTIONAL or ON" }).default("OPTIONAL"),
  passwordMinimumLength: integerInRange(12, 99, "").default(14),
  upstreamProviders: z.array(upstreamProvider).default([]),
  groups: cognitoGroups.default([]),
  customAttributes: customAttributes.default([]),
  provisioning: z
    .strictObject({
      requireVerifiedEmail: z.boolean().default(true),
      onSyncFailure: z.enum(["deny", "allow"], { error: "expected deny or allow" }).default("deny"),
      groupMap: z.record(cognitoGroupName, z.string().min(1)).default({}),
      groupsAttribute: z.string().optional(),
      adoptExistingUsers: z.boolean().default(false),
      enterpriseAttributes: enterpriseAttributes.default({}),
      memorySizeMb: integerInRange(128, 10240, " (MB)").default(512),
      logRetentionDays: z
        .number()
        .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
          error: `expected one of CloudWatch's retention values: ${LOG_RETENTION_DAYS.join(", ")}`,
        })
        .default(90),
      ...deprovisioningFields,
    })
    .prefault({}),
  monitoring: z
    .strictObject({
      durationAlarmMs: integerInRange(500, 4000, " (ms, below Cognito's 5 s limit)").default(3000),
    })
    .prefault({}),
  alarmEmail: email.optional(),
  iamFederation: federation.iamFederation.optional(),
});

const cloudflare = z.strictObject({
  accountId: z
    .string()
    .regex(/^[0-9a-f]{32}$/, { error: "expected a Cloudflare account id (32 lowercase hex characters)" }),
  teamName: z.string().regex(dnsLabel, {
    error:
      "expected the Zero Trust team name: 1-63 lowercase letters, digits and hyphens (<team>.cloudflareaccess.com)",
  }),
  appName: z.string().min(1).max(255).default("AWS IAM Identity Center"),
  sessionDuration: goDuration.default("8h"),
  access: z
    .strictObject({
      emailDomains: z.array(domainName).default([]),
      emails: z.array(email).default([]),
      groups: z.array(z.uuid({ error: "expected a Cloudflare Access group id (UUID)" })).default([]),
    })
    .refine((a) => a.emailDomains.length + a.emails.length + a.groups.length > 0, {
      error: "expected at least one of emailDomains, emails or groups: otherwise nobody can sign in",
    }),
  accessControlAttributes: z
    .record(
      abacKey,
      z.string().regex(/^[\w:.-]{1,128}$/, { error: "expected an OIDC claim name such as department" }),
    )
    .default({}),
});

/** S3 general purpose bucket naming rules (Amazon S3 User Guide, "General purpose bucket naming rules"). */
function isS3BucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes("..") &&
    !/^\d{1,3}(?:\.\d{1,3}){3}$/.test(name) &&
    !/^(?:xn--|sthree-|amzn-s3-demo-)/.test(name) &&
    !/(?:-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)
  );
}

const backend = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      type: z.literal("s3"),
      bucket: z.string().refine(isS3BucketName, {
        error:
          "expected an S3 bucket name: 3-63 lowercase letters, digits, . and -, starting and ending with a letter or digit, no '..', not an IP address, no reserved prefix (xn--, sthree-, amzn-s3-demo-) or suffix (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3)",
      }),
      region,
      keyPrefix: z
        .string()
        .regex(/^[A-Za-z0-9!_.*'()-]+(?:\/[A-Za-z0-9!_.*'()-]+)*$/, {
          error: "expected a key prefix such as idc-oidc-bridge (no leading or trailing /)",
        })
        .default("idc-oidc-bridge"),
      kmsKeyId: kmsKeyId.optional(),
      dynamodbTable: z
        .string()
        .regex(/^[A-Za-z0-9_.-]{3,255}$/, { error: "expected a DynamoDB table name" })
        .optional(),
    }),
    z.strictObject({ type: z.literal("local") }),
    z.strictObject({
      type: z.literal("cloud"),
      organization: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,40}$/, { error: "expected an HCP Terraform organization name" }),
      workspacePrefix: z
        .string()
        .regex(/^[A-Za-z0-9_-]{0,60}$/, {
          error: "expected letters, digits, _ and - (a workspace name prefix)",
        })
        .default(""),
      hostname: z
        .string()
        .regex(/^[a-z0-9.-]+$/, { error: "expected a hostname such as app.terraform.io" })
        .optional(),
    }),
  ],
  { error: 'expected a backend with "type": "s3", "local" or "cloud"' },
);

export const bridgeConfigObject = z.strictObject({
  environment: z.string().regex(/^[a-z](?:[a-z0-9-]{0,14}[a-z0-9])?$/, {
    error: "expected 1-16 lowercase letters, digits and hyphens, starting with a letter (e.g. prod)",
  }),
  tags: z
    .record(
      z.string().regex(/^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+@-]{1,128}$/u, { error: "expected an AWS tag key" }),
      z.string().max(256, { error: "expected a tag value of at most 256 characters" }),
    )
    .default({}),
  backend,
  identityCenter,
  cognito,
  cloudflare,
  bootstrap: bootstrapConfigSchema.optional(),
  /** Where editors find the JSON Schema (config/config.schema.json); the bridge ignores it. */
  $schema: z.string().optional(),
});

/** The validated config, with defaults filled in. */
export type BridgeConfig = z.output<typeof bridgeConfigObject>;
/** The config as written in JSON. */
export type BridgeConfigInput = z.input<typeof bridgeConfigObject>;
/** A config as the cross-field checks see it: any part may be missing or invalid. */
export type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
export type PartialConfig = DeepPartial<BridgeConfig>;
