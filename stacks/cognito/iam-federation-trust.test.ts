/**
 * The federated roles' trust policies, rendered from the synthesized stack and evaluated by the IAM policy
 * simulator (`@cloud-copilot/iam-simulate` with Service Authorization Reference data, via
 * __tests__/helpers/iam-simulator.ts) with the request context AssumeRoleWithWebIdentity carries for one of
 * the pool's ID tokens: `<issuer host+path>:aud`, the session tags (`aws:RequestTag/groups`,
 * `aws:TagKeys`) from the JIT Lambda's `https://aws.amazon.com/tags` claim, and the provider as principal.
 */
import type { BridgeConfigInput } from "../../config";
import {
  roleTrustPolicy,
  simulateAssumeRole,
  type IamPolicy,
  type Substitution,
} from "../../__tests__/helpers/iam-simulator";
import { configWith, synthBridge } from "../../__tests__/helpers/stacks";

const ACCOUNT = "222222222222";
const POOL_ID = "us-west-2_Fed3ration";
const ISSUER_HOST_AND_PATH = `cognito-idp.us-west-2.amazonaws.com/${POOL_ID}`;
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER_HOST_AND_PATH}`;
const CLIENT_ID = "7federation0client0id00abc";

function federated(c: BridgeConfigInput): void {
  c.environment = "sim";
  c.cognito.region = "us-west-2";
  c.cognito.groups = [...(c.cognito.groups ?? []), { name: "readers" }, { name: "auditors" }];
  c.cognito.iamFederation = {
    roles: [
      {
        name: "sim-readers",
        managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        requiredGroups: ["readers", "auditors"],
      },
      { name: "sim-anyone", managedPolicies: ["arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"] },
    ],
  };
}

const bridge = synthBridge(configWith(federated));
const values: Substitution[] = [
  [/^aws_iam_openid_connect_provider\.[^.]+\.arn$/, PROVIDER_ARN],
  [/^aws_cognito_user_pool\.[^.]+\.endpoint$/, ISSUER_HOST_AND_PATH],
  [/^aws_cognito_user_pool_client\.iam-federation_client_[0-9A-F]{8}\.id$/, CLIENT_ID],
];
const trust = (role: string): IamPolicy => roleTrustPolicy(bridge.cognito, role, values);
const roleArn = (role: string) => `arn:aws:iam::${ACCOUNT}:role/${role}`;

/** The context of an AssumeRoleWithWebIdentity call with a pool ID token for `audience` carrying `groups`. */
function tokenContext(groups: string[] | undefined, audience = CLIENT_ID, issuer = ISSUER_HOST_AND_PATH) {
  return {
    [`${issuer}:aud`]: audience,
    ...(groups === undefined
      ? {}
      : {
          "aws:RequestTag/groups": `:${groups.join(":")}:`,
          "aws:RequestTag/email": "ada@initech.example",
          "aws:TagKeys": ["groups", "email"],
        }),
  };
}

async function decide(role: string, context: Record<string, string | string[]>, principal = PROVIDER_ARN) {
  return simulateAssumeRole({
    trustPolicy: trust(role),
    roleArn: roleArn(role),
    principal,
    action: "sts:AssumeRoleWithWebIdentity",
    context,
  });
}

/**
 * sts:TagSession, which STS evaluates in the same call for the session tags. The SAR lists no
 * `<provider>:<claim>` key for sts:TagSession, so the simulator helper refuses the `<issuer>:aud` key there:
 * this evaluates the statement without its audience condition (asserted exactly as rendered above, and
 * evaluated for sts:AssumeRoleWithWebIdentity, which every such call also needs).
 */
async function decideTagSession(role: string, context: Record<string, string | string[]>) {
  const policy = trust(role);
  const withoutAudience = {
    ...policy,
    Statement: policy.Statement.map((s) => {
      const { StringEquals, ...others } = (s as { Condition: Record<string, Record<string, string[]>> })
        .Condition;
      expect(Object.keys(StringEquals)).toEqual([`${ISSUER_HOST_AND_PATH}:aud`]);
      return { ...s, Condition: others };
    }),
  };
  const tags = Object.fromEntries(
    Object.entries(context).filter(([k]) => k !== `${ISSUER_HOST_AND_PATH}:aud`),
  );
  return simulateAssumeRole({
    trustPolicy: withoutAudience,
    roleArn: roleArn(role),
    principal: PROVIDER_ARN,
    action: "sts:TagSession",
    context: tags,
  });
}

describe("federated role trust, by the IAM simulator", () => {
  it("renders the audience condition exactly: <issuer host+path>:aud = the federation client id", () => {
    // Asserted as rendered as well: iam-simulate 0.1.173 knows `<issuer>:aud` only for a few named providers
    // (e.g. accounts.google.com); for this issuer (host and path) the helper evaluates it in an unvalidated
    // second pass, so the key and value are pinned here independently of that.
    for (const role of ["sim-readers", "sim-anyone"]) {
      const [statement] = trust(role).Statement as { Condition: unknown; Principal: unknown }[];
      expect((statement.Condition as Record<string, unknown>).StringEquals).toEqual({
        [`${ISSUER_HOST_AND_PATH}:aud`]: [CLIENT_ID],
      });
      expect(statement.Principal).toEqual({ Federated: [PROVIDER_ARN] });
    }
  });

  it("allows a member of any one required group, with and for its session tags", async () => {
    for (const groups of [["readers"], ["developers", "auditors"], ["a", "readers", "z"]]) {
      const assume = await decide("sim-readers", tokenContext(groups));
      expect(assume.allowed).toBe(true);
      expect((await decideTagSession("sim-readers", tokenContext(groups))).allowed).toBe(true);
    }
  });

  it("denies a non-member, a token without group tags, and group names that only look alike", async () => {
    for (const context of [
      tokenContext(["developers"]),
      tokenContext([]),
      tokenContext(undefined),
      tokenContext(["readers-old", "pre-auditors"]),
    ]) {
      expect((await decide("sim-readers", context)).allowed).toBe(false);
      if (context["aws:TagKeys"] !== undefined) {
        expect((await decideTagSession("sim-readers", context)).allowed).toBe(false);
      }
    }
  });

  it("denies tokens for another audience (another app client of the same pool)", async () => {
    for (const role of ["sim-readers", "sim-anyone"]) {
      const decision = await decide(role, tokenContext(["readers"], "3cloudflare0access0client0"));
      expect(decision.allowed).toBe(false);
    }
  });

  it("denies another issuer and another provider", async () => {
    const otherPool = "cognito-idp.us-west-2.amazonaws.com/us-west-2_OtherPool1";
    for (const role of ["sim-readers", "sim-anyone"]) {
      // Another pool's token through its own IAM provider: not this role's principal.
      const other = await decide(
        role,
        tokenContext(["readers"], CLIENT_ID, otherPool),
        `arn:aws:iam::${ACCOUNT}:oidc-provider/${otherPool}`,
      );
      expect(other.allowed).toBe(false);
      // Any other federated provider, even with a matching audience key for this issuer.
      const github = await decide(
        role,
        tokenContext(["readers"]),
        `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
      );
      expect(github.allowed).toBe(false);
      // An IAM principal of the same account cannot use the trust either.
      expect(
        (await decide(role, tokenContext(["readers"]), `arn:aws:iam::${ACCOUNT}:role/someone`)).allowed,
      ).toBe(false);
    }
  });

  it("allows anyone the pool issues a federation token to on a role without requiredGroups, and nobody else", async () => {
    expect((await decide("sim-anyone", tokenContext(["developers"]))).allowed).toBe(true);
    expect((await decide("sim-anyone", tokenContext(undefined))).allowed).toBe(true);
    expect((await decide("sim-anyone", tokenContext(["developers"], "someone-else"))).allowed).toBe(false);
  });

  it("refuses session tags other than groups and email", async () => {
    const context = {
      ...tokenContext(["readers"]),
      "aws:RequestTag/team": "x",
      "aws:TagKeys": ["groups", "email", "team"],
    };
    expect((await decide("sim-readers", context)).allowed).toBe(false);
    expect((await decideTagSession("sim-readers", context)).allowed).toBe(false);
    expect((await decideTagSession("sim-anyone", context)).allowed).toBe(false);
    expect((await decideTagSession("sim-anyone", tokenContext(["x"]))).allowed).toBe(true);
  });
});
