import { z } from "zod";

/**
 * IAM identity-based (permission) policies, per the IAM JSON policy grammar (IAM User Guide, "Grammar of the
 * IAM JSON policy language" and "IAM JSON policy elements reference"). Written with zod so the runtime never
 * loads the AGPL policy tooling that the tests compare this grammar against.
 */

export const POLICY_VERSIONS = ["2012-10-17", "2008-10-17"] as const;

/** Condition operators (IAM JSON policy elements: Condition operators), without the IfExists suffix. */
export const CONDITION_OPERATORS = [
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "NumericEquals",
  "NumericNotEquals",
  "NumericLessThan",
  "NumericLessThanEquals",
  "NumericGreaterThan",
  "NumericGreaterThanEquals",
  "DateEquals",
  "DateNotEquals",
  "DateLessThan",
  "DateLessThanEquals",
  "DateGreaterThan",
  "DateGreaterThanEquals",
  "Bool",
  "BinaryEquals",
  "IpAddress",
  "NotIpAddress",
  "ArnEquals",
  "ArnLike",
  "ArnNotEquals",
  "ArnNotLike",
  "Null",
] as const;

/** `[ForAllValues:|ForAnyValue:]<operator>[IfExists]`; `Null` takes no IfExists. */
const CONDITION_OPERATOR = new RegExp(
  `^(?:(?:ForAllValues|ForAnyValue):)?(?:(?:${CONDITION_OPERATORS.filter((o) => o !== "Null").join("|")})(?:IfExists)?|Null)$`,
);

/** `*`, or `<service prefix>:<action>` where the action may hold `*` and `?` wildcards. */
const ACTION = /^(?:\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/;

/** `*`, or an ARN (`arn:partition:service:region:account:resource`; any part may hold wildcards). */
const RESOURCE = /^(?:\*|arn:[^:]*:[^:]*:[^:]*:[^:]*:.+)$/;

/** IAM accepts only ASCII letters and digits in a Sid. */
const SID = /^[A-Za-z0-9]+$/;

const oneOrMore = <T extends z.ZodType>(item: T, what: string) =>
  z.union([item, z.array(item).min(1, { error: `expected at least one ${what}` })], {
    error: `expected ${what === "action" ? "an action" : `a ${what}`} or a non-empty list of them`,
  });

const action = z.string().regex(ACTION, {
  error: 'expected "*" or an action such as s3:GetObject (service prefix, colon, action name or wildcard)',
});
const resource = z.string().regex(RESOURCE, {
  error: 'expected "*" or an ARN such as arn:aws:s3:::my-bucket/*',
});
const conditionValue = z.union([z.string(), z.number(), z.boolean()], {
  error: "expected a condition value: a string, number or boolean",
});

const condition = z.record(
  z.string().regex(CONDITION_OPERATOR, {
    error: `expected a condition operator such as StringEquals, ForAnyValue:StringLike or ArnLikeIfExists (one of ${CONDITION_OPERATORS.join(", ")})`,
  }),
  z.record(
    z.string().min(1, { error: "expected a condition key such as aws:PrincipalTag/team" }),
    z.union([conditionValue, z.array(conditionValue).min(1, { error: "expected at least one value" })], {
      error: "expected a condition value or a non-empty list of values",
    }),
    { error: "expected an object of condition key → value(s)" },
  ),
  { error: "expected an object of condition operator → { condition key: value(s) }" },
);

const statement = z
  .strictObject(
    {
      Sid: z.string().regex(SID, { error: "expected a Sid of ASCII letters and digits only" }).optional(),
      Effect: z.enum(["Allow", "Deny"], { error: 'expected "Allow" or "Deny"' }),
      Action: oneOrMore(action, "action").optional(),
      NotAction: oneOrMore(action, "action").optional(),
      Resource: oneOrMore(resource, "resource").optional(),
      NotResource: oneOrMore(resource, "resource").optional(),
      Condition: condition.optional(),
      // Identity-based policies name no principal: the identity they are attached to is the principal.
      Principal: z
        .never({ error: "unexpected Principal: an identity-based policy applies to whoever holds it" })
        .optional(),
      NotPrincipal: z
        .never({ error: "unexpected NotPrincipal: an identity-based policy applies to whoever holds it" })
        .optional(),
    },
    {
      error:
        "expected a policy statement object with Effect, Action (or NotAction) and Resource (or NotResource)",
    },
  )
  .superRefine((s, ctx) => {
    for (const [a, b] of [
      ["Action", "NotAction"],
      ["Resource", "NotResource"],
    ] as const) {
      const count = Number(s[a] !== undefined) + Number(s[b] !== undefined);
      if (count !== 1) {
        ctx.addIssue({
          code: "custom",
          path: count === 0 ? [] : [b],
          message: `expected exactly one of ${a} and ${b}${count === 0 ? "" : ", not both"}`,
        });
      }
    }
  });

/** IAM identity-based policy document (the object form); `maxLength` is the API's limit on its JSON text. */
export function identityPolicyDocument(maxLength: number) {
  return z
    .union([z.string(), z.record(z.string(), z.unknown())], {
      error: "expected an IAM policy document: a JSON object or a JSON string",
    })
    .transform((value, ctx): unknown => {
      if (typeof value !== "string") return value;
      try {
        return JSON.parse(value);
      } catch (e) {
        ctx.addIssue({
          code: "custom",
          message: `expected an IAM policy JSON document: ${(e as Error).message}`,
        });
        return z.NEVER;
      }
    })
    .pipe(
      z.strictObject(
        {
          Version: z
            .enum(POLICY_VERSIONS, { error: 'expected "2012-10-17" (or the legacy "2008-10-17")' })
            .optional(),
          Id: z.string().optional(),
          Statement: z.union(
            [statement, z.array(statement).min(1, { error: "expected at least one statement" })],
            { error: "expected a statement object or a non-empty list of statements" },
          ),
        },
        { error: 'expected an IAM policy document with "Version" and "Statement"' },
      ),
    )
    .superRefine((doc, ctx) => {
      const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
      const sids = statements.map((s) => s.Sid);
      sids.forEach((sid, i) => {
        if (sid !== undefined && sids.indexOf(sid) !== i) {
          ctx.addIssue({
            code: "custom",
            path: ["Statement", i, "Sid"],
            message: "expected a Sid that is unique within the policy",
          });
        }
      });
    })
    .transform((doc, ctx) => {
      const text = JSON.stringify(doc);
      if (text.length > maxLength) {
        ctx.addIssue({
          code: "custom",
          message: `expected a policy of at most ${maxLength} characters as compact JSON (this one has ${text.length})`,
        });
      }
      const outside = /[^\t\n\r\x20-\xff]/u.exec(text);
      if (outside) {
        ctx.addIssue({
          code: "custom",
          message: `expected only characters up to U+00FF (Basic Latin and Latin-1), found ${JSON.stringify(outside[0])}`,
        });
      }
      return text;
    });
}

/** A permission set's inline policy: PutInlinePolicyToPermissionSet allows 32,768 characters of U+0009-U+00FF. */
export const permissionSetInlinePolicy = identityPolicyDocument(32768);
