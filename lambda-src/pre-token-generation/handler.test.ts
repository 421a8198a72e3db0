/**
 * The handler's orchestration with a mocked Identity Store client: claims, the sign-in policy, failure
 * handling and group sync. The identity states themselves (adoption, movers, conflicts, quotas) are
 * tested against the strict test server in provisioning.test.ts and __tests__/lambda/bundle.test.ts.
 */
import {
  AccessDeniedException,
  ConflictException,
  CreateGroupMembershipCommand,
  CreateUserCommand,
  DeleteGroupMembershipCommand,
  DescribeUserCommand,
  GetUserIdCommand,
  IdentitystoreClient,
  InternalServerException,
  ListGroupMembershipsForMemberCommand,
  ResourceNotFoundException,
  UpdateUserCommand,
} from "@aws-sdk/client-identitystore";
import { GenerateMacCommand } from "@aws-sdk/client-kms";
import { mockClient } from "aws-sdk-client-mock";
import { DeadlineExceededError } from "../shared/deadline";
import { RecordingLog, RecordingMetrics } from "../shared/test-support/telemetry";
import type { Config } from "./config";
import { BRIDGE_USER_TYPE } from "./contract";
import { InvalidEventError, LoginDeniedError, SyncFailedError } from "./errors";
import { USER_TRIGGER_SOURCES } from "./event";
import { createHandler } from "./handler";
import { METRIC_NAMES, type MetricName } from "./metric-names";
import { testConfig } from "./test-support/config";
import { addedClaims, preTokenEvent, SENSITIVE_MARKER } from "./test-support/events";
import { linkKeyMessage } from "../shared/link";
import { mockKms, signedLink, TEST_LINK_KEY_ARN, testLinkKeys } from "../shared/test-support/link";

const identityStore = mockClient(IdentitystoreClient);
const kms = mockKms();

const STORE_ID = "d-1234567890";
const USER_ID = "9067d8b2-1071-70e3-4e1c-000000000001";
const G_ADMINS = "9067d8b2-1071-70e3-4e1c-0000000000a1";
const G_READERS = "9067d8b2-1071-70e3-4e1c-0000000000a2";
const G_UNMAPPED = "9067d8b2-1071-70e3-4e1c-0000000000ff";
const USER_NAME = "john.doe@example.com";

const userNotFound = (): ResourceNotFoundException =>
  new ResourceNotFoundException({ message: "USER not found.", $metadata: {}, ResourceType: "USER" });
const conflict = (): ConflictException =>
  new ConflictException({ message: "Duplicate", $metadata: {}, Reason: "UNIQUENESS_CONSTRAINT_VIOLATION" });

/** The person's bridge-owned IdC user as DescribeUser returns it (nothing differs from the event). */
const ownedUser = (overrides: Record<string, unknown> = {}) => ({
  IdentityStoreId: STORE_ID,
  UserId: USER_ID,
  UserName: USER_NAME,
  DisplayName: "John Doe",
  Name: { GivenName: "John", FamilyName: "Doe" },
  Emails: [{ Value: USER_NAME, Type: "work", Primary: true }],
  UserType: BRIDGE_USER_TYPE,
  ...overrides,
});

/** The default event's pool and person (preTokenEvent). */
const POOL_ID = "us-east-1_AbCdEfGhI";
const SUB = "8f2e7c6a-1b2d-4e5f-9a8b-7c6d5e4f3a2b";

/** An event of a person already (validly) linked to USER_ID. */
const linkedEvent = (options: Parameters<typeof preTokenEvent>[0] = {}) =>
  preTokenEvent({
    ...options,
    userAttributes: { ...signedLink(POOL_ID, SUB, USER_ID), ...options.userAttributes },
  });

function setup(overrides: Partial<Config> = {}) {
  const log = new RecordingLog();
  const metrics = new RecordingMetrics<MetricName>();
  const handler = createHandler({
    config: testConfig(overrides),
    client: new IdentitystoreClient({ region: "eu-west-1" }),
    linkKeys: testLinkKeys(),
    log,
    metrics,
  });
  return { handler, log, metrics };
}

const context = (remainingMs = 5000) => ({ getRemainingTimeInMillis: () => remainingMs });

const bothClaims = { identity_store_user_id: USER_ID, idc_user_name: USER_NAME };

beforeEach(() => {
  identityStore.reset();
  kms.resetHistory();
});

describe("user resolution", () => {
  it("creates a new person, marked as bridge-owned, and adds both claims to both tokens", async () => {
    identityStore.on(GetUserIdCommand).rejects(userNotFound());
    identityStore.on(CreateUserCommand).resolves({ IdentityStoreId: STORE_ID, UserId: USER_ID });
    const { handler, metrics, log } = setup();
    const event = preTokenEvent();

    const result = await handler(event, context());

    expect(result).toBe(event);
    expect(addedClaims(result)).toEqual({ id: bothClaims, access: bothClaims });
    // One look-up for a new person: by email (CreateUser's UserName uniqueness covers the UserName).
    expect(identityStore.commandCalls(GetUserIdCommand).map((call) => call.args[0].input)).toEqual([
      {
        IdentityStoreId: STORE_ID,
        AlternateIdentifier: {
          UniqueAttribute: { AttributePath: "emails.value", AttributeValue: USER_NAME },
        },
      },
    ]);
    expect(identityStore.commandCalls(CreateUserCommand).map((call) => call.args[0].input)).toEqual([
      {
        IdentityStoreId: STORE_ID,
        UserName: USER_NAME,
        DisplayName: "John Doe",
        Name: { GivenName: "John", FamilyName: "Doe" },
        Emails: [{ Value: USER_NAME, Type: "work", Primary: true }],
        UserType: BRIDGE_USER_TYPE,
      },
    ]);
    expect(identityStore.calls()).toHaveLength(2);
    expect(metrics.total(METRIC_NAMES.UsersCreated)).toBe(1);
    expect(metrics.count(METRIC_NAMES.IdentityStoreLatency)).toBe(2);
    expect(log.entries).toContainEqual({
      level: "info",
      message: "Identity Store user created",
      attributes: { userName: USER_NAME, userId: USER_ID },
    });
  });

  it("uses given_name and family_name when Cognito has them", async () => {
    identityStore.on(GetUserIdCommand).rejects(userNotFound());
    identityStore.on(CreateUserCommand).resolves({ UserId: USER_ID });
    const { handler } = setup();
    await handler(
      preTokenEvent({ userAttributes: { given_name: "Ada", family_name: "Lovelace" } }),
      context(),
    );
    expect(identityStore).toHaveReceivedCommandWith(CreateUserCommand, {
      DisplayName: "Ada Lovelace",
      Name: { GivenName: "Ada", FamilyName: "Lovelace" },
    });
  });

  it("costs exactly one Identity Store call (DescribeUser by the linked id) for a known person", async () => {
    identityStore.on(DescribeUserCommand).resolves(ownedUser());
    const { handler, metrics } = setup();

    const result = await handler(linkedEvent(), context());

    expect(identityStore.calls()).toHaveLength(1);
    expect(identityStore).toHaveReceivedCommandWith(DescribeUserCommand, {
      IdentityStoreId: STORE_ID,
      UserId: USER_ID,
    });
    expect(addedClaims(result).id).toEqual(bothClaims);
    expect(metrics.total(METRIC_NAMES.UsersFound)).toBe(1);
  });

  it("finds an unlinked person by email and reads the user before using it", async () => {
    identityStore.on(GetUserIdCommand).resolves({ UserId: USER_ID });
    identityStore.on(DescribeUserCommand).resolves(ownedUser());
    const { handler } = setup();
    const result = await handler(preTokenEvent(), context());
    expect(addedClaims(result).access).toEqual(bothClaims);
    expect(identityStore.calls().map((call) => call.args[0].constructor.name)).toEqual([
      "GetUserIdCommand",
      "DescribeUserCommand",
    ]);
  });

  it("on ConflictException looks the person up by userName and uses that user", async () => {
    identityStore
      .on(GetUserIdCommand)
      .rejectsOnce(userNotFound())
      .resolves({ IdentityStoreId: STORE_ID, UserId: USER_ID });
    identityStore.on(CreateUserCommand).rejects(conflict());
    identityStore.on(DescribeUserCommand).resolves(ownedUser());
    const { handler, metrics } = setup();

    const result = await handler(preTokenEvent(), context());

    expect(addedClaims(result).access).toEqual(bothClaims);
    expect(
      identityStore
        .commandCalls(GetUserIdCommand)
        .map((call) => call.args[0].input.AlternateIdentifier?.UniqueAttribute?.AttributePath),
    ).toEqual(["emails.value", "userName"]);
    expect(metrics.total(METRIC_NAMES.ConflictsResolved)).toBe(1);
  });

  it("does not mistake a missing identity store for a new person (a permanent failure)", async () => {
    identityStore
      .on(GetUserIdCommand)
      .rejects(
        new ResourceNotFoundException({ message: "nope", $metadata: {}, ResourceType: "IDENTITY_STORE" }),
      );
    const { handler } = setup();
    const attempt = handler(preTokenEvent(), context());
    await expect(attempt).rejects.toThrow(SyncFailedError);
    await expect(attempt).rejects.toThrow("configuration problem. Please contact your administrator.");
    expect(identityStore).not.toHaveReceivedCommand(CreateUserCommand);
  });

  it.each(USER_TRIGGER_SOURCES)("handles the %s trigger source", async (triggerSource) => {
    identityStore.on(DescribeUserCommand).resolves(ownedUser());
    const { handler } = setup();
    const result = await handler(linkedEvent({ triggerSource }), context());
    expect(addedClaims(result).id).toEqual(bothClaims);
  });

  it("passes client-credentials (machine) events through without calling the Identity Store", async () => {
    const { handler, metrics } = setup();
    const event = {
      version: "3",
      triggerSource: "TokenGeneration_ClientCredentials",
      request: {},
      response: {},
    };
    await expect(handler(event, context())).resolves.toEqual({
      version: "3",
      triggerSource: "TokenGeneration_ClientCredentials",
      request: {},
      response: {},
    });
    expect(identityStore.calls()).toHaveLength(0);
    expect(metrics.recorded).toEqual([]);
  });

  it("preserves claims already in the response", async () => {
    identityStore.on(DescribeUserCommand).resolves(ownedUser());
    const { handler } = setup();
    const response = {
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: { claimsToAddOrOverride: { team: "blue" }, claimsToSuppress: ["phone_number"] },
        accessTokenGeneration: { scopesToAdd: ["api/read"] },
      },
    };
    const result = await handler(linkedEvent({ response }), context());
    expect((result as { response: unknown }).response).toEqual({
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: {
          claimsToAddOrOverride: { team: "blue", ...bothClaims },
          claimsToSuppress: ["phone_number"],
        },
        accessTokenGeneration: { scopesToAdd: ["api/read"], claimsToAddOrOverride: bothClaims },
      },
    });
  });
});

describe("claims", () => {
  const FEDERATION_CLIENT = "3federation4client5id";

  it("adds the IAM session tags to the ID token of tokens issued to the IAM federation client only", async () => {
    identityStore.on(DescribeUserCommand).resolves(ownedUser());
    const { handler, log } = setup({
      iamFederationClientId: FEDERATION_CLIENT,
      groupsAttribute: "custom:groups",
    });
    const event = linkedEvent({
      groups: ["readers", "admins"],
      userAttributes: { "custom:groups": '["okta-devs","a:b"]' },
    });
    (event.callerContext as { clientId: string }).clientId = FEDERATION_CLIENT;

    const claims = addedClaims(await handler(event, context()));

    expect(claims.id).toEqual({
      ...bothClaims,
      "https://aws.amazon.com/tags": {
        principal_tags: { groups: [":admins:okta-devs:readers:"], email: [USER_NAME] },
      },
    });
    expect(claims.access).toEqual(bothClaims);
    expect(log.entries).toContainEqual(
      expect.objectContaining({
        level: "warn",
        attributes: { omittedGroups: [{ group: "a:b", reason: "characters" }] },
      }),
    );
  });

  it("adds no session tags for another client", async () => {
    identityStore.on(DescribeUserCommand).resolves(ownedUser());
    const { handler } = setup({ iamFederationClientId: FEDERATION_CLIENT });
    const claims = addedClaims(await handler(linkedEvent({ groups: ["admins"] }), context()));
    expect(claims.id).toEqual(bothClaims);
  });
});

describe("writes to the Cognito user", () => {
  function withWriter(update: (...args: unknown[]) => Promise<void>, overrides: Partial<Config> = {}) {
    const log = new RecordingLog();
    const metrics = new RecordingMetrics<MetricName>();
    const calls: unknown[][] = [];
    const handler = createHandler({
      config: testConfig(overrides),
      client: new IdentitystoreClient({ region: "eu-west-1" }),
      linkKeys: testLinkKeys(),
      cognito: {
        update: (...args: unknown[]) => {
          calls.push(args);
          return update(...args);
        },
      },
      log,
      metrics,
      now: () => new Date("2026-03-04T10:00:00Z"),
    });
    return { handler, log, metrics, calls };
  }

  it("links a newly provisioned person on the event's own pool and user", async () => {
    identityStore.on(GetUserIdCommand).rejects(userNotFound());
    identityStore.on(CreateUserCommand).resolves({ UserId: USER_ID });
    const { handler, calls } = withWriter(async () => undefined, { recordLastSignIn: true });
    await handler(preTokenEvent(), context());
    expect(calls).toEqual([
      [
        "us-east-1_AbCdEfGhI",
        "google_1234567890",
        { ...signedLink(POOL_ID, SUB, USER_ID), "custom:idc_last_sign_in": "2026-03-04" },
        expect.any(AbortSignal),
      ],
    ]);
  });

  it("never delays the sign-in past its deadline: a hanging write is abandoned and tolerated", async () => {
    identityStore.on(DescribeUserCommand).resolves(ownedUser());
    const { handler, metrics, log } = withWriter(
      (...args) =>
        new Promise<void>((_resolve, reject) =>
          (args[3] as AbortSignal).addEventListener("abort", () => reject(new Error("aborted"))),
        ),
      { recordLastSignIn: true },
    );
    const started = performance.now();
    // 1 s budget: the write is cut 150 ms before it (its own cap is 1 s).
    const result = await handler(linkedEvent(), context(1500));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(addedClaims(result).id).toEqual(bothClaims);
    expect(metrics.total(METRIC_NAMES.CognitoWriteFailures)).toBe(1);
    expect(log.entries.map((entry) => entry.message)).toContain(
      "Could not write to the Cognito user (tolerated: the sign-in goes on)",
    );
  });
});

describe("the signed link", () => {
  const OTHER_ID = "9067d8b2-1071-70e3-4e1c-0000000000b2";
  const OTHER_SUB = "11111111-2222-4333-8444-555555555555";

  function linked(writes: unknown[][] = []) {
    const log = new RecordingLog();
    const metrics = new RecordingMetrics<MetricName>();
    const handler = createHandler({
      config: testConfig(),
      client: new IdentitystoreClient({ region: "eu-west-1" }),
      linkKeys: testLinkKeys(),
      cognito: {
        update: async (...args: unknown[]) => {
          writes.push(args);
        },
      },
      log,
      metrics,
    });
    return { handler, log, metrics, writes };
  }

  it("a known person with a valid link: one Identity Store call, and one KMS call per container only", async () => {
    identityStore.on(DescribeUserCommand).resolves(ownedUser());
    const { handler, writes } = linked();

    for (let signIn = 0; signIn < 3; signIn += 1) {
      expect(addedClaims(await handler(linkedEvent(), context())).id).toEqual(bothClaims);
    }

    expect(identityStore.calls()).toHaveLength(3);
    expect(identityStore.commandCalls(DescribeUserCommand)).toHaveLength(3);
    expect(kms.commandCalls(GenerateMacCommand)).toHaveLength(1);
    expect(kms.commandCalls(GenerateMacCommand)[0].args[0].input).toEqual({
      KeyId: TEST_LINK_KEY_ARN,
      MacAlgorithm: "HMAC_SHA_256",
      Message: linkKeyMessage(POOL_ID),
    });
    expect(writes).toEqual([]);
  });

  it.each([
    ["no signature (a link written before links were signed)", {}],
    ["a garbage signature", { "custom:idc_link_sig": "v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }],
    [
      "the other person's own valid signature (copied)",
      { "custom:idc_link_sig": signedLink(POOL_ID, OTHER_SUB, OTHER_ID)["custom:idc_link_sig"] },
    ],
    [
      "a signature made for another pool",
      { "custom:idc_link_sig": signedLink("eu-west-1_Other1", SUB, OTHER_ID)["custom:idc_link_sig"] },
    ],
  ])(
    "ignores a link to another person's user with %s: never reads, returns or changes that user, relinks the person",
    async (_label, signature) => {
      identityStore.on(GetUserIdCommand).resolves({ UserId: USER_ID });
      identityStore.on(DescribeUserCommand, { UserId: USER_ID }).resolves(ownedUser());
      identityStore
        .on(DescribeUserCommand, { UserId: OTHER_ID })
        .resolves(ownedUser({ UserId: OTHER_ID, UserName: "victim@example.com" }));
      const { handler, writes, metrics, log } = linked();

      const result = await handler(
        preTokenEvent({ userAttributes: { "custom:idc_user_id": OTHER_ID, ...signature } }),
        context(),
      );

      // The person gets their own user, found by their own email; the other user is never touched.
      expect(addedClaims(result).id).toEqual(bothClaims);
      expect(JSON.stringify(addedClaims(result))).not.toContain(OTHER_ID);
      const sent = identityStore.calls().map((call) => JSON.stringify(call.args[0].input));
      expect(sent.some((input) => input.includes(OTHER_ID))).toBe(false);
      expect(identityStore.commandCalls(UpdateUserCommand)).toEqual([]);
      // Re-established, signed, for the person's own user.
      expect(writes).toEqual([
        [
          "us-east-1_AbCdEfGhI",
          "google_1234567890",
          signedLink(POOL_ID, SUB, USER_ID),
          expect.any(AbortSignal),
        ],
      ]);
      expect(metrics.total(METRIC_NAMES.LinksIgnored)).toBe(1);
      expect(log.entries).toContainEqual(
        expect.objectContaining({
          level: "warn",
          attributes: expect.objectContaining({ ignoredUserId: OTHER_ID }),
        }),
      );
    },
  );

  it("re-establishes an existing (unsigned) link to the person's own user, signed, without a KMS call to verify it", async () => {
    identityStore.on(GetUserIdCommand).resolves({ UserId: USER_ID });
    identityStore.on(DescribeUserCommand).resolves(ownedUser());
    const { handler, writes } = linked();

    await handler(preTokenEvent({ userAttributes: { "custom:idc_user_id": USER_ID } }), context());
    expect(writes.map((write) => write[2])).toEqual([signedLink(POOL_ID, SUB, USER_ID)]);

    // The next sign-in carries the signed link: one Identity Store call, nothing written.
    identityStore.resetHistory();
    await handler(preTokenEvent({ userAttributes: signedLink(POOL_ID, SUB, USER_ID) }), context());
    expect(identityStore.calls().map((call) => call.args[0].constructor.name)).toEqual([
      "DescribeUserCommand",
    ]);
    expect(writes).toHaveLength(1);
    expect(kms.commandCalls(GenerateMacCommand)).toHaveLength(1);
  });

  it("fails the sign-in clearly, calling nobody else, when the link key cannot be derived", async () => {
    const { log, metrics } = setup();
    const handler = createHandler({
      config: testConfig(),
      client: new IdentitystoreClient({ region: "eu-west-1" }),
      linkKeys: testLinkKeys("arn:aws:kms:us-east-1:111111111111:key/00000000-0000-4000-8000-000000000000"),
      log,
      metrics,
    });

    await expect(handler(linkedEvent(), context())).rejects.toMatchObject({
      name: "SyncFailedError",
      kind: "permanent",
    });

    expect(identityStore.calls()).toEqual([]);
    expect(log.entries).toContainEqual(
      expect.objectContaining({
        level: "error",
        attributes: expect.objectContaining({
          errorName: "LinkKeyUnavailableError",
          errorMessage: `Could not derive the link key of user pool ${POOL_ID} with kms:GenerateMac`,
          cause: "NotFoundException",
        }),
      }),
    );
  });

  it("tolerates a link it cannot sign after provisioning: the sign-in goes on, nothing half-written", async () => {
    identityStore.on(GetUserIdCommand).rejects(userNotFound());
    identityStore.on(CreateUserCommand).resolves({ UserId: USER_ID });
    const writes: unknown[][] = [];
    const log = new RecordingLog();
    const handler = createHandler({
      config: testConfig(),
      client: new IdentitystoreClient({ region: "eu-west-1" }),
      linkKeys: testLinkKeys("arn:aws:kms:us-east-1:111111111111:key/00000000-0000-4000-8000-000000000000"),
      cognito: { update: async (...args: unknown[]) => void writes.push(args) },
      log,
      metrics: new RecordingMetrics<MetricName>(),
    });

    expect(addedClaims(await handler(preTokenEvent(), context())).id).toEqual(bothClaims);
    expect(writes).toEqual([]);
    expect(log.entries.map((entry) => entry.message)).toContain(
      "Could not sign the link (tolerated: the sign-in goes on, the link is written later)",
    );
  });
});

describe("sign-in policy", () => {
  it.each([
    [
      "an unverified email",
      { email_verified: "false" },
      "Sign-in denied: your email address is not verified.",
    ],
    [
      "no email_verified attribute",
      { email_verified: undefined },
      "Sign-in denied: your email address is not verified.",
    ],
    ["no email", { email: undefined }, "Sign-in denied: your account has no email address"],
    ["an empty email", { email: "" }, "Sign-in denied: your account has no email address"],
    [
      "an email with a space inside",
      { email: "a b@example.com" },
      "contains whitespace or invisible characters",
    ],
    ["an email that is not NFC", { email: "Jose\u0301@example.com" }, "Unicode normalization form C (NFC)"],
    [
      "an email that cannot be a user name",
      { email: "a@b@example.com" },
      "cannot be used as an AWS IAM Identity Center user name",
    ],
  ])("denies %s with a clear message and creates nothing", async (_label, userAttributes, message) => {
    const { handler, metrics, log } = setup({ onSyncFailure: "allow" });
    const attempt = handler(preTokenEvent({ userAttributes }), context());
    await expect(attempt).rejects.toThrow(LoginDeniedError);
    await expect(attempt).rejects.toThrow(message);
    expect(identityStore.calls()).toHaveLength(0);
    expect(metrics.total(METRIC_NAMES.LoginsDenied)).toBe(1);
    expect(metrics.publishCount).toBe(1);
    expect(log.entries.find((entry) => entry.message === "Sign-in denied")?.attributes).toEqual({
      reason: expect.any(String),
      cognitoUserName: "google_1234567890",
    });
  });

  it("lets an unverified email in when REQUIRE_VERIFIED_EMAIL is false", async () => {
    identityStore.on(DescribeUserCommand).resolves(ownedUser());
    const { handler } = setup({ requireVerifiedEmail: false });
    const result = await handler(linkedEvent({ userAttributes: { email_verified: "false" } }), context());
    expect(addedClaims(result).id).toEqual(bothClaims);
  });

  it("treats emails from TRUSTED_EMAIL_PROVIDERS (read from the identities attribute) as verified", async () => {
    identityStore.on(DescribeUserCommand).resolves(ownedUser());
    const okta =
      '[{"userId":"00u1","providerName":"Okta","providerType":"SAML","issuer":"http://www.okta.com/x","primary":true,"dateCreated":1700000000000}]';
    const event = linkedEvent({ userAttributes: { email_verified: undefined, identities: okta } });
    await expect(setup().handler(event, context())).rejects.toThrow("not verified");
    const trusted = setup({ trustedEmailProviders: new Set(["Okta"]) });
    expect(addedClaims(await trusted.handler(event, context())).id).toEqual(bothClaims);
  });

  it("rejects an invalid event before calling AWS", async () => {
    const { handler, metrics } = setup({ onSyncFailure: "allow" });
    await expect(handler({ ...preTokenEvent(), version: "1" }, context())).rejects.toThrow(InvalidEventError);
    expect(identityStore.calls()).toHaveLength(0);
    expect(metrics.total(METRIC_NAMES.LoginsDenied)).toBe(1);
  });

  it("denies an identity conflict whatever ON_SYNC_FAILURE says (retrying cannot help)", async () => {
    identityStore.on(DescribeUserCommand).resolves(ownedUser({ UserName: "jdoe", UserType: undefined }));
    const { handler, metrics } = setup({ onSyncFailure: "allow" });
    const attempt = handler(linkedEvent(), context());
    await expect(attempt).rejects.toThrow(LoginDeniedError);
    await expect(attempt).rejects.toThrow(`user id ${USER_ID}`);
    expect(identityStore).not.toHaveReceivedCommand(UpdateUserCommand);
    expect(metrics.total(METRIC_NAMES.SyncFailures)).toBe(0);
  });
});

describe("Identity Store failures", () => {
  it("a transient failure (ON_SYNC_FAILURE=deny) asks the person to try again, logged as transient", async () => {
    identityStore
      .on(GetUserIdCommand)
      .rejects(new InternalServerException({ message: "boom", $metadata: { httpStatusCode: 500 } }));
    const { handler, metrics, log } = setup({ onSyncFailure: "deny" });

    const attempt = handler(preTokenEvent(), context());

    await expect(attempt).rejects.toThrow(SyncFailedError);
    await expect(attempt).rejects.toThrow(
      "Sign-in could not be completed: your account could not be provisioned in AWS IAM Identity Center. Please try again in a moment.",
    );
    expect(metrics.total(METRIC_NAMES.SyncFailures)).toBe(1);
    expect(metrics.total(METRIC_NAMES.LoginsDenied)).toBe(1);
    expect(
      log.entries.find((entry) => entry.message === "Identity Store sync failed")?.attributes,
    ).toMatchObject({
      userName: USER_NAME,
      onSyncFailure: "deny",
      errorName: "InternalServerException",
      errorKind: "transient",
    });
  });

  it("a permanent failure (access denied) never says 'try again', and no response body is logged or shown", async () => {
    identityStore.on(GetUserIdCommand).rejects(
      new AccessDeniedException({
        message: "User: arn:aws:sts::111111111111:assumed-role/jit/fn is not authorized SECRET-BODY",
        $metadata: { httpStatusCode: 400, requestId: "req-1" },
      }),
    );
    const { handler, log } = setup();

    const error = (await handler(preTokenEvent(), context()).catch((caught: unknown) => caught)) as Error;

    expect(error).toBeInstanceOf(SyncFailedError);
    expect(error.message).toBe(
      "Sign-in could not be completed: your account could not be provisioned in AWS IAM Identity Center because of a configuration problem. Please contact your administrator.",
    );
    expect(error.message).not.toContain("try again");
    expect(
      log.entries.find((entry) => entry.message === "Identity Store sync failed")?.attributes,
    ).toMatchObject({
      errorName: "AccessDeniedException",
      errorKind: "permanent",
      requestId: "req-1",
    });
    expect(log.text()).not.toContain("SECRET-BODY");
    expect(log.text()).not.toContain("arn:aws:sts");
  });

  it("ON_SYNC_FAILURE=allow: returns the event without the claims", async () => {
    identityStore
      .on(GetUserIdCommand)
      .rejects(new InternalServerException({ message: "boom", $metadata: {} }));
    const { handler, metrics } = setup({ onSyncFailure: "allow" });
    const event = preTokenEvent();

    const result = await handler(event, context());

    expect(result).toBe(event);
    expect(addedClaims(result)).toEqual({ id: undefined, access: undefined });
    expect(metrics.total(METRIC_NAMES.SyncFailures)).toBe(1);
    expect(metrics.total(METRIC_NAMES.LoginsDenied)).toBe(0);
  });

  it.each(["deny", "allow"] as const)(
    "settles per ON_SYNC_FAILURE=%s when the Identity Store never answers, aborting the call",
    async (onSyncFailure) => {
      identityStore.on(GetUserIdCommand).callsFake(() => new Promise(() => undefined));
      const { handler } = setup({ onSyncFailure });

      // 600 ms left - 500 ms safety margin = 100 ms budget.
      const attempt = handler(preTokenEvent(), context(600));

      if (onSyncFailure === "deny") {
        const error = await attempt.then(
          () => undefined,
          (rejection: unknown) => rejection,
        );
        expect(error).toBeInstanceOf(SyncFailedError);
        expect((error as SyncFailedError).kind).toBe("transient");
        expect((error as Error).cause).toBeInstanceOf(DeadlineExceededError);
      } else {
        expect(addedClaims(await attempt)).toEqual({ id: undefined, access: undefined });
      }
      const options = (identityStore.call(0).args as unknown[])[1] as
        { abortSignal?: AbortSignal } | undefined;
      expect(options?.abortSignal?.aborted).toBe(true);
      expect(options?.abortSignal?.reason).toBeInstanceOf(DeadlineExceededError);
    },
  );

  it("shortens the first invocation's budget by the cold start", async () => {
    identityStore.on(GetUserIdCommand).callsFake(() => new Promise(() => undefined));
    const { log } = setup();
    const handler = createHandler({
      config: testConfig(),
      client: new IdentitystoreClient({ region: "eu-west-1" }),
      linkKeys: testLinkKeys(),
      log,
      metrics: new RecordingMetrics<MetricName>(),
      coldStartMs: () => 3900,
    });
    await expect(handler(preTokenEvent(), context())).rejects.toThrow(SyncFailedError);
    expect(
      log.entries.find((entry) => entry.message === "Identity Store sync failed")?.attributes,
    ).toMatchObject({
      budgetMs: 100,
    });
  });

  it("passes an abort signal to every Identity Store call", async () => {
    identityStore.on(GetUserIdCommand).rejects(userNotFound());
    identityStore.on(CreateUserCommand).resolves({ UserId: USER_ID });
    identityStore.on(CreateGroupMembershipCommand).resolves({ MembershipId: "m-1" });
    const { handler } = setup({ groupMap: new Map([["admins", G_ADMINS]]) });
    await handler(preTokenEvent({ groups: ["admins"] }), context());
    expect(identityStore.calls()).toHaveLength(3);
    for (const call of identityStore.calls()) {
      expect(
        ((call.args as unknown[])[1] as { abortSignal?: unknown } | undefined)?.abortSignal,
      ).toBeInstanceOf(AbortSignal);
    }
  });

  it("publishes metrics exactly once per invocation, also when it throws", async () => {
    identityStore.on(GetUserIdCommand).rejects(new Error("socket hang up"));
    const { handler, metrics } = setup();
    await expect(handler(preTokenEvent(), context())).rejects.toThrow(SyncFailedError);
    expect(metrics.publishCount).toBe(1);
    expect(metrics.pending).toBe(0);
  });

  it("never logs the attribute set", async () => {
    identityStore.on(GetUserIdCommand).rejects(new Error("down"));
    const { handler, log } = setup();
    await expect(handler(preTokenEvent(), context())).rejects.toThrow();
    await expect(
      handler(preTokenEvent({ userAttributes: { email_verified: "false" } }), context()),
    ).rejects.toThrow();
    expect(log.entries.length).toBeGreaterThan(0);
    expect(log.text()).not.toContain(SENSITIVE_MARKER);
    expect(log.text()).not.toContain("identities");
  });
});

describe("group sync", () => {
  /** One of the person's memberships as ListGroupMembershipsForMember returns it. */
  const membership = (membershipId: string, groupId: string) => ({
    IdentityStoreId: STORE_ID,
    MembershipId: membershipId,
    GroupId: groupId,
    MemberId: { UserId: USER_ID },
  });
  const groupMap = new Map([
    ["admins", G_ADMINS],
    ["readers", G_READERS],
  ]);

  beforeEach(() => {
    identityStore.on(DescribeUserCommand).resolves(ownedUser());
  });

  it("adds mapped groups the person is in, removes mapped groups they left, never touches unmapped groups", async () => {
    identityStore.on(ListGroupMembershipsForMemberCommand).resolves({
      GroupMemberships: [membership("m-readers", G_READERS), membership("m-unmapped", G_UNMAPPED)],
    });
    identityStore.on(CreateGroupMembershipCommand).resolves({ MembershipId: "m-admins" });
    identityStore.on(DeleteGroupMembershipCommand).resolves({});
    const { handler, metrics, log } = setup({ groupMap });

    const result = await handler(linkedEvent({ groups: ["admins", "not-mapped"] }), context());

    expect(addedClaims(result).id).toEqual(bothClaims);
    expect(identityStore).toHaveReceivedCommandTimes(ListGroupMembershipsForMemberCommand, 1);
    expect(
      identityStore.commandCalls(CreateGroupMembershipCommand).map((call) => call.args[0].input),
    ).toEqual([{ IdentityStoreId: STORE_ID, GroupId: G_ADMINS, MemberId: { UserId: USER_ID } }]);
    expect(
      identityStore.commandCalls(DeleteGroupMembershipCommand).map((call) => call.args[0].input),
    ).toEqual([{ IdentityStoreId: STORE_ID, MembershipId: "m-readers" }]);
    expect(metrics.total(METRIC_NAMES.GroupMembershipsAdded)).toBe(1);
    expect(metrics.total(METRIC_NAMES.GroupMembershipsRemoved)).toBe(1);
    expect(log.entries).toContainEqual({
      level: "info",
      message: "Group memberships synchronised",
      attributes: { userId: USER_ID, groupsAdded: [G_ADMINS], groupsRemoved: [G_READERS] },
    });
  });

  it("unions the GROUPS_ATTRIBUTE values with cognito:groups before mapping", async () => {
    identityStore.on(ListGroupMembershipsForMemberCommand).resolves({ GroupMemberships: [] });
    identityStore.on(CreateGroupMembershipCommand).resolves({ MembershipId: "m" });
    const { handler } = setup({ groupMap, groupsAttribute: "custom:groups" });

    await handler(
      linkedEvent({ groups: ["admins"], userAttributes: { "custom:groups": "[readers, Not Admins]" } }),
      context(),
    );

    expect(
      identityStore
        .commandCalls(CreateGroupMembershipCommand)
        .map((call) => call.args[0].input.GroupId)
        .sort(),
    ).toEqual([G_ADMINS, G_READERS].sort());
  });

  it("skips a mapped group that no longer exists, logs its id, counts it, and signs the person in", async () => {
    identityStore.on(ListGroupMembershipsForMemberCommand).resolves({ GroupMemberships: [] });
    identityStore
      .on(CreateGroupMembershipCommand, { GroupId: G_ADMINS })
      .rejects(
        new ResourceNotFoundException({
          message: "GROUP not found.",
          $metadata: {},
          ResourceType: "GROUP",
          ResourceId: G_ADMINS,
        }),
      )
      .on(CreateGroupMembershipCommand, { GroupId: G_READERS })
      .resolves({ MembershipId: "m" });
    const { handler, metrics, log } = setup({ groupMap });

    const result = await handler(linkedEvent({ groups: ["admins", "readers"] }), context());

    expect(addedClaims(result).id).toEqual(bothClaims);
    expect(metrics.total(METRIC_NAMES.MappedGroupsMissing)).toBe(1);
    expect(metrics.total(METRIC_NAMES.GroupMembershipsAdded)).toBe(1);
    expect(metrics.total(METRIC_NAMES.SyncFailures)).toBe(0);
    expect(log.entries).toContainEqual({
      level: "warn",
      message: "A mapped IdC group no longer exists: skipped (fix GROUP_MAP)",
      attributes: { groupId: G_ADMINS },
    });
  });

  it("changes nothing when memberships already match", async () => {
    identityStore.on(ListGroupMembershipsForMemberCommand).resolves({
      GroupMemberships: [membership("m-admins", G_ADMINS)],
    });
    const { handler } = setup({ groupMap });
    await handler(linkedEvent({ groups: ["admins"] }), context());
    expect(identityStore.calls()).toHaveLength(2);
  });

  it("reads every page of memberships", async () => {
    identityStore
      .on(ListGroupMembershipsForMemberCommand)
      .resolvesOnce({ GroupMemberships: [membership("m-unmapped", G_UNMAPPED)], NextToken: "page-2" })
      .resolvesOnce({ GroupMemberships: [membership("m-readers", G_READERS)] });
    identityStore.on(DeleteGroupMembershipCommand).resolves({});
    const { handler } = setup({ groupMap });

    await handler(linkedEvent({ groups: [] }), context());

    expect(
      identityStore.commandCalls(ListGroupMembershipsForMemberCommand).map((c) => c.args[0].input.NextToken),
    ).toEqual([undefined, "page-2"]);
    expect(
      identityStore.commandCalls(DeleteGroupMembershipCommand).map((c) => c.args[0].input.MembershipId),
    ).toEqual(["m-readers"]);
  });

  it("treats ConflictException on add and ResourceNotFoundException on delete as success (a concurrent sign-in did it)", async () => {
    identityStore.on(ListGroupMembershipsForMemberCommand).resolves({
      GroupMemberships: [membership("m-readers", G_READERS)],
    });
    identityStore.on(CreateGroupMembershipCommand).rejects(conflict());
    identityStore
      .on(DeleteGroupMembershipCommand)
      .rejects(
        new ResourceNotFoundException({ message: "gone", $metadata: {}, ResourceType: "GROUP_MEMBERSHIP" }),
      );
    const { handler, metrics } = setup({ groupMap });

    const result = await handler(linkedEvent({ groups: ["admins"] }), context());

    expect(addedClaims(result).id).toEqual(bothClaims);
    expect(metrics.total(METRIC_NAMES.GroupMembershipsAdded)).toBe(0);
    expect(metrics.total(METRIC_NAMES.GroupMembershipsRemoved)).toBe(0);
    expect(metrics.total(METRIC_NAMES.SyncFailures)).toBe(0);
  });

  it("skips the membership listing for a person it just created", async () => {
    identityStore.reset();
    identityStore.on(GetUserIdCommand).rejects(userNotFound());
    identityStore.on(CreateUserCommand).resolves({ UserId: USER_ID });
    identityStore.on(CreateGroupMembershipCommand).resolves({ MembershipId: "m" });
    const { handler } = setup({ groupMap });

    await handler(preTokenEvent({ groups: ["readers", "admins"] }), context());

    expect(identityStore).not.toHaveReceivedCommand(ListGroupMembershipsForMemberCommand);
    expect(
      identityStore
        .commandCalls(CreateGroupMembershipCommand)
        .map((c) => c.args[0].input.GroupId)
        .sort(),
    ).toEqual([G_ADMINS, G_READERS].sort());
  });

  it("is a sync failure when a membership change fails (and counts the changes that succeeded)", async () => {
    identityStore.on(ListGroupMembershipsForMemberCommand).resolves({
      GroupMemberships: [membership("m-readers", G_READERS)],
    });
    identityStore
      .on(CreateGroupMembershipCommand)
      .rejects(new AccessDeniedException({ message: "no", $metadata: {} }));
    identityStore.on(DeleteGroupMembershipCommand).resolves({});
    const { handler, metrics } = setup({ groupMap, onSyncFailure: "allow" });

    const result = await handler(linkedEvent({ groups: ["admins"] }), context());

    expect(addedClaims(result)).toEqual({ id: undefined, access: undefined });
    expect(metrics.total(METRIC_NAMES.GroupMembershipsRemoved)).toBe(1);
    expect(metrics.total(METRIC_NAMES.SyncFailures)).toBe(1);
  });
});
