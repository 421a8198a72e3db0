import { unverifiedManagedPolicy } from "./managed-policies";
import type { BridgeConfig } from "./shape";

/** Google's issuer: its ID tokens always carry email_verified. */
const GOOGLE_ISSUER = "https://accounts.google.com";

/**
 * Settings the config allows but that are risky, each with what to do instead. main.ts and `npm run validate`
 * print them once per run (stderr, "Warning: …"); `npm run synth` prints the app's.
 */
export function configWarnings(config: BridgeConfig): string[] {
  const warnings: string[] = [];
  const { provisioning } = config.cognito;
  if (!provisioning.requireVerifiedEmail) {
    warnings.push(
      "cognito.provisioning.requireVerifiedEmail is false: anyone who signs in with an unverified email takes " +
        "over the IAM Identity Center user with that email, and its permissions. Prefer trustEmail on the " +
        "upstream providers that verify emails.",
    );
  }
  if (provisioning.adoptExistingUsers && provisioning.deprovision === "delete-user") {
    warnings.push(
      'cognito.provisioning.adoptExistingUsers with deprovision "delete-user": a user someone created by hand ' +
        "before the bridge, and then adopted by it, is deleted with all their assignments when they leave. " +
        'Prefer deprovision "remove-memberships" (the user stays), or turn adoption off once existing users ' +
        "have signed in.",
    );
  }
  for (const p of config.cognito.upstreamProviders) {
    if (p.type !== "oidc" || !p.trustEmail) continue;
    const mapped = "email_verified" in p.attributeMapping;
    if (mapped || p.issuerUrl.replace(/\/+$/, "") === GOOGLE_ISSUER) {
      warnings.push(
        `cognito.upstreamProviders (${p.name}).trustEmail is true, but ${p.name}'s tokens carry email_verified` +
          `${mapped ? " (mapped in attributeMapping)" : ""}: trustEmail makes the JIT Lambda ignore it, so an ` +
          `unverified email at ${p.name} still signs in as the IAM Identity Center user with that email. ` +
          `Remove trustEmail and keep email_verified in attributeMapping.`,
      );
    }
  }
  if (provisioning.deprovision !== "report") {
    warnings.push(
      `cognito.provisioning.deprovision is "${provisioning.deprovision}": leavers are acted on as soon as ` +
        `Cognito disables or deletes them only if a CloudTrail trail with management events covers ` +
        `${config.cognito.region}, which the config cannot know; without one they wait for the scheduled ` +
        `reconciliation (${provisioning.deprovisionSchedule}). After deploying, run ` +
        `\`npm run doctor -- --env ${config.environment}\` to check that a trail exists.`,
    );
  }
  const managed = new Set(Object.values(provisioning.groupMap));
  for (const ps of config.identityCenter.permissionSets) {
    if (!ps.managedPolicies.some((arn) => /:iam::aws:policy\/AdministratorAccess$/.test(arn))) continue;
    for (const a of ps.assignments) {
      if (!managed.has(a.group)) continue;
      warnings.push(
        `identityCenter.permissionSets (${ps.name}) grants AdministratorAccess to ${a.group}, a group whose ` +
          `members the JIT Lambda manages (a cognito.provisioning.groupMap target): whoever can put a person ` +
          `into the mapped Cognito or upstream group makes them an administrator of ${a.accounts.join(", ")}. ` +
          `Prefer assigning administrator access to an IdC group that no groupMap entry names, managed by hand.`,
      );
    }
  }
  const unverified = [
    ...config.identityCenter.permissionSets.flatMap((ps) => ps.managedPolicies),
    ...(config.cognito.iamFederation?.roles.flatMap((r) => r.managedPolicies) ?? []),
  ].filter(unverifiedManagedPolicy);
  if (unverified.length > 0) {
    warnings.push(
      `managed policies not in the (commercial-partition) list of AWS managed policies, so not checked: ` +
        `${[...new Set(unverified)].join(", ")}. Check each exists in your partition before applying.`,
    );
  }
  return warnings;
}
