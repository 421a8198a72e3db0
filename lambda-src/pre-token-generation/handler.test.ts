import {
  ConflictException,
  CreateGroupMembershipCommand,
  CreateUserCommand,
  DeleteGroupMembershipCommand,
  GetUserIdCommand,
  IdentitystoreClient,
  InternalServerException,
  ListGroupMembershipsForMemberCommand,
  ResourceNotFoundException,
  AccessDeniedException,
} from "@aws-sdk/client-identitystore";
import { mockClient } from "aws-sdk-client-mock";
import type { Config } from "./config";
import { DeadlineExceededError } from "../shared/deadline";
import { InvalidEventError, LoginDeniedError, SyncFailedError } from "./errors";
import { USER_TRIGGER_SOURCES } from "./event";
import { createHandler } from "./handler";
import { METRIC_NAMES, type MetricName } from "./metric-names";
import { addedClaims, preTokenEvent, SENSITIVE_MARKER } from "./test-support/events";
import { RecordingLog, RecordingMetrics } from "../shared/test-support/telemetry";

const identityStore = mockClient(IdentitystoreClient);

const STORE_ID = "d-1234567890";
const USER_ID = "9067d8b2-1071-70e3-4e1c-000000000001";
const G_ADMINS = "9067d8b2-1071-70e3-4e1c-0000000000a1";
const G_READERS = "9067d8b2-1071-70e3-4e1c-0000000000a2";
const G_UNMAPPED = "9067d8b2-1071-70e3-4e1c-0000000000ff";

const baseConfig: Config = {
  identityStoreId: STORE_ID,
  identityStoreRegion: "eu-west-1",
  requireVerifiedEmail: true,
  onSyncFailure: "deny",
  groupMap: new Map(),
  metricsNamespace: "IdcOidcBridge",
  serviceName: "pre-token-generation",
};

const userNotFound = (): ResourceNotFoundException =>
  new ResourceNotFoundException({ message: "USER not found.", $metadata: {}, ResourceType: "USER" });
const conflict = (): ConflictException =>
  new ConflictException({ message: "Duplicate", $metadata: {}, Reason: "UNIQUENESS_CONSTRAINT_VIOLATION" });

function setup(overrides: Partial<Config> = {}) {
  const log = new RecordingLog();
  const metrics = new RecordingMetrics<MetricName>();
  const handler = createHandler({
    config: { ...baseConfig, ...overrides },
    client: new IdentitystoreClient({ region: "eu-west-1" }),
    log,
    metrics,
  });
  return { handler, log, metrics };
}

const context = (remainingMs = 5000) => ({ getRemainingTimeInMillis: () => remainingMs });

beforeEach(() => identityStore.reset());

describe("user resolution", () => {
  it("creates a new person with the lowercased email and derived names, and adds the claim to both tokens", async () => {
    identityStore.on(GetUserIdCommand).rejects(userNotFound());
    identityStore.on(CreateUserCommand).resolves({ IdentityStoreId: STORE_ID, UserId: USER_ID });
    const { handler, metrics, log } = setup();
    const event = preTokenEvent();

    const result = await handler(event, context());

    expect(result).toBe(event);
    expect(addedClaims(result)).toEqual({
      id: { identity_store_user_id: USER_ID },
      access: { identity_store_user_id: USER_ID },
    });
    expect(identityStore).toHaveReceivedCommandWith(GetUserIdCommand, {
      IdentityStoreId: STORE_ID,
      AlternateIdentifier: {
        UniqueAttribute: { AttributePath: "userName", AttributeValue: "john.doe@example.com" },
      },
    });
    expect(identityStore.commandCalls(CreateUserCommand).map((call) => call.args[0].input)).toEqual([
      {
        IdentityStoreId: STORE_ID,
        UserName: "john.doe@example.com",
        DisplayName: "John Doe",
        Name: { GivenName: "John", FamilyName: "Doe" },
        Emails: [{ Value: "john.doe@example.com", Type: "work", Primary: true }],
      },
    ]);
    expect(identityStore.calls()).toHaveLength(2);
    expect(metrics.total(METRIC_NAMES.UsersCreated)).toBe(1);
    expect(metrics.count(METRIC_NAMES.IdentityStoreLatency)).toBe(2);
    expect(log.entries).toContainEqual({
      level: "info",
      message: "Identity Store user created",
      attributes: { userName: "john.doe@example.com", userId: USER_ID },
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

  it("costs exactly one Identity Store call for a known person when group sync is off", async () => {
    identityStore.on(GetUserIdCommand).resolves({ IdentityStoreId: STORE_ID, UserId: USER_ID });
    const { handler, metrics } = setup();

    const result = await handler(preTokenEvent(), context());

    expect(identityStore.calls()).toHaveLength(1);
    expect(addedClaims(result).id).toEqual({ identity_store_user_id: USER_ID });
    expect(metrics.total(METRIC_NAMES.UsersFound)).toBe(1);
    expect(metrics.total(METRIC_NAMES.UsersCreated)).toBe(0);
  });

  it("on ConflictException looks the person up again and uses that id", async () => {
    identityStore
      .on(GetUserIdCommand)
      .rejectsOnce(userNotFound())
      .resolves({ IdentityStoreId: STORE_ID, UserId: "winner-id" });
    identityStore.on(CreateUserCommand).rejects(conflict());
    const { handler, metrics } = setup();

    const result = await handler(preTokenEvent(), context());

    expect(addedClaims(result).access).toEqual({ identity_store_user_id: "winner-id" });
    expect(identityStore).toHaveReceivedCommandTimes(GetUserIdCommand, 2);
    expect(identityStore).toHaveReceivedCommandTimes(CreateUserCommand, 1);
    expect(metrics.total(METRIC_NAMES.ConflictsResolved)).toBe(1);
  });

  it("fails the sync when the conflicting user cannot be found either", async () => {
    identityStore.on(GetUserIdCommand).rejects(userNotFound());
    identityStore.on(CreateUserCommand).rejects(conflict());
    const { handler, metrics } = setup();
    await expect(handler(preTokenEvent(), context())).rejects.toThrow(SyncFailedError);
    expect(metrics.total(METRIC_NAMES.SyncFailures)).toBe(1);
  });

  it("does not mistake a missing identity store for a new person", async () => {
    identityStore
      .on(GetUserIdCommand)
      .rejects(
        new ResourceNotFoundException({ message: "nope", $metadata: {}, ResourceType: "IDENTITY_STORE" }),
      );
    const { handler } = setup();
    await expect(handler(preTokenEvent(), context())).rejects.toThrow(SyncFailedError);
    expect(identityStore).not.toHaveReceivedCommand(CreateUserCommand);
  });

  it.each(USER_TRIGGER_SOURCES)("handles the %s trigger source", async (triggerSource) => {
    identityStore.on(GetUserIdCommand).resolves({ UserId: USER_ID });
    const { handler } = setup();
    const result = await handler(preTokenEvent({ triggerSource }), context());
    expect(addedClaims(result).id).toEqual({ identity_store_user_id: USER_ID });
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
    identityStore.on(GetUserIdCommand).resolves({ UserId: USER_ID });
    const { handler } = setup();
    const response = {
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: { claimsToAddOrOverride: { team: "blue" }, claimsToSuppress: ["phone_number"] },
        accessTokenGeneration: { scopesToAdd: ["api/read"] },
      },
    };
    const result = await handler(preTokenEvent({ response }), context());
    expect((result as { response: unknown }).response).toEqual({
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: {
          claimsToAddOrOverride: { team: "blue", identity_store_user_id: USER_ID },
          claimsToSuppress: ["phone_number"],
        },
        accessTokenGeneration: {
          scopesToAdd: ["api/read"],
          claimsToAddOrOverride: { identity_store_user_id: USER_ID },
        },
      },
    });
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
      "an email that cannot be a user name",
      { email: "a b@example.com" },
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
    identityStore.on(GetUserIdCommand).resolves({ UserId: USER_ID });
    const { handler } = setup({ requireVerifiedEmail: false });
    const result = await handler(preTokenEvent({ userAttributes: { email_verified: "false" } }), context());
    expect(addedClaims(result).id).toEqual({ identity_store_user_id: USER_ID });
  });

  it("rejects an invalid event before calling AWS", async () => {
    const { handler, metrics } = setup({ onSyncFailure: "allow" });
    await expect(handler({ ...preTokenEvent(), version: "1" }, context())).rejects.toThrow(InvalidEventError);
    expect(identityStore.calls()).toHaveLength(0);
    expect(metrics.total(METRIC_NAMES.LoginsDenied)).toBe(1);
  });
});

describe("Identity Store failures", () => {
  it("ON_SYNC_FAILURE=deny: fails the sign-in with a clear message", async () => {
    identityStore
      .on(GetUserIdCommand)
      .rejects(new InternalServerException({ message: "boom", $metadata: {} }));
    const { handler, metrics, log } = setup({ onSyncFailure: "deny" });

    const attempt = handler(preTokenEvent(), context());

    await expect(attempt).rejects.toThrow(SyncFailedError);
    await expect(attempt).rejects.toThrow(
      "Sign-in could not be completed: your account could not be provisioned in AWS IAM Identity Center.",
    );
    expect(metrics.total(METRIC_NAMES.SyncFailures)).toBe(1);
    expect(metrics.total(METRIC_NAMES.LoginsDenied)).toBe(1);
    expect(
      log.entries.find((entry) => entry.message === "Identity Store sync failed")?.attributes,
    ).toMatchObject({
      userName: "john.doe@example.com",
      onSyncFailure: "deny",
      errorName: "InternalServerException",
    });
  });

  it("ON_SYNC_FAILURE=allow: returns the event without the claim", async () => {
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

  it("passes an abort signal to every Identity Store call", async () => {
    identityStore.on(GetUserIdCommand).rejects(userNotFound());
    identityStore.on(CreateUserCommand).resolves({ UserId: USER_ID });
    const { handler } = setup({ groupMap: new Map([["admins", G_ADMINS]]) });
    identityStore.on(CreateGroupMembershipCommand).resolves({ MembershipId: "m-1" });
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
    identityStore.on(GetUserIdCommand).resolves({ UserId: USER_ID });
  });

  it("adds mapped groups the person is in, removes mapped groups they left, never touches unmapped groups", async () => {
    identityStore.on(ListGroupMembershipsForMemberCommand).resolves({
      GroupMemberships: [membership("m-readers", G_READERS), membership("m-unmapped", G_UNMAPPED)],
    });
    identityStore.on(CreateGroupMembershipCommand).resolves({ MembershipId: "m-admins" });
    identityStore.on(DeleteGroupMembershipCommand).resolves({});
    const { handler, metrics, log } = setup({ groupMap });

    const result = await handler(preTokenEvent({ groups: ["admins", "not-mapped"] }), context());

    expect(addedClaims(result).id).toEqual({ identity_store_user_id: USER_ID });
    expect(identityStore).toHaveReceivedCommandTimes(ListGroupMembershipsForMemberCommand, 1);
    expect(identityStore).toHaveReceivedCommandWith(ListGroupMembershipsForMemberCommand, {
      IdentityStoreId: STORE_ID,
      MemberId: { UserId: USER_ID },
    });
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

  it("changes nothing when memberships already match", async () => {
    identityStore.on(ListGroupMembershipsForMemberCommand).resolves({
      GroupMemberships: [membership("m-admins", G_ADMINS)],
    });
    const { handler } = setup({ groupMap });
    await handler(preTokenEvent({ groups: ["admins"] }), context());
    expect(identityStore.calls()).toHaveLength(2);
  });

  it("reads every page of memberships", async () => {
    identityStore
      .on(ListGroupMembershipsForMemberCommand)
      .resolvesOnce({
        GroupMemberships: [membership("m-unmapped", G_UNMAPPED)],
        NextToken: "page-2",
      })
      .resolvesOnce({
        GroupMemberships: [membership("m-readers", G_READERS)],
      });
    identityStore.on(DeleteGroupMembershipCommand).resolves({});
    const { handler } = setup({ groupMap });

    await handler(preTokenEvent({ groups: [] }), context());

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

    const result = await handler(preTokenEvent({ groups: ["admins"] }), context());

    expect(addedClaims(result).id).toEqual({ identity_store_user_id: USER_ID });
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

    const result = await handler(preTokenEvent({ groups: ["admins"] }), context());

    expect(addedClaims(result)).toEqual({ id: undefined, access: undefined });
    expect(metrics.total(METRIC_NAMES.GroupMembershipsRemoved)).toBe(1);
    expect(metrics.total(METRIC_NAMES.SyncFailures)).toBe(1);
  });
});
