import { InvalidEventError } from "./errors";

/** Trigger sources of the V2 event (a person authenticates or refreshes tokens). */
export const USER_TRIGGER_SOURCES = [
  "TokenGeneration_HostedAuth",
  "TokenGeneration_Authentication",
  "TokenGeneration_NewPasswordChallenge",
  "TokenGeneration_AuthenticateDevice",
  "TokenGeneration_RefreshTokens",
] as const;
export type UserTriggerSource = (typeof USER_TRIGGER_SOURCES)[number];

/** Machine-to-machine token request (V3 events only): no person, nothing to provision. */
export const CLIENT_CREDENTIALS_TRIGGER_SOURCE = "TokenGeneration_ClientCredentials";

/** Event versions whose response uses claimsAndScopeOverrideDetails (V2_0 and V3_0 triggers). */
const SUPPORTED_VERSIONS = ["2", "3"];

/** Cognito's maximum length of an attribute value. */
export const MAX_ATTRIBUTE_LENGTH = 2048;
/** Cognito's maximum length of a group name. */
export const MAX_GROUP_NAME_LENGTH = 128;
/** Generous bounds on what a real event can carry (Cognito allows far fewer). */
export const MAX_ATTRIBUTES = 200;
export const MAX_GROUPS = 10_000;

type JsonObject = Record<string, unknown>;

/** The parts of the V2 response the Lambda writes; everything else in the event is left as it came. */
export interface ClaimsAndScopeOverrideDetails extends JsonObject {
  idTokenGeneration?: { claimsToAddOrOverride?: JsonObject } & JsonObject;
  accessTokenGeneration?: { claimsToAddOrOverride?: JsonObject } & JsonObject;
}
export interface MutableEvent extends JsonObject {
  response: JsonObject & { claimsAndScopeOverrideDetails?: ClaimsAndScopeOverrideDetails | null };
}

export interface UserAttributesOfInterest {
  readonly email?: string;
  readonly emailVerified?: string;
  readonly givenName?: string;
  readonly familyName?: string;
  readonly name?: string;
  /** Provider names of the user's linked upstream identities (the `identities` attribute). */
  readonly identityProviders?: readonly string[];
}

/** Cognito's user pool id format (UserPoolIdType: 1-55 characters of [\w-]+_[0-9a-zA-Z]+). */
const USER_POOL_ID_PATTERN = /^[\w-]+_[0-9a-zA-Z]+$/;
const MAX_USER_POOL_ID_LENGTH = 55;

export type ParsedEvent =
  | {
      readonly kind: "user";
      readonly triggerSource: UserTriggerSource;
      readonly attributes: UserAttributesOfInterest;
      /** Cognito groups of the person (request.groupConfiguration.groupsToOverride). */
      readonly groups: readonly string[];
      /** The event's user pool (`userPoolId`) and the person's Cognito user name (`userName`). */
      readonly userPoolId: string | undefined;
      readonly cognitoUserName: string | undefined;
      /** App client the tokens are issued to (`callerContext.clientId`). */
      readonly clientId: string | undefined;
      /** The values of the attributes asked for with `attributeNames` (undefined when absent). */
      readonly extraAttributes: Readonly<Record<string, string | undefined>>;
      /** The original event object, which the handler amends and returns. */
      readonly event: MutableEvent;
    }
  | { readonly kind: "machine"; readonly event: MutableEvent };

/** A sign-in or token refresh of a person (not an event the Lambda ignores). */
export type UserEvent = Extract<ParsedEvent, { kind: "user" }>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Own property only: never read through the prototype chain of an untrusted object. */
function own(object: JsonObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

function optionalObject(parent: JsonObject, key: string, path: string): JsonObject | undefined {
  const value = own(parent, key);
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new InvalidEventError(`${path} must be an object or null`);
  return value;
}

function attribute(attributes: JsonObject, key: string): string | undefined {
  const value = own(attributes, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string")
    throw new InvalidEventError(`request.userAttributes.${key} must be a string`);
  if (value.length > MAX_ATTRIBUTE_LENGTH) {
    throw new InvalidEventError(
      `request.userAttributes.${key} is longer than ${MAX_ATTRIBUTE_LENGTH} characters`,
    );
  }
  return value;
}

/** The response must be an object whose override details, if any, are objects the handler can amend. */
function checkResponse(event: JsonObject): void {
  const response = own(event, "response");
  if (response === undefined || response === null) {
    event.response = {};
    return;
  }
  if (!isObject(response)) throw new InvalidEventError("response must be an object");
  const details = optionalObject(
    response,
    "claimsAndScopeOverrideDetails",
    "response.claimsAndScopeOverrideDetails",
  );
  if (details === undefined) return;
  for (const token of ["idTokenGeneration", "accessTokenGeneration"]) {
    const path = `response.claimsAndScopeOverrideDetails.${token}`;
    const generation = optionalObject(details, token, path);
    if (generation !== undefined)
      optionalObject(generation, "claimsToAddOrOverride", `${path}.claimsToAddOrOverride`);
  }
}

/** Provider names from the `identities` attribute (a JSON array Cognito writes); [] when unreadable. */
function identityProviders(identities: string | undefined): string[] {
  if (identities === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(identities);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((identity: unknown) =>
    isObject(identity) && typeof own(identity, "providerName") === "string"
      ? [own(identity, "providerName") as string]
      : [],
  );
}

function optionalString(parent: JsonObject, key: string, path: string, max: number): string | undefined {
  const value = own(parent, key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || value.length === 0 || value.length > max) {
    throw new InvalidEventError(`${path} must be a string of 1-${max} characters`);
  }
  return value;
}

function parseGroups(request: JsonObject): string[] {
  const configuration = optionalObject(request, "groupConfiguration", "request.groupConfiguration");
  if (configuration === undefined) return [];
  const groups = own(configuration, "groupsToOverride");
  if (groups === undefined || groups === null) return [];
  if (!Array.isArray(groups)) {
    throw new InvalidEventError("request.groupConfiguration.groupsToOverride must be an array");
  }
  if (groups.length > MAX_GROUPS) {
    throw new InvalidEventError(
      `request.groupConfiguration.groupsToOverride has more than ${MAX_GROUPS} entries`,
    );
  }
  for (const group of groups) {
    if (typeof group !== "string" || group.length === 0 || group.length > MAX_GROUP_NAME_LENGTH) {
      throw new InvalidEventError(
        `request.groupConfiguration.groupsToOverride must contain group names of 1-${MAX_GROUP_NAME_LENGTH} characters`,
      );
    }
  }
  return groups as string[];
}

/**
 * Checks that `input` is a Cognito Pre Token Generation V2 (or V3) event before anything is sent
 * to AWS: known trigger source, supported version, string attributes within Cognito's limits,
 * group names, and a response the handler can amend. Throws InvalidEventError otherwise.
 */
export function parseEvent(
  input: unknown,
  options: { readonly attributeNames?: readonly string[] } = {},
): ParsedEvent {
  if (!isObject(input)) throw new InvalidEventError("the event must be a JSON object");
  const version = own(input, "version");
  if (typeof version !== "string" || !SUPPORTED_VERSIONS.includes(version)) {
    throw new InvalidEventError(
      'version must be "2": configure the user pool\'s pre token generation trigger with LambdaVersion V2_0',
    );
  }
  const triggerSource = own(input, "triggerSource");
  if (typeof triggerSource !== "string") throw new InvalidEventError("triggerSource must be a string");
  if (triggerSource === CLIENT_CREDENTIALS_TRIGGER_SOURCE) {
    checkResponse(input);
    return { kind: "machine", event: input as MutableEvent };
  }
  if (!(USER_TRIGGER_SOURCES as readonly string[]).includes(triggerSource)) {
    throw new InvalidEventError(`unsupported triggerSource ${JSON.stringify(triggerSource.slice(0, 64))}`);
  }
  const request = own(input, "request");
  if (!isObject(request)) throw new InvalidEventError("request must be an object");
  const userAttributes = own(request, "userAttributes");
  if (!isObject(userAttributes)) throw new InvalidEventError("request.userAttributes must be an object");
  if (Object.keys(userAttributes).length > MAX_ATTRIBUTES) {
    throw new InvalidEventError(`request.userAttributes has more than ${MAX_ATTRIBUTES} entries`);
  }
  const attributes: UserAttributesOfInterest = {
    email: attribute(userAttributes, "email"),
    emailVerified: attribute(userAttributes, "email_verified"),
    givenName: attribute(userAttributes, "given_name"),
    familyName: attribute(userAttributes, "family_name"),
    name: attribute(userAttributes, "name"),
    identityProviders: identityProviders(attribute(userAttributes, "identities")),
  };
  const extraAttributes: Record<string, string | undefined> = Object.create(null) as Record<
    string,
    string | undefined
  >;
  for (const name of options.attributeNames ?? []) extraAttributes[name] = attribute(userAttributes, name);
  const groups = parseGroups(request);
  const userPoolId = optionalString(input, "userPoolId", "userPoolId", MAX_USER_POOL_ID_LENGTH);
  if (userPoolId !== undefined && !USER_POOL_ID_PATTERN.test(userPoolId)) {
    throw new InvalidEventError("userPoolId must be a Cognito user pool id such as eu-west-1_AbCdEfGhI");
  }
  const cognitoUserName = optionalString(input, "userName", "userName", 128);
  const callerContext = optionalObject(input, "callerContext", "callerContext");
  const clientId =
    callerContext === undefined
      ? undefined
      : optionalString(callerContext, "clientId", "callerContext.clientId", 128);
  checkResponse(input);
  return {
    kind: "user",
    triggerSource: triggerSource as UserTriggerSource,
    attributes,
    groups,
    userPoolId,
    cognitoUserName,
    clientId,
    extraAttributes,
    event: input as MutableEvent,
  };
}

export type TokenGeneration = "idTokenGeneration" | "accessTokenGeneration";

/**
 * Adds `claims` to the given tokens (default: the ID and the access token), keeping every claim, scope
 * and suppression already in the response. V2 events accept string, number, boolean, array and object
 * claim values. Mutates and returns the event (Cognito reads the returned event).
 */
export function addClaims(
  event: MutableEvent,
  claims: Readonly<Record<string, unknown>>,
  tokens: readonly TokenGeneration[] = ["idTokenGeneration", "accessTokenGeneration"],
): MutableEvent {
  const details: ClaimsAndScopeOverrideDetails = isObject(event.response.claimsAndScopeOverrideDetails)
    ? event.response.claimsAndScopeOverrideDetails
    : {};
  for (const token of tokens) {
    const generation = isObject(details[token]) ? details[token] : {};
    const existing = isObject(generation.claimsToAddOrOverride) ? generation.claimsToAddOrOverride : {};
    generation.claimsToAddOrOverride = { ...existing, ...claims };
    details[token] = generation;
  }
  event.response.claimsAndScopeOverrideDetails = details;
  return event;
}
