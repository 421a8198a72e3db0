/**
 * The six config mistakes that used to pass synth (issue 20), made in one copy of the rich config: both the
 * app (main.ts) and `npm run validate` must refuse each of them, naming its field once.
 */
import { readFileSync } from "node:fs";
import { RICH_CONFIG } from "./stacks";

/** The fields the six mistakes are in, in the order they are made. */
export const SIX_MISTAKE_FIELDS = [
  "identityCenter.permissionSets[1].managedPolicies[0]",
  "identityCenter.accessControlAttributes.Department",
  "cognito.upstreamProviders[1].issuerUrl",
  "cognito.upstreamProviders[1].scopes",
  "cognito.iamFederation.roles[0].requiredGroups[0]",
  "backend.kmsKeyId",
] as const;

/** The rich config (plain JSON) with the six mistakes made. */
export function richConfigWithSixMistakes() {
  const config = JSON.parse(readFileSync(RICH_CONFIG, "utf8"));
  config.identityCenter.permissionSets[1].managedPolicies = ["arn:aws:iam::aws:policy/SecurityAudt"];
  config.identityCenter.accessControlAttributes.Department = "${path:enterprise.departmnet}";
  config.cognito.upstreamProviders[1].issuerUrl =
    "https://accounts.google.com/.well-known/openid-configuration";
  config.cognito.upstreamProviders[1].scopes = ["email", "profile"];
  config.cognito.iamFederation = {
    roles: [
      {
        name: "audit",
        managedPolicies: ["arn:aws:iam::aws:policy/SecurityAudit"],
        requiredGroups: ["Audits"],
      },
    ],
  };
  config.backend.kmsKeyId = "arn:aws:kms:us-east-1:333333333333:alias/tfstate";
  return config;
}
