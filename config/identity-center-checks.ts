/**
 * Cross-field rules of the identityCenter section: the console URLs' region, references to groups, managed
 * policies that exist in the instance's partition, and ABAC sources the bridge's users actually carry.
 */
import type { z } from "zod";
import { partitionOfRegion } from "./accounts";
import { AWS_REGIONS } from "./aws";
import { ENTERPRISE_FIELDS } from "./cognito-attributes";
import { awsManagedPolicyProblem } from "./managed-policies";
import { IDC_ACS_URL, IDC_ISSUER_URL } from "./identity-center-urls";
import type { PartialConfig } from "./shape";
import { didYouMean } from "./suggest";

/**
 * The `${path:…}` sources IAM Identity Center accepts for ABAC with an external identity provider (IAM Identity
 * Center User Guide, "Supported external identity provider attributes").
 */
export const IDC_ABAC_PATHS = [
  "userName",
  "name.familyName",
  "name.givenName",
  "displayName",
  "nickName",
  "emails[primary eq true].value",
  'addresses[type eq "work"].streetAddress',
  'addresses[type eq "work"].locality',
  'addresses[type eq "work"].region',
  'addresses[type eq "work"].postalCode',
  'addresses[type eq "work"].country',
  'addresses[type eq "work"].formatted',
  'phoneNumbers[type eq "work"].value',
  "userType",
  "title",
  "locale",
  "timezone",
  ...ENTERPRISE_FIELDS.map((f) => `enterprise.${f}`),
  "enterprise.manager.value",
] as const;

/** What the JIT Lambda writes on every user it creates (CreateUser), so an ABAC source can read it. */
const ALWAYS_DELIVERED = [
  "userName",
  "name.familyName",
  "name.givenName",
  "displayName",
  "emails[primary eq true].value",
];

type Issue = (path: (string | number)[], message: string) => void;
const list = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v : []);
const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export function identityCenterChecks(c: PartialConfig, ctx: z.RefinementCtx): void {
  const issue: Issue = (path, message) => ctx.addIssue({ code: "custom", path, message });
  const ic = c.identityCenter ?? {};
  for (const [field, pattern] of [
    ["issuerUrl", IDC_ISSUER_URL],
    ["acsUrl", IDC_ACS_URL],
  ] as const) {
    const urlRegion = pattern.exec(String(ic[field]))?.[1];
    const known = (AWS_REGIONS as readonly unknown[]).includes(ic.region);
    if (urlRegion && known && urlRegion !== ic.region) {
      issue(
        ["identityCenter", field],
        `expected the region in the URL to be identityCenter.region (${ic.region})`,
      );
    }
  }

  const groupNames = list(ic.groups).flatMap((g) => (typeof g?.name === "string" ? [g.name] : []));
  const partition = typeof ic.region === "string" ? partitionOfRegion(ic.region) : undefined;
  list(ic.permissionSets).forEach((ps, i) => {
    const at = ["identityCenter", "permissionSets", i];
    const seen = new Set<string>();
    list(ps?.assignments).forEach((a, j) => {
      if (typeof a?.group === "string" && !groupNames.includes(a.group)) {
        issue(
          [...at, "assignments", j, "group"],
          `expected one of identityCenter.groups: ${groupNames.join(", ") || "(none declared)"}${didYouMean(a.group, groupNames)}`,
        );
      }
      list(a?.accounts).forEach((account, k) => {
        const key = `${a?.group}\n${account}`;
        if (seen.has(key)) {
          issue(
            [...at, "assignments", j, "accounts", k],
            `expected each account once per group in a permission set (already assigned to ${a?.group})`,
          );
        }
        seen.add(key);
      });
    });
    if (partition === undefined) return;
    list(ps?.managedPolicies).forEach((arn, j) => {
      const problem = typeof arn === "string" ? awsManagedPolicyProblem(arn, partition) : undefined;
      if (problem !== undefined) issue([...at, "managedPolicies", j], problem);
    });
    const boundary = record(ps?.permissionsBoundary).managedPolicyArn;
    const problem = typeof boundary === "string" ? awsManagedPolicyProblem(boundary, partition) : undefined;
    if (problem !== undefined) issue([...at, "permissionsBoundary", "managedPolicyArn"], problem);
  });

  abacSources(c, issue);
}

/**
 * IdC resolves `${path:…}` against the Identity Store user at every sign-in; a source the user never carries
 * gives the session no tag at all, silently. The bridge's users carry what CreateUser writes plus the
 * enterprise fields `cognito.provisioning.enterpriseAttributes` maps.
 */
function abacSources(c: PartialConfig, issue: Issue): void {
  const mappedEnterprise = Object.keys(record(c.cognito?.provisioning?.enterpriseAttributes));
  const delivered = [...ALWAYS_DELIVERED, ...mappedEnterprise.map((f) => `enterprise.${f}`)];
  for (const [key, source] of Object.entries(record(c.identityCenter?.accessControlAttributes))) {
    if (typeof source !== "string") continue;
    const at = ["identityCenter", "accessControlAttributes", key];
    const path = /^\$\{path:(.+)\}$/.exec(source)?.[1];
    const form = "${path:<attribute>}";
    if (path === undefined) {
      issue(at, `expected an attribute source of the form ${form}, such as \${path:enterprise.department}`);
    } else if (!(IDC_ABAC_PATHS as readonly string[]).includes(path)) {
      issue(
        at,
        `expected a path IAM Identity Center supports for ABAC: ${IDC_ABAC_PATHS.join(", ")}` +
          didYouMean(path, IDC_ABAC_PATHS, (p) => `\${path:${p}}`),
      );
    } else if (!delivered.includes(path)) {
      const field = path.startsWith("enterprise.") ? path.slice("enterprise.".length) : undefined;
      issue(
        at,
        field !== undefined && (ENTERPRISE_FIELDS as readonly string[]).includes(field)
          ? `expected ${field} in cognito.provisioning.enterpriseAttributes: otherwise the JIT Lambda never fills ${path} and the session gets no ${key} tag`
          : `expected a path the bridge's users carry (${delivered.join(", ")}): the JIT Lambda never fills ${path}, so the session would get no ${key} tag`,
      );
    }
  }
}
