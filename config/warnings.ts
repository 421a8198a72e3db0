import type { BridgeConfig } from "./schema";

/** Settings the config allows but that weaken security: printed (once) whenever a config is loaded to synth. */
export function configWarnings(config: BridgeConfig): string[] {
  const warnings: string[] = [];
  if (!config.cognito.provisioning.requireVerifiedEmail) {
    warnings.push(
      "cognito.provisioning.requireVerifiedEmail is false: anyone who signs in with an unverified email takes " +
        "over the IAM Identity Center user with that email, and its permissions. Prefer trustEmail on the " +
        "upstream providers that verify emails.",
    );
  }
  return warnings;
}
