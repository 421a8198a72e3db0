import type { z } from "zod";
import {
  IDC_USER_NAME_CLAIM,
  IDENTITY_STORE_USER_ID_CLAIM,
} from "../lambda-src/pre-token-generation/contract";
import {
  BRIDGE_ATTRIBUTE_NAMES,
  CUSTOM_PREFIX,
  MAPPABLE_STANDARD_ATTRIBUTES,
  MAX_STRING_LENGTH,
  STANDARD_ATTRIBUTES,
  VERIFICATION_ATTRIBUTES,
} from "./cognito-attributes";
import { partitionOfRegion } from "./accounts";
import type { BridgeConfig, PartialConfig as Partial } from "./shape";
import { didYouMean } from "./suggest";

/** Claims the JIT Lambda adds to the ID token; Cloudflare may read them like attributes. */
const LAMBDA_CLAIMS = [IDENTITY_STORE_USER_ID_CLAIM, IDC_USER_NAME_CLAIM] as const;

const list = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v : []);
const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const oneOf = (values: readonly string[]) => (values.length > 0 ? values.join(", ") : "(none declared)");

/**
 * Cross-field rules of the cognito section and of ABAC that AWS or Cloudflare would otherwise reject at apply
 * time, or accept and then fail every sign-in. They run on partly invalid input too, so one run reports all.
 */
export function cognitoChecks(c: Partial, ctx: z.RefinementCtx): void {
  const cognito = c.cognito ?? {};
  const provisioning = cognito.provisioning ?? {};
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", path, message });

  // Declared groups; groupMap keys must name one of them.
  const groupNames = list(cognito.groups).map((g) => g?.name);
  const declaredGroups = groupNames.filter((n): n is string => typeof n === "string");
  reportDuplicates(groupNames, ["cognito", "groups"], "name", ctx);
  for (const key of Object.keys(record(provisioning.groupMap))) {
    if (!groupNames.includes(key)) {
      issue(
        ["cognito", "provisioning", "groupMap", key],
        `expected the key "${key}" to be a group declared in cognito.groups: ${oneOf(declaredGroups)}${didYouMean(key, declaredGroups)}`,
      );
    }
  }

  // IAM federation: the JIT Lambda puts the person's Cognito groups (and groupsAttribute values) into the
  // `groups` session tag, so a required group must be one of them or no one could ever assume the role. An
  // upstream group is named by a Cognito group of the same name, as for groupMap (it may stay empty).
  list(cognito.iamFederation?.roles).forEach((role, i) =>
    list(role?.requiredGroups).forEach((group, j) => {
      if (typeof group === "string" && !declaredGroups.includes(group)) {
        issue(
          ["cognito", "iamFederation", "roles", i, "requiredGroups", j],
          `expected a group declared in cognito.groups: ${oneOf(declaredGroups)}${didYouMean(group, declaredGroups)}` +
            " (declare a group an upstream sends through groupsAttribute there too; it may stay empty)",
        );
      }
    }),
  );

  // Declared custom attributes, by their token name (custom:<name>).
  const declared = list(cognito.customAttributes);
  reportDuplicates(
    declared.map((a) => a?.name),
    ["cognito", "customAttributes"],
    "name",
    ctx,
  );
  const custom = new Map<string, (typeof declared)[number]>(
    declared.flatMap((a) => (typeof a?.name === "string" ? [[`${CUSTOM_PREFIX}${a.name}`, a] as const] : [])),
  );
  const bridgeAttributes = BRIDGE_ATTRIBUTE_NAMES.map((n) => `${CUSTOM_PREFIX}${n}`);
  const customHint =
    custom.size > 0 ? [...custom.keys()].join(", ") : "none declared in cognito.customAttributes";
  /** Why `name` is not a user pool attribute the config may use, or undefined when it is. */
  const notAnAttribute = (name: string, standard: readonly string[]): string | undefined => {
    if (bridgeAttributes.includes(name))
      return `expected an attribute other than ${name}, which only the JIT Lambda writes`;
    if (standard.includes(name) || custom.has(name)) return undefined;
    const hint = didYouMean(name, [...standard, ...custom.keys()]);
    return name.startsWith(CUSTOM_PREFIX)
      ? `expected a custom attribute declared in cognito.customAttributes (${customHint})${hint}`
      : `expected a standard Cognito attribute (${standard.join(", ")}) or a declared custom attribute (${customHint})${hint}`;
  };

  // Upstream attribute mappings: only attributes the pool has, and only ones Cognito can update at sign-in.
  const identifierOwners = new Map<string, string>();
  const requireVerifiedEmail = provisioning.requireVerifiedEmail !== false;
  list(cognito.upstreamProviders).forEach((p, i) => {
    const at = ["cognito", "upstreamProviders", i];
    const mapping = record(p?.attributeMapping);
    for (const [attribute, source] of Object.entries(mapping)) {
      const path = [...at, "attributeMapping", attribute];
      if (attribute === "username") {
        // Cognito maps an OIDC user's username from sub, and nothing else (Developer Guide, attribute mapping).
        if (p?.type !== "oidc" || source !== "sub") {
          issue(
            path,
            'expected username only on an OIDC provider, mapped from "sub" (Cognito derives it itself)',
          );
        }
        continue;
      }
      const problem = notAnAttribute(attribute, MAPPABLE_STANDARD_ATTRIBUTES);
      if (problem !== undefined) {
        issue(path, `${problem}; the key is the user pool attribute, the value the upstream's claim`);
        continue;
      }
      const target = custom.get(attribute);
      if (target?.mutable === false) {
        issue(
          path,
          `expected a mutable attribute: Cognito rewrites ${attribute} at every sign-in through ${p?.name}`,
        );
      } else if (
        target?.type === "String" &&
        typeof target.maxLength === "number" &&
        target.maxLength < MAX_STRING_LENGTH
      ) {
        issue(
          path,
          `expected ${attribute} to allow ${MAX_STRING_LENGTH} characters (its maxLength is ${target.maxLength}): Cognito fails the sign-in when a mapped value is longer`,
        );
      }
    }
    // Without email_verified (SAML never sends it) the JIT Lambda denies every sign-in, unless the email is trusted.
    if (
      requireVerifiedEmail &&
      p?.trustEmail !== true &&
      !("email_verified" in mapping) &&
      p?.type !== undefined
    ) {
      issue(
        [...at, "trustEmail"],
        `expected trustEmail: true (${p?.name} verifies its users' emails) or an attributeMapping for email_verified: ` +
          `with requireVerifiedEmail every sign-in through ${p?.name} would be denied` +
          (p?.type === "saml" ? " (SAML sends no email_verified)" : ""),
      );
    }
    list(p?.identifiers).forEach((identifier, j) => {
      const owner = identifierOwners.get(String(identifier).toLowerCase());
      if (owner !== undefined) {
        issue([...at, "identifiers", j], `expected an identifier no other provider uses (${owner} has it)`);
      }
      identifierOwners.set(String(identifier).toLowerCase(), String(p?.name));
    });
  });

  // The groups attribute: a String custom attribute whose values the Lambda unions with cognito:groups.
  const groupsAttribute = provisioning.groupsAttribute;
  if (typeof groupsAttribute === "string") {
    const path = ["cognito", "provisioning", "groupsAttribute"];
    const target = custom.get(groupsAttribute);
    if (!groupsAttribute.startsWith(CUSTOM_PREFIX) || bridgeAttributes.includes(groupsAttribute)) {
      issue(
        path,
        `expected a custom attribute declared in cognito.customAttributes, such as custom:groups (${customHint})`,
      );
    } else if (target === undefined) {
      issue(path, `expected a custom attribute declared in cognito.customAttributes (${customHint})`);
    } else if (target.type !== "String") {
      issue(path, `expected a String attribute (${groupsAttribute} is ${target.type})`);
    }
  }

  // Enterprise attributes come from any attribute of the person, standard (sub included) or declared custom.
  for (const [field, attribute] of Object.entries(record(provisioning.enterpriseAttributes))) {
    if (typeof attribute !== "string") continue;
    const problem = notAnAttribute(attribute, [...STANDARD_ATTRIBUTES, ...VERIFICATION_ATTRIBUTES]);
    if (problem !== undefined) issue(["cognito", "provisioning", "enterpriseAttributes", field], problem);
  }

  groupMapLimits(cognito, issue);

  // IAM role names are unique per account regardless of case: a federation role named like one of the bridge's
  // own roles (`<env>-idc-oidc-bridge-pre-token-generation`, `…-deprovisioning`, `…-plan`, …) fails the apply.
  if (typeof c.environment === "string") {
    const reserved = `${c.environment}-idc-oidc-bridge-`.toLowerCase();
    list(cognito.iamFederation?.roles).forEach((r, i) => {
      if (typeof r?.name === "string" && r.name.toLowerCase().startsWith(reserved)) {
        issue(
          ["cognito", "iamFederation", "roles", i, "name"],
          `expected a role name not starting with "${reserved}", which the bridge uses for its own IAM roles (IAM ignores case)`,
        );
      }
    });
  }

  // ABAC: each key from one place only, and each Cloudflare claim one that Cognito's ID token carries.
  const idcKeys = Object.keys(record(c.identityCenter?.accessControlAttributes));
  for (const [key, claim] of Object.entries(record(c.cloudflare?.accessControlAttributes))) {
    const path = ["cloudflare", "accessControlAttributes", key];
    if (idcKeys.includes(key)) {
      issue(
        path,
        `expected the key "${key}" in one place only: identityCenter.accessControlAttributes also sets it, so its source would be ambiguous`,
      );
    }
    if (typeof claim !== "string") continue;
    const readable = [
      ...STANDARD_ATTRIBUTES,
      ...VERIFICATION_ATTRIBUTES,
      ...LAMBDA_CLAIMS,
      "cognito:username",
    ];
    if (readable.includes(claim) || custom.has(claim)) continue;
    issue(
      path,
      bridgeAttributes.includes(claim)
        ? `expected a claim other than ${claim}, which only the bridge sets (use ${IDENTITY_STORE_USER_ID_CLAIM})`
        : `expected a claim of Cognito's ID token, which Cloudflare reads: a standard attribute (${[...STANDARD_ATTRIBUTES, ...VERIFICATION_ATTRIBUTES].join(", ")}), ` +
            `a declared custom attribute (${customHint}), a claim the JIT Lambda adds (${LAMBDA_CLAIMS.join(", ")}) or cognito:username` +
            didYouMean(claim, [...readable, ...custom.keys()]),
    );
  }
}

/** Longest Identity Store group id: an optional 10-hex-digit prefix and a dash, then a UUID. */
const GROUP_ID_LENGTH = 47;
/** Lambda quota: all environment variables of a function, keys and values, together (Lambda Developer Guide, quotas). */
const LAMBDA_ENVIRONMENT_BYTES = 4096;
/**
 * The JIT Lambda's other variables (store id, region, flags, service name, namespace, access-role ARN,
 * federation client id: keys and values) take at most this much; the rest is for the config's JSON values.
 */
const OTHER_ENVIRONMENT_BYTES = 768;
/** IAM quota: all inline policies of a role together, whitespace not counted (IAM User Guide, quotas). */
const ROLE_INLINE_POLICY_CHARACTERS = 10240;
/**
 * The JIT role's inline policies without the mapped groups' ARNs (logs, X-Ray, store, users, memberships,
 * KMS, own pool): about 2,100 characters as rendered, rounded up.
 */
const JIT_POLICY_BASE_CHARACTERS = 2200;

/**
 * groupMap travels whole in the JIT Lambda's environment (GROUP_MAP) and each mapped IdC group's ARN in its
 * role's policy: Lambda rejects a function whose variables exceed 4 KB, IAM a role whose inline policies
 * exceed 10,240 characters, both only at apply.
 */
function groupMapLimits(
  cognito: Partial["cognito"] & object,
  issue: (path: (string | number)[], message: string) => void,
) {
  const provisioning = cognito.provisioning ?? {};
  const groupMap = record(provisioning.groupMap);
  const entries = Object.entries(groupMap).filter(([, v]) => typeof v === "string");
  if (entries.length === 0) return;
  const path = ["cognito", "provisioning", "groupMap"];
  const json = (v: unknown) => Buffer.byteLength(JSON.stringify(v ?? null), "utf8");
  const bytes =
    json(Object.fromEntries(entries.map(([k]) => [k, "x".repeat(GROUP_ID_LENGTH)]))) +
    json(record(provisioning.enterpriseAttributes)) +
    json(list(cognito.upstreamProviders).map((p) => p?.name)) +
    json(provisioning.groupsAttribute ?? "");
  const budget = LAMBDA_ENVIRONMENT_BYTES - OTHER_ENVIRONMENT_BYTES;
  if (bytes > budget) {
    issue(
      path,
      `expected a group map that fits the JIT Lambda's environment: with ${entries.length} entries GROUP_MAP and the other JSON variables take up to ${bytes} bytes (group ids are up to ${GROUP_ID_LENGTH} characters), at most ${budget} fit beside the rest in Lambda's 4 KB: map fewer or shorter-named Cognito groups`,
    );
  }
  const idcGroups = new Set(entries.map(([, v]) => v)).size;
  // One mapped group: `"arn:<partition>:identitystore:::group/<id>",` in two statements.
  const partition = typeof cognito.region === "string" ? partitionOfRegion(cognito.region) : "aws-us-gov";
  const perGroup = 2 * (`"arn:${partition}:identitystore:::group/",`.length + GROUP_ID_LENGTH);
  const maxGroups = Math.floor((ROLE_INLINE_POLICY_CHARACTERS - JIT_POLICY_BASE_CHARACTERS) / perGroup);
  if (idcGroups > maxGroups) {
    issue(
      path,
      `expected at most ${maxGroups} distinct IdC groups: the JIT Lambda's role lists each mapped group's ARN in two statements, and IAM allows 10,240 characters of inline policy per role (${idcGroups} mapped)`,
    );
  }
}

export function reportDuplicates(
  values: unknown[],
  path: (string | number)[],
  field: string,
  ctx: z.RefinementCtx,
): void {
  values.forEach((v, i) => {
    if (v !== undefined && values.indexOf(v) !== i) {
      ctx.addIssue({ code: "custom", path: [...path, i, field], message: `expected a unique ${field}` });
    }
  });
}

/** Upstream providers whose emails the Lambda treats as verified (`TRUSTED_EMAIL_PROVIDERS`). */
export function trustedEmailProviders(cognito: BridgeConfig["cognito"]): string[] {
  return cognito.upstreamProviders.filter((p) => p.trustEmail).map((p) => p.name);
}
