/**
 * Cross-account mode of the deprovisioner (IDENTITY_STORE_ROLE_ARN): the shared assumed-role cache as the
 * deprovisioner wires it, against the local STS endpoint and an Identity Store that only lets in
 * credentials that STS issued (real SDK clients over HTTP).
 */
import { IdentityStoreTestServer } from "../../__tests__/lambda/identity-store-server";
import { StsTestServer } from "../../__tests__/lambda/sts-server";
import {
  AssumeRoleFailedError,
  createStsClient,
  crossAccountCredentials,
} from "../shared/assumed-role-credentials";
import { errorKind } from "../shared/error-kind";
import {
  BACKGROUND_ASSUME_ROLE_TIMEOUT_MS,
  BACKGROUND_RETRIES,
  BACKGROUND_TIMEOUTS,
  createIdentityStoreClient,
  DeprovisioningIdentityStore,
} from "./identity-store";

const ROLE = "arn:aws:iam::222222222222:role/stage-identity-store-access-deprovisioning";
const LAMBDA_KEY = "AKIALAMBDAROLE000002";
const savedEnv = { ...process.env };

let sts: StsTestServer;
let store: IdentityStoreTestServer;

beforeEach(async () => {
  sts = await StsTestServer.start({ region: "eu-west-1" });
  sts.addRole(ROLE, { trustedAccessKeyIds: [LAMBDA_KEY] });
  store = await IdentityStoreTestServer.start({ region: "eu-west-1" });
  store.authorize = sts.authorizeIssued();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_STS: sts.endpoint,
    AWS_ENDPOINT_URL_IDENTITYSTORE: store.endpoint,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: LAMBDA_KEY,
    AWS_SECRET_ACCESS_KEY: "secret",
  });
});

afterEach(async () => {
  process.env = { ...savedEnv };
  await Promise.all([sts.close(), store.close()]);
});

function wire(roleArn = ROLE) {
  // As index.ts wires it.
  const stsClient = createStsClient({ timeouts: BACKGROUND_TIMEOUTS, retry: BACKGROUND_RETRIES });
  const credentials = crossAccountCredentials(roleArn, "stage idc/deprovisioning", {
    sts: () => stsClient,
    timeoutMs: BACKGROUND_ASSUME_ROLE_TIMEOUT_MS,
  })!;
  const client = createIdentityStoreClient(store.region, {
    credentials: credentials.provider,
    pacing: false,
  });
  return {
    credentials,
    identityStore: new DeprovisioningIdentityStore(client, store.identityStoreId),
    destroy: () => {
      stsClient.destroy();
      client.destroy();
    },
  };
}

describe("cross-account credentials (IDENTITY_STORE_ROLE_ARN)", () => {
  it("assumes the role once per container and reuses the credentials for every Identity Store call", async () => {
    for (let i = 0; i < 3; i += 1) store.addUser({ UserName: `user${i}@acme.example`, DisplayName: "User" });
    const { identityStore, destroy } = wire();
    const signal = AbortSignal.timeout(10_000);
    const [a, b] = await Promise.all([
      identityStore.findUserId("user0@acme.example", signal),
      identityStore.findUserId("user1@acme.example", signal),
    ]);
    const listed: string[] = [];
    for await (const user of identityStore.listUsers(signal)) listed.push(user.userName);
    destroy();

    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(listed).toHaveLength(3);
    expect(sts.callsOf("AssumeRole")).toHaveLength(1);
    expect(sts.calls[0]).toMatchObject({
      accessKeyId: LAMBDA_KEY,
      params: { RoleArn: ROLE, RoleSessionName: "idc-oidc-bridge-stage-idc-deprovisioning" },
    });
  });

  it("renews credentials that expire within five minutes", async () => {
    sts.credentialLifetimeMs = 5 * 60_000 + 200;
    const { credentials, destroy } = wire();
    const first = await credentials.provider();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const second = await credentials.provider();
    destroy();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(sts.callsOf("AssumeRole")).toHaveLength(2);
  });

  it("fails clearly, naming the role, when the role does not trust the deprovisioner", async () => {
    const other = "arn:aws:iam::222222222222:role/not-trusting-us";
    const { identityStore, destroy } = wire(other);
    const error = await identityStore
      .findUserId("user0@acme.example", AbortSignal.timeout(10_000))
      .catch((caught: unknown) => caught);
    destroy();
    expect(error).toBeInstanceOf(AssumeRoleFailedError);
    expect(errorKind(error)).toBe("permanent");
    expect((error as Error).message).toContain(other);
    expect(store.calls).toHaveLength(0);
  });
});
