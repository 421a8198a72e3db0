/**
 * Commands read each AWS side as its configured role (identityCenter.assumeRoleArn, cognito.assumeRoleArn):
 * the clients of `doctor` and of `identity-propagation:configure`, and the environment of the `terraform
 * output` calls, carry credentials that the STS test server issued for exactly that role, assumed with the
 * caller's own credentials (STS AssumeRole, SigV4-signed in the side's region).
 */
import { SSOAdminClient } from "@aws-sdk/client-sso-admin";
import { doctorClients } from "../../cli/doctor";
import { ssoAdminClient } from "../../cli/identity-propagation-configure";
import { awsSide, sideOfStack, sideProcessEnv } from "../../cli/shared/aws-side";
import { parseConfig } from "../../config";
import { StsTestServer } from "../lambda/sts-server";
import { exampleInput } from "../helpers/stacks";

const IDC_ACCOUNT = "111111111111";
const COGNITO_ACCOUNT = "222222222222";
const IDC_ROLE = `arn:aws:iam::${IDC_ACCOUNT}:role/bridge-read`;
const COGNITO_ROLE = `arn:aws:iam::${COGNITO_ACCOUNT}:role/bridge-read`;

const input = exampleInput();
input.identityCenter.accountId = IDC_ACCOUNT;
input.identityCenter.assumeRoleArn = IDC_ROLE;
input.cognito.accountId = COGNITO_ACCOUNT;
input.cognito.assumeRoleArn = COGNITO_ROLE;
const twoAccounts = parseConfig(input);
const oneAccount = parseConfig(exampleInput());

let sts: StsTestServer;
const saved = { ...process.env };
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sts = await StsTestServer.start({ region: "eu-west-1" });
  sts.addRole(IDC_ROLE);
  sts.addRole(COGNITO_ROLE);
  // The caller's own credentials (the default chain reads the process environment).
  process.env.AWS_ACCESS_KEY_ID = "AKIACALLER";
  process.env.AWS_SECRET_ACCESS_KEY = "caller-secret";
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  env = { ...process.env, AWS_ENDPOINT_URL_STS: sts.endpoint };
});

afterAll(async () => {
  process.env = saved;
  await sts.close();
});

/** The role STS issued these credentials for. */
async function roleOf(client: { config: { credentials: () => Promise<{ accessKeyId: string }> } }) {
  const { accessKeyId } = await client.config.credentials();
  return sts.issued.get(accessKeyId)?.roleArn;
}

describe("each side read as its configured role", () => {
  it("doctor: the Identity Store as the IdC role; Cognito, CloudWatch and CloudTrail as the Cognito role", async () => {
    const clients = doctorClients(twoAccounts, env);
    expect(await roleOf(clients.identityStore)).toBe(IDC_ROLE);
    expect(await roleOf(clients.cognito)).toBe(COGNITO_ROLE);
    expect(await roleOf(clients.cloudwatch)).toBe(COGNITO_ROLE);
    expect(await roleOf(clients.cloudtrail)).toBe(COGNITO_ROLE);
    const calls = sts.callsOf("AssumeRole");
    expect(calls.every((c) => c.accessKeyId === "AKIACALLER" && c.signedRegion === "eu-west-1")).toBe(true);
    expect(calls.map((c) => c.params.RoleSessionName)).toContain("idc-oidc-bridge-doctor");
    // Assumed once per client and reused.
    const before = calls.length;
    await clients.cognito.config.credentials();
    expect(sts.callsOf("AssumeRole")).toHaveLength(before);
  });

  it("identity-propagation:configure: IAM Identity Center as the IdC role", async () => {
    expect(await roleOf(ssoAdminClient(twoAccounts, "us-east-1", env) as SSOAdminClient)).toBe(IDC_ROLE);
  });

  it("terraform output of each stack as the side that owns it", async () => {
    for (const [kind, role] of [
      ["identity-center", IDC_ROLE],
      ["cognito", COGNITO_ROLE],
      ["cloudflare-access", COGNITO_ROLE],
    ] as const) {
      const child = await sideProcessEnv(sideOfStack(twoAccounts, kind), "doctor", {
        ...env,
        AWS_PROFILE: "x",
      });
      expect(sts.issued.get(child.AWS_ACCESS_KEY_ID!)?.roleArn).toBe(role);
      expect(child.AWS_SESSION_TOKEN).toBeTruthy();
      expect(child.AWS_PROFILE).toBeUndefined();
    }
  });

  it("one account without roles: the default chain, no STS call", async () => {
    const before = sts.calls.length;
    const clients = doctorClients(oneAccount, env);
    expect((await clients.cognito.config.credentials()).accessKeyId).toBe("AKIACALLER");
    expect(await sideProcessEnv(awsSide(oneAccount, "cognito"), "doctor", env)).toBe(env);
    expect(sts.calls).toHaveLength(before);
  });

  it("a caller already in the role's account (CI's per-account role) reads as itself: no AssumeRole", async () => {
    // CI signs in to each account with that account's plan or deploy role; the administrators' role named in
    // the config does not trust those roles, so assuming it from inside its own account would fail.
    sts.setCallerAccount("AKIACICOGNITO", COGNITO_ACCOUNT);
    process.env.AWS_ACCESS_KEY_ID = "AKIACICOGNITO"; // the default chain reads the process environment
    try {
      const ciEnv = { ...env, AWS_ACCESS_KEY_ID: "AKIACICOGNITO" };
      const assumedBefore = sts.callsOf("AssumeRole").length;
      expect(await sideProcessEnv(awsSide(twoAccounts, "cognito"), "doctor", ciEnv)).toBe(ciEnv);
      const clients = doctorClients(twoAccounts, ciEnv);
      expect((await clients.cognito.config.credentials()).accessKeyId).toBe("AKIACICOGNITO");
      expect(sts.callsOf("GetCallerIdentity").at(-1)?.accessKeyId).toBe("AKIACICOGNITO");
      expect(sts.callsOf("AssumeRole")).toHaveLength(assumedBefore);
      // The other side is another account: its role is assumed as before.
      const idc = await sideProcessEnv(awsSide(twoAccounts, "identityCenter"), "doctor", ciEnv);
      expect(sts.issued.get(idc.AWS_ACCESS_KEY_ID!)?.roleArn).toBe(IDC_ROLE);
    } finally {
      process.env.AWS_ACCESS_KEY_ID = "AKIACALLER";
    }
  });

  it("a role the caller may not assume: a clear error naming the field and the role", async () => {
    const c = parseConfig({
      ...input,
      cognito: { ...input.cognito, assumeRoleArn: `arn:aws:iam::${COGNITO_ACCOUNT}:role/unknown` },
    });
    await expect(sideProcessEnv(awsSide(c, "cognito"), "doctor", env)).rejects.toThrow(
      /cannot assume cognito\.assumeRoleArn arn:aws:iam::222222222222:role\/unknown \(AccessDenied: .*sts:AssumeRole/,
    );
  });
});
