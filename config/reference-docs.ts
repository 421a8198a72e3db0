/**
 * What each config field means, for README's configuration reference. Type, allowed values and default come
 * from the schema itself (config/reference.ts renders them); an example comes from the example and test
 * configs unless given here. Every field of the schema needs an entry: config/reference.test.ts fails
 * otherwise. Markdown; `|` is escaped when rendered.
 *
 * Over 300 lines on purpose: one entry per config field, a table that grows with the schema and is read by
 * looking a field up, not top to bottom.
 */
export interface FieldDoc {
  readonly doc: string;
  /** Shown when no example or test config sets the field. */
  readonly example?: unknown;
}

export const FIELD_DOCS: Readonly<Record<string, FieldDoc>> = {
  $schema: {
    doc: "path or URL of this JSON Schema, for editors; the bridge ignores it",
    example: "./config.schema.json",
  },
  environment: { doc: "prefixes stack ids (`<environment>-<stack>`) and resource names" },
  tags: { doc: "AWS default tags for every AWS resource; `aws:` keys are not allowed" },
  backend: { doc: "where Terraform keeps each stack's state (README: Remote state)" },
  "backend.type": {
    doc: "`s3`: bucket, state key `<keyPrefix>/<environment>/<stack>.tfstate`, `encrypt = true`, `use_lockfile = true` (S3-native locking, Terraform ≥ 1.10); `local`: `terraform-state/<stack>.tfstate` at the project root, for trying things out; `cloud`: HCP Terraform, one workspace `<workspacePrefix><environment>-<stack>` per stack (share remote state between the environment's workspaces)",
  },
  "backend.bucket": { doc: "s3: the state bucket (S3 general purpose bucket naming rules)" },
  "backend.region": { doc: "s3: the bucket's region" },
  "backend.keyPrefix": { doc: "s3: prefix of the state keys" },
  "backend.kmsKeyId": {
    doc: "s3: KMS key that encrypts the state (SSE-KMS): key id, alias or ARN; an ARN must be in `backend.region`",
    example: "arn:aws:kms:eu-west-1:111111111111:alias/tfstate",
  },
  "backend.dynamodbTable": {
    doc: "s3: legacy DynamoDB lock table (S3-native locking makes it unnecessary)",
    example: "tfstate-lock",
  },
  "backend.organization": { doc: "cloud: the HCP Terraform organization", example: "acme" },
  "backend.workspacePrefix": { doc: "cloud: prefix of the workspace names", example: "idc-bridge-" },
  "backend.hostname": {
    doc: "cloud: HCP Terraform or Terraform Enterprise host",
    example: "app.terraform.io",
  },
  identityCenter: {
    doc: "the IAM Identity Center instance and what the identity-center stack creates in it",
  },
  "identityCenter.region": { doc: "region of the IdC instance" },
  "identityCenter.accountId": {
    doc: "the 12-digit account of IAM Identity Center (management or delegated administrator); required when the config names a Cognito account (README: Cross-account deployments)",
    example: "111111111111",
  },
  "identityCenter.assumeRoleArn": {
    doc: "role the identity-center stack's aws provider assumes (in `identityCenter.accountId`)",
    example: "arn:aws:iam::111111111111:role/idc-oidc-bridge-deploy",
  },
  "identityCenter.kmsKeyArn": {
    doc: "IdC's customer managed KMS key, a key ARN in `identityCenter.region`; Identity Store callers get `kms:Decrypt` on it through the Identity Store only",
    example: "arn:aws:kms:eu-west-1:111111111111:key/mrk-0123456789abcdef0123456789abcdef",
  },
  "identityCenter.issuerUrl": {
    doc: "IdC console → Settings → identity source → SAML issuer URL; checked at plan time against the instance's identity store id",
  },
  "identityCenter.acsUrl": { doc: "IdC console → Settings → identity source → ACS URL" },
  "identityCenter.groups": {
    doc: "Identity Store groups the stack creates; only the JIT Lambda puts people in them",
  },
  "identityCenter.groups[].name": { doc: "group display name, unique" },
  "identityCenter.groups[].description": { doc: "group description" },
  "identityCenter.permissionSets": {
    doc: "permission sets and their assignments to `identityCenter.groups`",
  },
  "identityCenter.permissionSets[].name": { doc: "permission set name, unique" },
  "identityCenter.permissionSets[].description": { doc: "shown in the access portal" },
  "identityCenter.permissionSets[].sessionDuration": {
    doc: "role session length, ISO-8601 from PT1H to PT12H",
  },
  "identityCenter.permissionSets[].relayState": {
    doc: "where the console opens after sign-in",
    example: "https://console.aws.amazon.com/ec2/home",
  },
  "identityCenter.permissionSets[].managedPolicies": {
    doc: "AWS managed policy ARNs in the IdC region's partition, path included (`job-function/ViewOnlyAccess`); names are checked against config/aws-managed-policies.json",
  },
  "identityCenter.permissionSets[].customerManagedPolicies": {
    doc: "customer managed policies by name and path; they must exist in every assigned account",
    example: [{ name: "team-boundary", path: "/" }],
  },
  "identityCenter.permissionSets[].customerManagedPolicies[].name": {
    doc: "policy name",
    example: "team-boundary",
  },
  "identityCenter.permissionSets[].customerManagedPolicies[].path": { doc: "policy path", example: "/team/" },
  "identityCenter.permissionSets[].inlinePolicy": {
    doc: "IAM policy as an object or a JSON string, validated against the policy grammar; at most 32,768 characters",
  },
  "identityCenter.permissionSets[].permissionsBoundary": {
    doc: "`{managedPolicyArn}` or `{customerManagedPolicy: {name, path}}`",
    example: { managedPolicyArn: "arn:aws:iam::aws:policy/PowerUserAccess" },
  },
  "identityCenter.permissionSets[].permissionsBoundary.managedPolicyArn": {
    doc: "an AWS managed policy as the boundary",
    example: "arn:aws:iam::aws:policy/PowerUserAccess",
  },
  "identityCenter.permissionSets[].permissionsBoundary.customerManagedPolicy": {
    doc: "a customer managed policy as the boundary",
    example: { name: "boundary", path: "/" },
  },
  "identityCenter.permissionSets[].permissionsBoundary.customerManagedPolicy.name": {
    doc: "policy name",
    example: "boundary",
  },
  "identityCenter.permissionSets[].permissionsBoundary.customerManagedPolicy.path": {
    doc: "policy path",
    example: "/",
  },
  "identityCenter.permissionSets[].assignments": {
    doc: "which group gets the permission set in which accounts",
  },
  "identityCenter.permissionSets[].assignments[].group": { doc: "a group of `identityCenter.groups`" },
  "identityCenter.permissionSets[].assignments[].accounts": {
    doc: "12-digit account ids, each once per group",
  },
  "identityCenter.accessControlAttributes": {
    doc: "ABAC, read from the Identity Store: key (becomes `aws:PrincipalTag/<key>`) ← `${path:…}` source on the IdC user. The bridge's users carry `userName`, `name.givenName`, `name.familyName`, `displayName`, `emails[primary eq true].value`, and `enterprise.<field>` for fields in `cognito.provisioning.enterpriseAttributes`",
  },
  "identityCenter.trustedTokenIssuer": {
    doc: "the pool as an IdC trusted token issuer, with a customer managed OAuth application (README: Trusted identity propagation)",
    example: { name: "cognito", applicationName: "bridge-app", scopes: ["sso:account:access"] },
  },
  "identityCenter.trustedTokenIssuer.name": { doc: "trusted token issuer name", example: "cognito" },
  "identityCenter.trustedTokenIssuer.applicationName": {
    doc: "the OAuth application's name",
    example: "bridge-app",
  },
  "identityCenter.trustedTokenIssuer.scopes": {
    doc: "IdC access scopes the application may use",
    example: ["sso:account:access"],
  },
  "identityCenter.trustedTokenIssuer.tokenExchangeAccounts": {
    doc: "accounts allowed to call `CreateTokenWithIAM`",
    example: ["111111111111"],
  },
  "identityCenter.trustedTokenIssuer.callbackUrls": {
    doc: "the application's callback URLs: https, or http://localhost",
    example: ["https://app.acme.example/callback"],
  },
  cognito: { doc: "the user pool, its upstream IdPs and the JIT Lambda" },
  "cognito.region": {
    doc: "region of the user pool and the Lambdas (may differ from IdC's, not its partition)",
  },
  "cognito.accountId": {
    doc: "account of the user pool and Lambdas [`identityCenter.accountId`]; another account turns on cross-account mode",
    example: "222222222222",
  },
  "cognito.assumeRoleArn": {
    doc: "role the cognito and cloudflare-access stacks' aws providers assume (in the Cognito account)",
    example: "arn:aws:iam::222222222222:role/idc-oidc-bridge-deploy",
  },
  "cognito.domainPrefix": {
    doc: "hosted domain `<prefix>.auth.<region>.amazoncognito.com`, without `aws`, `amazon`, `cognito`",
  },
  "cognito.userPoolTier": {
    doc: "feature plan; the V2 pre-token trigger needs one of these",
    example: "ESSENTIALS",
  },
  "cognito.mfa": { doc: "TOTP multi-factor authentication for the pool's own users" },
  "cognito.passwordMinimumLength": { doc: "minimum password length for the pool's own users", example: 14 },
  "cognito.upstreamProviders": {
    doc: "IdPs federated into the pool (README: Upstream identity providers). An OIDC client secret comes from `TF_VAR_upstream_<name>_client_secret`",
  },
  "cognito.upstreamProviders[].type": { doc: "`oidc` or `saml`" },
  "cognito.upstreamProviders[].name": { doc: "provider name in the pool (Cognito's ProviderName), unique" },
  "cognito.upstreamProviders[].trustEmail": {
    doc: "treat this provider's emails as verified: the JIT Lambda ignores `email_verified`. For SAML IdPs that own their users' addresses (SAML sends no `email_verified`); not for providers whose tokens carry it (a warning says so)",
  },
  "cognito.upstreamProviders[].identifiers": {
    doc: "identifiers (such as email domains) that route a person to this provider in the hosted UI; unique across providers",
  },
  "cognito.upstreamProviders[].clientId": { doc: "oidc: the client id registered at the upstream" },
  "cognito.upstreamProviders[].issuerUrl": {
    doc: "oidc: the issuer, without `/.well-known/openid-configuration` (Cognito appends it and discovers the endpoints)",
  },
  "cognito.upstreamProviders[].scopes": {
    doc: "oidc: scopes Cognito asks **of the upstream IdP** when it sends the person there; must include `openid`",
  },
  "cognito.upstreamProviders[].attributeMapping": {
    doc: "direction: **user pool attribute (key) ← upstream claim or SAML attribute name (value)**; Cognito writes the pool attribute from the upstream's token at every sign-in through this provider. Keys: standard attributes or declared `custom:` attributes (mutable, `maxLength` 2048); `username` only from `sub` (OIDC). Defaults: OIDC `email`, `email_verified`, `given_name`, `family_name` from the same claims; SAML `email` from `http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress`",
  },
  "cognito.upstreamProviders[].metadataUrl": { doc: "saml: the IdP's metadata URL" },
  "cognito.groups": {
    doc: "Cognito groups (`aws_cognito_user_group`); every `groupMap` key and `requiredGroups` entry names one",
  },
  "cognito.groups[].name": { doc: "group name, no spaces" },
  "cognito.groups[].description": { doc: "group description" },
  "cognito.groups[].precedence": { doc: "lower wins when a person is in several groups with IAM roles" },
  "cognito.customAttributes": {
    doc: "the pool's custom attributes, used as `custom:<name>`; at most 48 (the pool holds 50, the bridge declares `custom:idc_user_id` and `custom:idc_last_sign_in`). Custom attributes can never be removed from a pool",
  },
  "cognito.customAttributes[].name": { doc: "name without `custom:`" },
  "cognito.customAttributes[].type": { doc: "attribute type" },
  "cognito.customAttributes[].mutable": {
    doc: "mapped attributes must stay mutable: Cognito rewrites them at every federated sign-in",
    example: true,
  },
  "cognito.customAttributes[].minLength": { doc: "String: minimum length", example: 0 },
  "cognito.customAttributes[].maxLength": {
    doc: "String: maximum length; Cognito stores at most 2048 characters, and a mapped attribute must allow all 2048 (a longer upstream value fails the sign-in)",
    example: 2048,
  },
  "cognito.customAttributes[].minValue": { doc: "Number: minimum", example: 0 },
  "cognito.customAttributes[].maxValue": { doc: "Number: maximum", example: 99999 },
  "cognito.provisioning": {
    doc: "what the JIT Lambda does at each sign-in, and what the deprovisioning Lambda does with leavers",
  },
  "cognito.provisioning.requireVerifiedEmail": {
    doc: 'deny sign-in unless `email_verified` is `"true"` (or the provider has `trustEmail`); `false` prints a warning',
  },
  "cognito.provisioning.onSyncFailure": {
    doc: "when the Identity Store fails: `deny` fails the sign-in, `allow` issues tokens without the claim",
  },
  "cognito.provisioning.groupMap": {
    doc: "direction: **Cognito group (key, from `cognito.groups`) → IdC group (value, from `identityCenter.groups`)**; the Lambda reads the person's `cognito:groups` (and `groupsAttribute` values) and writes memberships of the mapped IdC groups (env `GROUP_MAP`, group ids)",
  },
  "cognito.provisioning.groupsAttribute": {
    doc: "a declared String custom attribute (e.g. `custom:groups`) that an upstream's groups claim is mapped to; the Lambda reads its values beside `cognito:groups` (env `GROUPS_ATTRIBUTE`)",
    example: "custom:groups",
  },
  "cognito.provisioning.adoptExistingUsers": {
    doc: "a person found in the Identity Store only by email is renamed to the normalized email and marked as managed, keeping id, memberships and assignments; off: their sign-in is denied (env `ADOPT_EXISTING_USERS`)",
  },
  "cognito.provisioning.enterpriseAttributes": {
    doc: "direction: **Identity Store enterprise field (key: `department`, `costCenter`, `organization`, `division`, `employeeNumber`) ← Cognito attribute (value)**; the Lambda copies it into the IdC user at sign-in, for `${path:enterprise.<field>}` in ABAC (env `ENTERPRISE_ATTRIBUTES`)",
  },
  "cognito.provisioning.memorySizeMb": { doc: "JIT Lambda memory (MB)", example: 512 },
  "cognito.provisioning.logRetentionDays": {
    doc: "CloudWatch Logs retention of the Lambdas (days)",
    example: 90,
  },
  "cognito.provisioning.deprovision": {
    doc: "leavers (README: Leavers): `report` logs, counts and alarms; `remove-memberships` drops the mapped groups' memberships; `delete-user` deletes the IdC user. Modes other than `report` warn: run `npm run doctor` to check for a CloudTrail trail",
    example: "report",
  },
  "cognito.provisioning.maxDeprovisionPerRun": {
    doc: "refused: replaced by `deprovisionBudget.maxUsers` (a per-run limit let concurrent runs each spend it)",
  },
  "cognito.provisioning.deprovisionBudget": {
    doc: "the deletion budget, shared by every run of the deprovisioner (README: Leavers): users changed destructively (deleted, or memberships removed) per rolling window, kept in a DynamoDB table with conditional writes; when it is spent nothing more changes and the `users-held-back` alarm fires",
  },
  "cognito.provisioning.deprovisionBudget.maxUsers": {
    doc: "users changed destructively per window, across all invocations",
    example: 10,
  },
  "cognito.provisioning.deprovisionBudget.windowHours": {
    doc: "the rolling window of the budget, in hours",
    example: 24,
  },
  "cognito.provisioning.inactiveDays": {
    doc: "also a leaver when the last recorded sign-in (`custom:idc_last_sign_in`) is older than this; no record counts as active",
    example: 90,
  },
  "cognito.provisioning.deprovisionSchedule": {
    doc: "when the reconciliation runs: a recurring EventBridge Scheduler expression, UTC",
    example: "cron(0 6 * * ? *)",
  },
  "cognito.monitoring": { doc: "alarm thresholds" },
  "cognito.monitoring.durationAlarmMs": {
    doc: "p99 duration alarm of the JIT Lambda (Cognito gives up at 5 s)",
    example: 3000,
  },
  "cognito.alarmEmail": { doc: "subscribe this address to the alarm topic" },
  "cognito.iamFederation": {
    doc: "IAM roles assumable with the pool's ID tokens (README: IAM OIDC federation)",
  },
  "cognito.iamFederation.callbackPort": {
    doc: "loopback port of the `aws-credentials` callback `http://localhost:<port>/callback`",
  },
  "cognito.iamFederation.roles": {
    doc: "at least one role; each needs `managedPolicies` or an `inlinePolicy`",
  },
  "cognito.iamFederation.roles[].name": {
    doc: "IAM role name, unique regardless of case, not starting with `<environment>-idc-oidc-bridge-`",
  },
  "cognito.iamFederation.roles[].description": { doc: "role description", example: "Read-only audit access" },
  "cognito.iamFederation.roles[].managedPolicies": {
    doc: "AWS managed policies (checked against the list) or customer managed ones of the Cognito account, at most 20",
  },
  "cognito.iamFederation.roles[].inlinePolicy": {
    doc: "IAM policy as an object or a JSON string; at most 10,240 characters",
  },
  "cognito.iamFederation.roles[].maxSessionDuration": { doc: "longest role session (seconds)" },
  "cognito.iamFederation.roles[].requiredGroups": {
    doc: "the role may be assumed only with one of these groups in the `groups` session tag (any one); each must be declared in `cognito.groups` (an upstream group too: declare it there, it may stay empty); empty: anyone who can sign in",
  },
  cloudflare: { doc: "the Cloudflare Zero Trust account and the Access application" },
  "cloudflare.accountId": { doc: "Cloudflare account id" },
  "cloudflare.teamName": { doc: "Zero Trust team (`<team>.cloudflareaccess.com`)" },
  "cloudflare.appName": { doc: "name of the Access application", example: "AWS IAM Identity Center" },
  "cloudflare.sessionDuration": { doc: "Go duration of the app's and its policies' sessions" },
  "cloudflare.access": { doc: "who may sign in; at least one entry in all" },
  "cloudflare.access.emailDomains": { doc: "email domains allowed to sign in" },
  "cloudflare.access.emails": {
    doc: "single addresses allowed to sign in",
    example: ["ada@partner.example"],
  },
  "cloudflare.access.groups": {
    doc: "Cloudflare Access group ids allowed to sign in",
    example: ["0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0"],
  },
  "cloudflare.accessControlAttributes": {
    doc: "ABAC, read from Cognito's ID token: key → claim Cloudflare copies into the SAML assertion as `https://aws.amazon.com/SAML/Attributes/AccessControl:<key>`; each key in one place only (not also in `identityCenter.accessControlAttributes`)",
    example: { CostCenter: "custom:cost_center" },
  },
  bootstrap: { doc: "what `npm run bootstrap` creates once per environment for CI; the main app ignores it" },
  "bootstrap.github": { doc: "the repository whose workflows may assume the CI roles" },
  "bootstrap.github.repository": { doc: "`<owner>/<name>`", example: "acme/idc-oidc-bridge" },
  "bootstrap.github.defaultBranch": { doc: "drift detection runs here with the plan role", example: "main" },
  "bootstrap.github.createOidcProvider": {
    doc: "false uses the account's existing GitHub OIDC provider",
    example: true,
  },
  "bootstrap.stateAccount": {
    doc: "with two accounts, the account of the state bucket: `cognito` (the workload account: the management account holds as little as possible, and the state, which holds the Cognito client secret, stays with Cognito) or `identity-center` (keeps a bucket made while everything was one account there; README: Two accounts)",
    example: "cognito",
  },
  "bootstrap.stateBucketEncryption": {
    doc: "how the state bucket encrypts objects [SSE-KMS with `backend.kmsKeyId`, else SSE-S3]",
    example: "SSE-KMS",
  },
  "bootstrap.applyRoleManagedPolicies": {
    doc: "extra managed policies of the deploy roles [none: their own policies grant exactly the actions of the resources the stacks hold, from one action table]",
    example: ["arn:aws:iam::aws:policy/AdministratorAccess"],
  },
};
