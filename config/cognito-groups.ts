import { z } from "zod";

/**
 * Cognito group name (API reference, CreateGroup: GroupName 1-128 characters of `[\p{L}\p{M}\p{S}\p{N}\p{P}]`).
 * The same rule applies to `groupMap` keys, which name these groups.
 */
export const COGNITO_GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;

export const cognitoGroupName = z.string().regex(COGNITO_GROUP_NAME, {
  error: "expected a Cognito group name (1-128 letters, digits, symbols or punctuation, no spaces)",
});

/** One entry of `cognito.groups` (CreateGroup: Description ≤ 2048 characters, Precedence ≥ 0). */
export const cognitoGroup = z.strictObject({
  name: cognitoGroupName,
  description: z
    .string()
    .min(1, { error: "expected a description of 1-2048 characters" })
    .max(2048, { error: "expected a description of 1-2048 characters" })
    .optional(),
  // Lower wins when a person is in several groups with IAM roles; this project assigns no roles to groups.
  precedence: z
    .number({ error: "expected an integer from 0 to 2147483647" })
    .int({ error: "expected an integer from 0 to 2147483647" })
    .min(0, { error: "expected an integer from 0 to 2147483647" })
    .max(2147483647, { error: "expected an integer from 0 to 2147483647" })
    .optional(),
});

export const cognitoGroups = z.array(cognitoGroup);
