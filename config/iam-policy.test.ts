import fc from "fast-check";
// Test-only (AGPL): a third-party implementation of the IAM policy grammar to hold ours against.
import { validateIdentityPolicy } from "@cloud-copilot/iam-policy";
import { identityPolicyDocument, permissionSetInlinePolicy } from "./iam-policy";

const ours = (doc: unknown) => permissionSetInlinePolicy.safeParse(doc);

/** Identity policies from the IAM User Guide's examples: both grammars must accept every one. */
const AWS_EXAMPLES: unknown[] = [
  {
    Version: "2012-10-17",
    Statement: { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::example_bucket" },
  },
  {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ListObjectsInBucket",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: ["arn:aws:s3:::bucket-name"],
      },
      {
        Sid: "AllObjectActions",
        Effect: "Allow",
        Action: "s3:*Object",
        Resource: ["arn:aws:s3:::bucket-name/*"],
      },
    ],
  },
  {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyAllOutsideRequestedRegions",
        Effect: "Deny",
        NotAction: ["cloudfront:*", "iam:*", "route53:*", "support:*"],
        Resource: "*",
        Condition: { StringNotEquals: { "aws:RequestedRegion": ["eu-central-1", "eu-west-1"] } },
      },
    ],
  },
  {
    Version: "2012-10-17",
    Statement: {
      Effect: "Allow",
      Action: ["ec2:StartInstances", "ec2:StopInstances"],
      Resource: "arn:aws:ec2:*:*:instance/*",
      Condition: {
        StringEquals: { "aws:ResourceTag/Project": "${aws:PrincipalTag/Project}" },
        "ForAllValues:StringEquals": { "aws:TagKeys": ["Project", "Owner"] },
        Bool: { "aws:MultiFactorAuthPresent": true },
        NumericLessThanIfExists: { "aws:MultiFactorAuthAge": 3600 },
        Null: { "aws:TokenIssueTime": "false" },
        IpAddress: { "aws:SourceIp": "203.0.113.0/24" },
        DateGreaterThan: { "aws:CurrentTime": "2026-01-01T00:00:00Z" },
        ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/admin-*" },
      },
    },
  },
  {
    Version: "2008-10-17",
    Id: "legacy",
    Statement: [{ Effect: "Deny", NotAction: "iam:Get?", NotResource: "arn:aws:iam::111111111111:user/*" }],
  },
];

describe("the IAM identity-policy grammar (config/iam-policy.ts)", () => {
  it.each(AWS_EXAMPLES.map((doc, i) => [i, doc]))(
    "accepts AWS example %i, as the third-party grammar does",
    (_i, doc) => {
      expect(validateIdentityPolicy(doc)).toEqual([]);
      expect(ours(doc).success).toBe(true);
    },
  );

  it("accepts the policy as JSON text too and returns compact JSON", () => {
    const doc = AWS_EXAMPLES[1];
    const parsed = ours(JSON.stringify(doc, null, 2));
    expect(parsed.success && JSON.parse(parsed.data)).toEqual(doc);
    expect(parsed.success && parsed.data).toBe(JSON.stringify(doc));
  });

  // Policies assembled from valid and invalid parts: whatever the third-party grammar rejects, ours rejects.
  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  const actions = fc.constantFrom<unknown>(
    "*",
    "s3:GetObject",
    "s3:Get*",
    "iam:Get?",
    "ec2:Describe*",
    "ListBucket",
    "s3:a:b",
    "s3:Get Object",
    "",
    [],
    ["s3:GetObject", "ec2:*"],
    ["s3:GetObject", 5],
    5,
    { s3: "*" },
  );
  const resources = fc.constantFrom<unknown>(
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:iam::111111111111:role/x",
    "arn:aws:ec2:*:*:instance/*",
    "bucket",
    "arn:aws:s3",
    "",
    [],
    ["arn:aws:s3:::a", "*"],
    [5],
    true,
  );
  const conditions = fc.constantFrom<unknown>(
    { StringEquals: { "aws:RequestedRegion": "eu-west-1" } },
    { "ForAnyValue:StringLike": { "aws:TagKeys": ["a*", "b"] } },
    { NumericLessThanIfExists: { "aws:MultiFactorAuthAge": 3600 } },
    { Bool: { "aws:SecureTransport": false } },
    { StringEqual: { "aws:x": "y" } },
    { "Sometimes:StringEquals": { "aws:x": "y" } },
    { "ForAnyValue:ForAllValues:StringEquals": { "aws:x": "y" } },
    { StringEquals: ["aws:x"] },
    { StringEquals: { "aws:x": { nested: 1 } } },
    { StringEquals: { "aws:x": [] } },
    { NullIfExists: { "aws:x": "true" } },
    [],
    "StringEquals",
  );
  const statement = fc.record(
    {
      Sid: maybe(fc.constantFrom<unknown>("Allow1", "AllowS3", "with-dash", "with space", 7, "")),
      Effect: maybe(fc.constantFrom<unknown>("Allow", "Deny", "allow", "Permit", true)),
      Action: maybe(actions),
      NotAction: maybe(actions),
      Resource: maybe(resources),
      NotResource: maybe(resources),
      Condition: maybe(conditions),
      Principal: maybe(fc.constantFrom<unknown>("*", { AWS: "*" }, { Service: "lambda.amazonaws.com" })),
      NotPrincipal: maybe(fc.constantFrom<unknown>({ AWS: "arn:aws:iam::111111111111:root" })),
      Extra: maybe(fc.constantFrom<unknown>("x")),
    },
    { requiredKeys: [] },
  );
  const withoutUndefined = (o: object) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  const policy = fc
    .record(
      {
        Version: maybe(fc.constantFrom<unknown>("2012-10-17", "2008-10-17", "2012-10-18", 2012)),
        Id: maybe(fc.constantFrom<unknown>("policy-1", 5)),
        Statement: maybe(
          fc.oneof(
            statement.map(withoutUndefined),
            fc.array(statement.map(withoutUndefined), { maxLength: 3 }),
            fc.constantFrom<unknown>("statement", 5),
          ),
        ),
        Extra: maybe(fc.constantFrom<unknown>(true)),
      },
      { requiredKeys: [] },
    )
    .map(withoutUndefined);

  it("rejects every policy that the third-party grammar rejects", () => {
    let rejectedByBoth = 0;
    fc.assert(
      fc.property(policy, (doc) => {
        const theirs = validateIdentityPolicy(doc);
        if (theirs.length > 0) {
          rejectedByBoth++;
          expect({ doc, accepted: ours(doc).success }).toEqual({ doc, accepted: false });
        }
      }),
      { numRuns: 3000, seed: 20261201 },
    );
    // The generator must exercise the rule, not just produce valid policies.
    expect(rejectedByBoth).toBeGreaterThan(1000);
  });

  it("accepts generated policies of only valid parts, as the third-party grammar does", () => {
    const validStatement = fc
      .record({
        Effect: fc.constantFrom("Allow", "Deny"),
        action: fc.constantFrom<[string, unknown]>(
          ["Action", "*"],
          ["Action", ["s3:GetObject", "ec2:Describe*"]],
          ["NotAction", "iam:*"],
        ),
        resource: fc.constantFrom<[string, unknown]>(
          ["Resource", "*"],
          ["Resource", ["arn:aws:s3:::a", "arn:aws:s3:::a/*"]],
          ["NotResource", "arn:aws:iam::*:role/breakglass"],
        ),
        Condition: maybe(fc.constantFrom({ StringEquals: { "aws:RequestedRegion": ["eu-west-1"] } })),
      })
      .map(({ action, resource, ...rest }) =>
        withoutUndefined({ ...rest, [action[0]]: action[1], [resource[0]]: resource[1] }),
      );
    fc.assert(
      fc.property(
        fc.uniqueArray(validStatement, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (statements, one) => {
          const doc = { Version: "2012-10-17", Statement: one ? statements[0] : statements };
          expect(validateIdentityPolicy(doc)).toEqual([]);
          expect(ours(doc).success).toBe(true);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it("applies the caller's length limit (an IAM role's inline policies allow 10,240 characters)", () => {
    const doc = { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "s3:*", Resource: "*" } };
    expect(identityPolicyDocument(JSON.stringify(doc).length).safeParse(doc).success).toBe(true);
    expect(identityPolicyDocument(JSON.stringify(doc).length - 1).safeParse(doc).success).toBe(false);
  });
});
