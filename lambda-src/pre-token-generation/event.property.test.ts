/**
 * Property-based tests of event validation and of the whole handler on arbitrary input: it never
 * crashes with anything but the intended errors, and never sends an invalid CreateUser request.
 */
import {
  CreateUserCommand,
  GetUserIdCommand,
  IdentitystoreClient,
  ResourceNotFoundException,
  type CreateUserCommandInput,
} from "@aws-sdk/client-identitystore";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { InvalidEventError, LoginDeniedError } from "./errors";
import { parseEvent, USER_TRIGGER_SOURCES } from "./event";
import { createHandler } from "./handler";
import { mockKms, testLinkKeys } from "../shared/test-support/link";
import { anyChar, anyEmail, anyText } from "./test-support/arbitraries";
import { addedClaims } from "./test-support/events";
import { RecordingLog, RecordingMetrics } from "../shared/test-support/telemetry";
import { testConfig } from "./test-support/config";
import { NAME_MAX_LENGTH, NAME_PATTERN, USER_NAME_MAX_LENGTH, USER_NAME_PATTERN } from "./text";

/** Attribute values: hostile text mostly, sometimes a non-string or absent. */
const attributeValue = fc.oneof(
  { weight: 6, arbitrary: anyText },
  { weight: 1, arbitrary: fc.anything() },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

/** A structurally valid V2 event whose attribute values and group names are hostile. */
const wellFormedEvent = fc.record({
  version: fc.constant("2"),
  triggerSource: fc.constantFrom(...USER_TRIGGER_SOURCES),
  userName: anyText,
  request: fc.record({
    userAttributes: fc.record(
      {
        email: fc.oneof(
          { weight: 4, arbitrary: fc.emailAddress({ size: "small" }) },
          { weight: 2, arbitrary: fc.emailAddress({ size: "small" }).map((email) => email.toUpperCase()) },
          { weight: 3, arbitrary: anyEmail },
          { weight: 1, arbitrary: attributeValue },
        ),
        email_verified: fc.oneof(
          { weight: 9, arbitrary: fc.constant("true") },
          fc.constantFrom("false", "True", ""),
        ),
        given_name: anyText,
        family_name: anyText,
        name: anyText,
      },
      { requiredKeys: ["email", "email_verified"] },
    ),
    groupConfiguration: fc.record({
      groupsToOverride: fc.array(fc.string({ unit: anyChar, minLength: 1, maxLength: 30 }), { maxLength: 5 }),
    }),
  }),
  response: fc.oneof(
    fc.constant({ claimsAndScopeOverrideDetails: null }),
    fc.record({
      claimsAndScopeOverrideDetails: fc.record(
        {
          idTokenGeneration: fc.record({ claimsToAddOrOverride: fc.dictionary(fc.string(), fc.jsonValue()) }),
          accessTokenGeneration: fc.constantFrom(null, {}),
        },
        { requiredKeys: [] },
      ),
    }),
  ),
});

/** A plausible event with any part possibly replaced by anything. */
const mangledEvent = fc.record(
  {
    version: fc.oneof(fc.constantFrom("1", "2", "3", 2, ""), fc.anything()),
    triggerSource: fc.oneof(
      fc.constantFrom(...USER_TRIGGER_SOURCES, "TokenGeneration_ClientCredentials", "PreSignUp_SignUp"),
      fc.anything(),
    ),
    request: fc.oneof(
      fc.record({
        userAttributes: fc.oneof(
          fc.dictionary(fc.constantFrom("email", "email_verified", "name"), attributeValue),
          fc.anything(),
        ),
        groupConfiguration: fc.oneof(fc.record({ groupsToOverride: fc.anything() }), fc.anything()),
      }),
      fc.anything(),
    ),
    response: fc.oneof(
      fc.record({
        claimsAndScopeOverrideDetails: fc.oneof(
          fc.record(
            { idTokenGeneration: fc.anything(), accessTokenGeneration: fc.anything() },
            { requiredKeys: [] },
          ),
          fc.anything(),
        ),
      }),
      fc.anything(),
    ),
  },
  { requiredKeys: [] },
);

const anyEvent = fc.oneof(
  { weight: 6, arbitrary: wellFormedEvent },
  { weight: 3, arbitrary: mangledEvent },
  { weight: 1, arbitrary: fc.anything() },
);

function expectValidCreateUser(input: CreateUserCommandInput): void {
  const userName = input.UserName ?? "";
  expect(userName).toBe(userName.toLowerCase());
  expect(userName.length).toBeGreaterThan(0);
  expect(userName.length).toBeLessThanOrEqual(USER_NAME_MAX_LENGTH);
  expect(userName).toMatch(USER_NAME_PATTERN);
  for (const name of [input.DisplayName, input.Name?.GivenName, input.Name?.FamilyName]) {
    expect(typeof name).toBe("string");
    expect((name as string).length).toBeGreaterThan(0);
    expect((name as string).length).toBeLessThanOrEqual(NAME_MAX_LENGTH);
    expect(name).toMatch(NAME_PATTERN);
  }
  expect(input.Emails).toEqual([{ Value: userName, Type: "work", Primary: true }]);
}

describe("parseEvent (property-based)", () => {
  it("either parses or throws InvalidEventError, for any input", () => {
    fc.assert(
      fc.property(anyEvent, (input) => {
        try {
          const parsed = parseEvent(input);
          expect(parsed.event).toBe(input);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidEventError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe("handler (property-based)", () => {
  const identityStore = mockClient(IdentitystoreClient);
  mockKms();
  afterAll(() => identityStore.restore());

  it("settles with the event or an intended error, and only sends valid CreateUser requests", async () => {
    await fc.assert(
      fc.asyncProperty(anyEvent, fc.boolean(), async (input, requireVerifiedEmail) => {
        identityStore.reset();
        identityStore.on(GetUserIdCommand).rejects(
          new ResourceNotFoundException({
            message: "USER not found.",
            $metadata: {},
            ResourceType: "USER",
          }),
        );
        identityStore.on(CreateUserCommand).resolves({ UserId: "9067d8b2-1071-70e3-4e1c-000000000001" });
        const handler = createHandler({
          config: testConfig({ requireVerifiedEmail }),
          client: new IdentitystoreClient({ region: "eu-west-1" }),
          linkKeys: testLinkKeys(),
          log: new RecordingLog(),
          metrics: new RecordingMetrics(),
        });

        let result: unknown;
        try {
          result = await handler(input, { getRemainingTimeInMillis: () => 5000 });
        } catch (error) {
          expect([InvalidEventError, LoginDeniedError].some((type) => error instanceof type)).toBe(true);
          expect(identityStore.calls()).toHaveLength(0);
          return;
        }
        expect(result).toBe(input);
        const creates = identityStore.commandCalls(CreateUserCommand);
        for (const call of creates) expectValidCreateUser(call.args[0].input);
        if (creates.length > 0) {
          const claims = addedClaims(result);
          expect(claims.id?.identity_store_user_id).toBe("9067d8b2-1071-70e3-4e1c-000000000001");
          expect(claims.access?.identity_store_user_id).toBe("9067d8b2-1071-70e3-4e1c-000000000001");
        }
      }),
      { numRuns: 300 },
    );
  });
});
