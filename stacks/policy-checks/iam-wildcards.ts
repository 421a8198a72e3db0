import { blocksOf, isExpression, list, type PolicyRule, type TerraformJson, type Violation } from "./rule";

/** Services whose actions on `Resource: "*"` reach identities, credentials, keys or secrets account-wide. */
export const SENSITIVE_SERVICES = ["identitystore", "iam", "sts", "kms", "secretsmanager"] as const;

/** Sensitive actions IAM authorizes only on `Resource: "*"` (the SAR lists no resource type for them). */
export const ONLY_ON_ANY_RESOURCE: ReadonlySet<string> = new Set(["kms:CreateKey", "kms:ListAliases"]);

/** Attributes that hold a policy document (JSON, or a reference to an aws_iam_policy_document). */
const POLICY_ATTRIBUTES: Record<string, string[]> = {
  aws_iam_role: ["assume_role_policy"],
  aws_iam_role_policy: ["policy"],
  aws_iam_policy: ["policy"],
  aws_iam_user_policy: ["policy"],
  aws_iam_group_policy: ["policy"],
  aws_kms_key: ["policy"],
  aws_s3_bucket_policy: ["policy"],
  aws_sns_topic: ["policy"],
  aws_sns_topic_policy: ["policy"],
  aws_sqs_queue_policy: ["policy"],
  aws_secretsmanager_secret: ["policy"],
  aws_secretsmanager_secret_policy: ["policy"],
};

type Context = "identity" | "key-policy" | "people";

interface Statement {
  readonly label: string;
  readonly effect: string;
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  readonly notResources: string[];
  /** AWS principals (ARNs), for the key-policy exception. */
  readonly awsPrincipals: string[];
}

const strings = (v: unknown): string[] => list(v).map(String);

function fromDocument(doc: TerraformJson): Statement[] {
  return list<TerraformJson>(doc.statement).map((s, i) => ({
    label: s.sid ? `statement "${s.sid}"` : `statement[${i}]`,
    effect: s.effect ?? "Allow",
    actions: strings(s.actions),
    notActions: strings(s.not_actions),
    resources: strings(s.resources),
    notResources: strings(s.not_resources),
    awsPrincipals: list<TerraformJson>(s.principals)
      .filter((p) => p.type === "AWS")
      .flatMap((p) => strings(p.identifiers)),
  }));
}

function fromJson(policy: TerraformJson): Statement[] {
  return list<TerraformJson>(policy.Statement).map((s, i) => {
    const principal = s.Principal as TerraformJson | string | undefined;
    return {
      label: s.Sid ? `statement "${s.Sid}"` : `statement[${i}]`,
      effect: s.Effect ?? "Allow",
      actions: strings(s.Action),
      notActions: strings(s.NotAction),
      resources: strings(s.Resource),
      notResources: strings(s.NotResource),
      awsPrincipals: typeof principal === "object" && principal !== null ? strings(principal.AWS) : [],
    };
  });
}

const isWildcardAction = (a: string) => a === "*" || /^[A-Za-z0-9-]+:\*$/.test(a);
const serviceOf = (a: string) => a.split(":")[0].toLowerCase();
/** The account root, as AWS's default key policy names it (`arn:<partition>:iam::<account>:root`). */
const isAccountRoot = (p: string) => /^arn:[^:]+:iam::[^:]+:root$/.test(p);

function check(statements: Statement[], context: Context, address: string): Violation[] {
  if (context === "people") return [];
  const violations: Violation[] = [];
  for (const s of statements) {
    // A Deny narrows what others allow: wildcards there are the point.
    if (s.effect !== "Allow") continue;
    const where = `${s.label}`;
    for (const action of s.actions.filter(isWildcardAction)) {
      // AWS's default key policy: the account administers its key, and IAM policies decide the rest.
      const defaultKeyPolicy =
        context === "key-policy" &&
        action === "kms:*" &&
        s.awsPrincipals.length > 0 &&
        s.awsPrincipals.every(isAccountRoot);
      if (!defaultKeyPolicy) {
        violations.push({
          address,
          message: `${where} allows every action of ${action === "*" ? "every service" : serviceOf(action)} (${JSON.stringify(action)}): expected the actions it needs`,
        });
      }
    }
    if (s.notActions.length > 0) {
      violations.push({
        address,
        message: `${where} allows every action except ${s.notActions.join(", ")} (Allow with NotAction): expected the actions it needs`,
      });
    }
    // In a key policy, Resource "*" means this key.
    const anyResource = context !== "key-policy" && (s.resources.includes("*") || s.notResources.length > 0);
    const scoped = s.actions.filter((a) => !ONLY_ON_ANY_RESOURCE.has(a));
    const sensitive = [...new Set(scoped.map(serviceOf))].filter((svc) =>
      (SENSITIVE_SERVICES as readonly string[]).includes(svc),
    );
    if (anyResource && sensitive.length > 0) {
      violations.push({
        address,
        message: `${where} allows ${sensitive.join(", ")} actions on every resource (Resource "*"): expected the ARNs of the resources it needs`,
      });
    }
  }
  return violations;
}

const referencedIds = (value: unknown, type: string): string[] =>
  [...String(value).matchAll(new RegExp(`\\b${type}\\.([\\w-]+)\\.`, "g"))].map((m) => m[1]);

/**
 * Roles people assume with the user pool's ID tokens (`cognito.iamFederation`): trusted for
 * sts:AssumeRoleWithWebIdentity through an IAM OIDC provider whose URL is a Cognito user pool's issuer.
 */
function peopleRoles(stack: TerraformJson): Set<string> {
  const poolProviders = new Set(
    blocksOf(stack, "resource", "aws_iam_openid_connect_provider")
      .filter(([, p]) => referencedIds(p.url, "aws_cognito_user_pool").length > 0)
      .map(([id]) => id),
  );
  const documents = new Map(blocksOf(stack, "data", "aws_iam_policy_document"));
  const roles = new Set<string>();
  for (const [id, role] of blocksOf(stack, "resource", "aws_iam_role")) {
    const trusts = referencedIds(role.assume_role_policy, "data\\.aws_iam_policy_document").flatMap((doc) =>
      list<TerraformJson>(documents.get(doc)?.statement),
    );
    const byPoolTokens = (s: TerraformJson) =>
      strings(s.actions).includes("sts:AssumeRoleWithWebIdentity") &&
      list<TerraformJson>(s.principals).some(
        (p) =>
          p.type === "Federated" &&
          referencedIds(strings(p.identifiers).join(" "), "aws_iam_openid_connect_provider").some((pid) =>
            poolProviders.has(pid),
          ),
      );
    if (trusts.length > 0 && trusts.every(byPoolTokens)) roles.add(id);
  }
  return roles;
}

/**
 * IAM policies the app writes for its own roles, keys and resources allow no wildcard actions (`*`,
 * `service:*`, Allow with NotAction), and no Identity Store, IAM, STS, KMS or Secrets Manager action on
 * `Resource: "*"`. Exceptions: Deny statements; X-Ray, which has no resource-level permissions, may use `*`;
 * in a KMS key policy `Resource: "*"` means the key itself, and `kms:*` for the account root is AWS's default
 * key policy. Permission sets' inline policies are what people may do in the member accounts, chosen in the
 * config (identityCenter.permissionSets), and so are the policies of the roles people assume with the pool's
 * tokens (cognito.iamFederation.roles): they are not checked here (many read-only actions, such as
 * kms:ListKeys or iam:ListRoles, exist only on `Resource: "*"`).
 */
export const iamWildcards: PolicyRule = {
  id: "iam-wildcards",
  check(stack) {
    // Where each policy document is used decides how it is read.
    const contextOf = new Map<string, Context>();
    const note = (value: unknown, context: Context) => {
      for (const m of String(value).matchAll(
        /\bdata\.aws_iam_policy_document\.([\w-]+)\.(?:json|minified_json)\b/g,
      )) {
        if (contextOf.get(m[1]) !== "people") contextOf.set(m[1], context);
      }
    };
    for (const [, p] of blocksOf(stack, "resource", "aws_ssoadmin_permission_set_inline_policy"))
      note(p.inline_policy, "people");
    for (const [, k] of blocksOf(stack, "resource", "aws_kms_key")) note(k.policy, "key-policy");
    const people = peopleRoles(stack);
    const forPeople = (block: TerraformJson) =>
      referencedIds(block.role, "aws_iam_role").some((role) => people.has(role));
    for (const [, p] of blocksOf(stack, "resource", "aws_iam_role_policy"))
      if (forPeople(p)) note(p.policy, "people");

    const violations: Violation[] = [];
    for (const [id, doc] of blocksOf(stack, "data", "aws_iam_policy_document")) {
      violations.push(
        ...check(fromDocument(doc), contextOf.get(id) ?? "identity", `data.aws_iam_policy_document.${id}`),
      );
    }
    for (const [type, attributes] of Object.entries(POLICY_ATTRIBUTES)) {
      for (const [id, block] of blocksOf(stack, "resource", type)) {
        const values = attributes.map((a) => block[a]);
        if (type === "aws_iam_role")
          values.push(...list<TerraformJson>(block.inline_policy).map((p) => p.policy));
        for (const value of values) {
          // References to policy documents are checked above; other expressions cannot be read here.
          if (typeof value !== "string" || isExpression(value)) continue;
          let policy: TerraformJson;
          try {
            policy = JSON.parse(value);
          } catch {
            continue;
          }
          const context: Context =
            type === "aws_kms_key"
              ? "key-policy"
              : type === "aws_iam_role_policy" && forPeople(block)
                ? "people"
                : "identity";
          violations.push(...check(fromJson(policy), context, `${type}.${id}`));
        }
      }
    }
    return violations;
  },
};
