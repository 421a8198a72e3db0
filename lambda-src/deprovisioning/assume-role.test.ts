import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { assumeRoleCredentials } from "./assume-role";

const ROLE = "arn:aws:iam::222222222222:role/stage-identity-store-access-deprovisioning";
const sts = mockClient(STSClient);

function credentials(expiresInMs: number, key = "ASIAEXAMPLE") {
  return {
    Credentials: {
      AccessKeyId: key,
      SecretAccessKey: "secret",
      SessionToken: "token",
      Expiration: new Date(Date.now() + expiresInMs),
    },
  };
}

beforeEach(() => sts.reset());

describe("cross-account credentials (IDENTITY_STORE_ROLE_ARN)", () => {
  it("assumes the role once per container and reuses the credentials until shortly before they expire", async () => {
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(credentials(60 * 60_000, "FIRST"))
      .resolves(credentials(60 * 60_000, "NEXT"));
    const provider = assumeRoleCredentials(ROLE, "eu-west-1", "stage idc/deprovisioning", new STSClient({}));
    const [a, b] = await Promise.all([provider(), provider()]);
    expect(a.accessKeyId).toBe("FIRST");
    expect(b.accessKeyId).toBe("FIRST");
    expect((await provider()).accessKeyId).toBe("FIRST");
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input).toMatchObject({
      RoleArn: ROLE,
      RoleSessionName: "stage-idc-deprovisioning",
    });
  });

  it("renews credentials that expire within five minutes, and fails clearly without credentials", async () => {
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(credentials(60_000, "SHORT"))
      .resolves(credentials(60 * 60_000, "RENEWED"));
    const provider = assumeRoleCredentials(ROLE, "eu-west-1", "svc", new STSClient({}));
    expect((await provider()).accessKeyId).toBe("SHORT");
    expect((await provider()).accessKeyId).toBe("RENEWED");
    sts.reset();
    sts.on(AssumeRoleCommand).resolves({});
    await expect(assumeRoleCredentials(ROLE, "eu-west-1", "svc", new STSClient({}))()).rejects.toThrow(
      /returned no credentials/,
    );
  });
});
