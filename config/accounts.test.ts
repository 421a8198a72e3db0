import { ConfigError, parseConfig, resolveAccounts } from ".";
import { exampleInput } from "../__tests__/helpers/stacks";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Mutable = any;

const A = "111111111111";
const B = "222222222222";
const role = (account: string, name = "bridge-deploy") => `arn:aws:iam::${account}:role/${name}`;
const key = (account: string, region = "eu-west-1") =>
  `arn:aws:kms:${region}:${account}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;

function parse(change: (c: Mutable) => void) {
  const input = exampleInput() as Mutable;
  change(input);
  return parseConfig(input, "test.json");
}

function problemLine(change: (c: Mutable) => void, field: string): string {
  try {
    parse(change);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const line = (e as Error).message.split("\n").find((l) => l.startsWith(`  - ${field}: `));
    if (line === undefined)
      throw new Error(`no problem for ${field} in:\n${(e as Error).message}`, { cause: e });
    return line;
  }
  throw new Error("expected the config to be rejected");
}

describe("account settings", () => {
  it("default to one account, the credentials'", () => {
    const c = parse(() => {});
    expect(resolveAccounts(c)).toEqual({
      identityCenter: undefined,
      cognito: undefined,
      crossAccount: false,
    });
  });

  it("give Cognito the IdC account unless it names its own", () => {
    expect(resolveAccounts(parse((c) => (c.identityCenter.accountId = A)))).toEqual({
      identityCenter: A,
      cognito: A,
      crossAccount: false,
    });
    expect(
      resolveAccounts(parse((c) => ((c.identityCenter.accountId = A), (c.cognito.accountId = A)))),
    ).toMatchObject({
      crossAccount: false,
    });
  });

  it("are cross-account when the two accounts differ, by id or by deploy role", () => {
    expect(
      resolveAccounts(parse((c) => ((c.identityCenter.accountId = A), (c.cognito.accountId = B)))),
    ).toEqual({
      identityCenter: A,
      cognito: B,
      crossAccount: true,
    });
    expect(
      resolveAccounts(parse((c) => ((c.identityCenter.accountId = A), (c.cognito.assumeRoleArn = role(B))))),
    ).toEqual({ identityCenter: A, cognito: B, crossAccount: true });
  });

  const rows: [string, (c: Mutable) => void, string, string][] = [
    [
      "an account id of 11 digits",
      (c) => (c.cognito.accountId = "12345678901"),
      "cognito.accountId",
      "12-digit",
    ],
    [
      "a deploy role that is a user",
      (c) => (c.identityCenter.assumeRoleArn = `arn:aws:iam::${A}:user/deploy`),
      "identityCenter.assumeRoleArn",
      "IAM role ARN",
    ],
    [
      "a KMS alias instead of a key",
      (c) => (c.identityCenter.kmsKeyArn = `arn:aws:kms:eu-west-1:${A}:alias/idc`),
      "identityCenter.kmsKeyArn",
      "not an alias",
    ],
    [
      "cognito.accountId without identityCenter.accountId",
      (c) => (c.cognito.accountId = B),
      "identityCenter.accountId",
      "required when cognito.accountId is set",
    ],
    [
      "deploy roles in two accounts without identityCenter.accountId",
      (c) => ((c.identityCenter.assumeRoleArn = role(A)), (c.cognito.assumeRoleArn = role(B))),
      "identityCenter.accountId",
      `required for a cross-account config (the config names IdC account ${A} and Cognito account ${B})`,
    ],
    [
      "an IdC deploy role in another account",
      (c) => ((c.identityCenter.accountId = A), (c.identityCenter.assumeRoleArn = role(B))),
      "identityCenter.assumeRoleArn",
      `expected a role in identityCenter.accountId (${A}), not in ${B}`,
    ],
    [
      "a Cognito deploy role in another account",
      (c) => (
        (c.identityCenter.accountId = A),
        (c.cognito.accountId = B),
        (c.cognito.assumeRoleArn = role(A))
      ),
      "cognito.assumeRoleArn",
      `expected a role in cognito.accountId (${B}), not in ${A}`,
    ],
    [
      "a deploy role of another partition",
      (c) => (c.cognito.assumeRoleArn = `arn:aws-cn:iam::${A}:role/deploy`),
      "cognito.assumeRoleArn",
      "partition of cognito.region eu-west-1 (arn:aws:",
    ],
    [
      "a KMS key in another region than IdC",
      (c) => (c.identityCenter.kmsKeyArn = key(A, "us-east-1")),
      "identityCenter.kmsKeyArn",
      "expected a key in identityCenter.region (eu-west-1), not in us-east-1",
    ],
  ];

  it.each(rows)(
    "reject %s, naming the field, the value and the expected form",
    (_name, change, field, expected) => {
      const line = problemLine(change, field);
      expect(line).toContain(expected);
      expect(line).toMatch(/; got .+$/);
    },
  );

  it("accept a KMS key of another account: the instance owner's (management) account under a delegated administrator", () => {
    expect(() =>
      parse((c) => ((c.identityCenter.accountId = A), (c.identityCenter.kmsKeyArn = key(B)))),
    ).not.toThrow();
  });

  it("accept a consistent two-account config", () => {
    const c = parse((input) => {
      input.identityCenter.accountId = A;
      input.identityCenter.assumeRoleArn = `arn:aws:iam::${A}:role/ci/bridge-deploy`;
      input.identityCenter.kmsKeyArn = `arn:aws:kms:eu-west-1:${A}:key/mrk-0123456789abcdef0123456789abcdef`;
      input.cognito.accountId = B;
      input.cognito.assumeRoleArn = role(B);
    });
    expect(resolveAccounts(c)).toEqual({ identityCenter: A, cognito: B, crossAccount: true });
  });
});
