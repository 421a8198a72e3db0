/** Builders of realistic Cognito Pre Token Generation V2 events, shared by unit and integration tests. */
import type { PreTokenGenerationV2TriggerEvent } from "aws-lambda";

type TriggerSource = PreTokenGenerationV2TriggerEvent["triggerSource"];

export interface EventOptions {
  readonly triggerSource?: TriggerSource;
  /** Merged over the default attributes; `undefined` values remove an attribute. */
  readonly userAttributes?: Record<string, string | undefined>;
  readonly groups?: string[];
  readonly response?: Record<string, unknown>;
}

/** A phone number that must never show up in logs (the Lambda must not log attribute sets). */
export const SENSITIVE_MARKER = "+15555550199";

export function preTokenEvent(options: EventOptions = {}): PreTokenGenerationV2TriggerEvent {
  const attributes: Record<string, string> = {};
  const merged: Record<string, string | undefined> = {
    sub: "8f2e7c6a-1b2d-4e5f-9a8b-7c6d5e4f3a2b",
    "cognito:user_status": "EXTERNAL_PROVIDER",
    identities:
      '[{"userId":"1234567890","providerName":"Google","providerType":"Google","issuer":null,"primary":true,"dateCreated":1700000000000}]',
    email: "John.Doe@Example.com",
    email_verified: "true",
    phone_number: SENSITIVE_MARKER,
    ...options.userAttributes,
  };
  for (const [key, value] of Object.entries(merged)) if (value !== undefined) attributes[key] = value;
  return {
    version: "2",
    triggerSource: options.triggerSource ?? "TokenGeneration_HostedAuth",
    region: "us-east-1",
    userPoolId: "us-east-1_AbCdEfGhI",
    userName: "google_1234567890",
    callerContext: { awsSdkVersion: "aws-sdk-unknown-unknown", clientId: "1example23456789" },
    request: {
      userAttributes: attributes,
      groupConfiguration: {
        groupsToOverride: options.groups ?? [],
        iamRolesToOverride: [],
        preferredRole: undefined,
      },
      scopes: ["openid", "email", "profile"],
    },
    response: (options.response ?? {
      claimsAndScopeOverrideDetails: null,
    }) as PreTokenGenerationV2TriggerEvent["response"],
  } as PreTokenGenerationV2TriggerEvent;
}

/** The claims added to the ID and access tokens of a handler result (undefined when absent). */
export function addedClaims(result: unknown): {
  id: Record<string, unknown> | undefined;
  access: Record<string, unknown> | undefined;
} {
  const details = (
    result as { response?: { claimsAndScopeOverrideDetails?: Record<string, unknown> | null } }
  ).response?.claimsAndScopeOverrideDetails;
  const claims = (token: string): Record<string, unknown> | undefined =>
    (details?.[token] as { claimsToAddOrOverride?: Record<string, unknown> } | undefined)
      ?.claimsToAddOrOverride;
  return { id: claims("idTokenGeneration"), access: claims("accessTokenGeneration") };
}
