/**
 * The config schema: the fields (shape.ts) and the rules between them (cross-field-checks.ts). The checks
 * import the shape's types, never this module, so nothing imports in a cycle.
 */
import { bridgeConfigObject, type PartialConfig } from "./shape";
import { crossFieldChecks } from "./cross-field-checks";

export { IDC_ACS_URL, IDC_ISSUER_URL } from "./identity-center-urls";
export { upstreamSecretVariable } from "./upstream-providers";
export type { BridgeConfig, BridgeConfigInput } from "./shape";
import type { BridgeConfig } from "./shape";

export const bridgeConfigSchema = bridgeConfigObject
  // Cross-field checks run even when fields failed, so one run reports every problem.
  .superRefine((c, ctx) => crossFieldChecks(c as PartialConfig, ctx), { when: () => true });

export type BackendConfig = BridgeConfig["backend"];
export type IdentityCenterConfig = BridgeConfig["identityCenter"];
export type PermissionSetConfig = IdentityCenterConfig["permissionSets"][number];
export type CognitoConfig = BridgeConfig["cognito"];
export type UpstreamProviderConfig = CognitoConfig["upstreamProviders"][number];
export type CloudflareConfig = BridgeConfig["cloudflare"];
