/**
 * Rules that span fields: run after (and even when) the fields themselves failed, so one run reports every
 * problem. Each section's rules live in their own module; this one runs them and holds the rules between sections.
 */
import type { z } from "zod";
import { accountIssues, partitionOfRegion, resolveAccounts } from "./accounts";
import { AWS_REGIONS } from "./aws";
import { cognitoChecks, reportDuplicates } from "./cognito-checks";
import { KMS_KEY_ID } from "./kms-key";
import { identityCenterChecks } from "./identity-center-checks";
import { awsManagedPolicyProblem, parseManagedPolicyArn } from "./managed-policies";
import type { PartialConfig } from "./shape";
import { didYouMean } from "./suggest";
import { upstreamSecretVariable } from "./upstream-providers";

const list = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v : []);

/** `arn:<partition>:kms:<region>:<account>:key/…` or `…:alias/…` */
const KMS_ARN = /^arn:([a-z-]+):kms:([a-z0-9-]+):(\d{12}):/;

export function crossFieldChecks(c: PartialConfig, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", path, message });
  for (const problem of accountIssues(c)) issue(problem.path, problem.message);
  const ic = c.identityCenter ?? {};
  const groupNames = list(ic.groups).map((g) => g?.name);
  reportDuplicates(groupNames, ["identityCenter", "groups"], "name", ctx);
  reportDuplicates(
    list(ic.permissionSets).map((p) => p?.name),
    ["identityCenter", "permissionSets"],
    "name",
    ctx,
  );
  reportDuplicates(
    list(c.cognito?.upstreamProviders).map((p) => p?.name),
    ["cognito", "upstreamProviders"],
    "name",
    ctx,
  );
  identityCenterChecks(c, ctx);

  // The Lambdas in the Cognito region call the Identity Store with the same credentials: one partition.
  if (typeof ic.region === "string" && typeof c.cognito?.region === "string") {
    const [a, b] = [partitionOfRegion(ic.region), partitionOfRegion(c.cognito.region)];
    if (a !== b) {
      issue(
        ["cognito", "region"],
        `expected a region in the partition of identityCenter.region ${ic.region} (${a}): the JIT Lambda cannot call an Identity Store in another partition (${b})`,
      );
    }
  }

  // Terraform's S3 backend uses the key in the bucket's region: S3 refuses SSE-KMS with a key of another region.
  const backend = c.backend as { type?: unknown; region?: unknown; kmsKeyId?: unknown } | undefined;
  const kms =
    typeof backend?.kmsKeyId === "string" && KMS_KEY_ID.test(backend.kmsKeyId)
      ? KMS_ARN.exec(backend.kmsKeyId)
      : null;
  const keyId = String(backend?.kmsKeyId);
  if (kms && typeof backend?.region === "string") {
    if (kms[2] !== backend.region || kms[1] !== partitionOfRegion(backend.region)) {
      issue(
        ["backend", "kmsKeyId"],
        `expected a key in the state bucket's region backend.region (${backend.region}), such as ${keyId.replace(KMS_ARN, `arn:${partitionOfRegion(backend.region)}:kms:${backend.region}:$3:`)}`,
      );
    }
  }

  rolePolicies(c, issue);

  // Each upstream OIDC provider needs its own secret variable.
  const secretOwners = new Map<string, string>();
  list(c.cognito?.upstreamProviders).forEach((p, i) => {
    if (p?.type !== "oidc" || typeof p.name !== "string") return;
    const variable = upstreamSecretVariable(p.name);
    const other = secretOwners.get(variable);
    if (other !== undefined) {
      issue(
        ["cognito", "upstreamProviders", i, "name"],
        `expected a name that differs from "${other}" in more than case or . _ - (both would use ${variable})`,
      );
    }
    secretOwners.set(variable, p.name);
  });
  cognitoChecks(c, ctx);

  const idcGroups = groupNames.filter((n): n is string => typeof n === "string");
  const groupMap = c.cognito?.provisioning?.groupMap;
  for (const [cognitoGroup, idcGroup] of Object.entries(
    groupMap && typeof groupMap === "object" ? groupMap : {},
  )) {
    if (typeof idcGroup === "string" && !idcGroups.includes(idcGroup)) {
      issue(
        ["cognito", "provisioning", "groupMap", cognitoGroup],
        `expected one of identityCenter.groups: ${idcGroups.join(", ") || "(none declared)"}${didYouMean(idcGroup, idcGroups)}`,
      );
    }
  }
}

/**
 * Managed policies of IAM roles the bridge creates: an AWS managed one must exist in the role's partition, a
 * customer managed one must be in the role's account (AttachRolePolicy attaches only policies of the role's
 * own account: NoSuchEntity otherwise).
 */
function rolePolicies(c: PartialConfig, issue: (path: (string | number)[], message: string) => void): void {
  const cognitoRegion = c.cognito?.region;
  const account = resolveAccounts({
    identityCenter: c.identityCenter ?? {},
    cognito: c.cognito ?? {},
  }).cognito;
  const check = (arns: unknown, region: unknown, at: (string | number)[], roleAccount?: string) => {
    if (typeof region !== "string" || !(AWS_REGIONS as readonly string[]).includes(region)) return;
    list(arns as unknown[]).forEach((arn, j) => {
      const ref = parseManagedPolicyArn(arn);
      if (ref === undefined) return;
      const partition = partitionOfRegion(region);
      const problem =
        ref.account === "aws"
          ? awsManagedPolicyProblem(String(arn), partition)
          : ref.partition !== partition
            ? `expected an ARN in partition ${partition} (the region's partition)`
            : roleAccount !== undefined && ref.account !== roleAccount
              ? `expected a policy in the role's account ${roleAccount} (IAM attaches no other account's policy), such as arn:${partition}:iam::${roleAccount}:policy/${ref.id}`
              : undefined;
      if (problem !== undefined) issue([...at, j], problem);
    });
  };
  list(c.cognito?.iamFederation?.roles).forEach((role, i) =>
    check(
      role?.managedPolicies,
      cognitoRegion,
      ["cognito", "iamFederation", "roles", i, "managedPolicies"],
      account,
    ),
  );
  const backend = c.backend as { region?: unknown } | undefined;
  check(c.bootstrap?.applyRoleManagedPolicies, backend?.region, ["bootstrap", "applyRoleManagedPolicies"]);
}
