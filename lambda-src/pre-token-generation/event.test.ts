import { InvalidEventError } from "./errors";
import { addClaims, parseEvent, USER_TRIGGER_SOURCES, type MutableEvent } from "./event";
import { preTokenEvent } from "./test-support/events";

function invalid(input: unknown): string {
  try {
    parseEvent(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventError);
    return (error as Error).message;
  }
  throw new Error("expected an InvalidEventError");
}

function withPath(path: string[], value: unknown): unknown {
  const event = preTokenEvent() as unknown as Record<string, unknown>;
  let node = event;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1]] = value;
  return event;
}

describe("parseEvent", () => {
  it.each(USER_TRIGGER_SOURCES)("accepts the V2 trigger source %s", (triggerSource) => {
    const parsed = parseEvent(preTokenEvent({ triggerSource, groups: ["admins"] }));
    expect(parsed).toMatchObject({
      kind: "user",
      triggerSource,
      groups: ["admins"],
      attributes: { email: "John.Doe@Example.com", emailVerified: "true" },
    });
  });

  it("accepts a V3 event for a person", () => {
    expect(parseEvent({ ...preTokenEvent(), version: "3" }).kind).toBe("user");
  });

  it("passes machine-to-machine (client credentials) events through", () => {
    const event = {
      version: "3",
      triggerSource: "TokenGeneration_ClientCredentials",
      request: {},
      response: {},
    };
    expect(parseEvent(event)).toEqual({ kind: "machine", event });
  });

  it("treats a missing group configuration as no groups", () => {
    const event = preTokenEvent() as unknown as { request: Record<string, unknown> };
    delete event.request.groupConfiguration;
    expect(parseEvent(event)).toMatchObject({ groups: [] });
  });

  it("creates a missing response object", () => {
    const event = preTokenEvent() as unknown as Record<string, unknown>;
    delete event.response;
    const parsed = parseEvent(event);
    expect(parsed.event.response).toEqual({});
  });

  const cases: Array<[unknown, string]> = [
    [null, "the event must be a JSON object"],
    [[], "the event must be a JSON object"],
    ["event", "the event must be a JSON object"],
    [
      { ...preTokenEvent(), version: "1" },
      'version must be "2": configure the user pool\'s pre token generation trigger with LambdaVersion V2_0',
    ],
    [{ ...preTokenEvent(), version: 2 }, 'version must be "2"'],
    [
      { ...preTokenEvent(), triggerSource: "PreSignUp_SignUp" },
      'unsupported triggerSource "PreSignUp_SignUp"',
    ],
    [{ ...preTokenEvent(), triggerSource: undefined }, "triggerSource must be a string"],
    [withPath(["request"], "x"), "request must be an object"],
    [withPath(["request", "userAttributes"], null), "request.userAttributes must be an object"],
    [withPath(["request", "userAttributes", "email"], 42), "request.userAttributes.email must be a string"],
    [
      withPath(["request", "userAttributes", "given_name"], ["a"]),
      "request.userAttributes.given_name must be a string",
    ],
    [
      withPath(["request", "userAttributes", "name"], "n".repeat(2049)),
      "request.userAttributes.name is longer than 2048 characters",
    ],
    [
      withPath(
        ["request", "userAttributes"],
        Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`custom:a${i}`, "x"])),
      ),
      "request.userAttributes has more than 200 entries",
    ],
    [
      withPath(["request", "groupConfiguration"], "admins"),
      "request.groupConfiguration must be an object or null",
    ],
    [
      withPath(["request", "groupConfiguration", "groupsToOverride"], "admins"),
      "groupsToOverride must be an array",
    ],
    [
      withPath(["request", "groupConfiguration", "groupsToOverride"], [1]),
      "groupsToOverride must contain group names of 1-128 characters",
    ],
    [
      withPath(["request", "groupConfiguration", "groupsToOverride"], ["g".repeat(129)]),
      "group names of 1-128 characters",
    ],
    [
      withPath(["request", "groupConfiguration", "groupsToOverride"], new Array(10_001).fill("g")),
      "has more than 10000 entries",
    ],
    [withPath(["response"], "x"), "response must be an object"],
    [
      withPath(["response", "claimsAndScopeOverrideDetails"], []),
      "response.claimsAndScopeOverrideDetails must be an object or null",
    ],
    [
      withPath(["response", "claimsAndScopeOverrideDetails"], { idTokenGeneration: 1 }),
      "response.claimsAndScopeOverrideDetails.idTokenGeneration must be an object or null",
    ],
    [
      withPath(["response", "claimsAndScopeOverrideDetails"], {
        accessTokenGeneration: { claimsToAddOrOverride: "x" },
      }),
      "accessTokenGeneration.claimsToAddOrOverride must be an object or null",
    ],
  ];
  it.each(cases.map(([input, expected]) => [expected, input] as const))(
    "rejects an event: %s",
    (expected, input) => {
      const message = invalid(input);
      expect(message).toMatch(/^Invalid Pre Token Generation event: /);
      expect(message).toContain(expected);
    },
  );

  it("never reads attributes through the prototype chain", () => {
    const attributes = Object.create({ email: "inherited@example.com", email_verified: "true" }) as object;
    const parsed = parseEvent(withPath(["request", "userAttributes"], attributes));
    expect(parsed).toMatchObject({
      kind: "user",
      attributes: { email: undefined, emailVerified: undefined },
    });
  });
});

describe("addClaims", () => {
  const claim = { identity_store_user_id: "u-1" };

  it("adds the claim to both tokens when the response is empty", () => {
    const event = parseEvent(preTokenEvent()).event;
    addClaims(event, claim);
    expect(event.response).toEqual({
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: { claimsToAddOrOverride: claim },
        accessTokenGeneration: { claimsToAddOrOverride: claim },
      },
    });
  });

  it("preserves claims, suppressions, scopes and group overrides already in the response", () => {
    const response = {
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: {
          claimsToAddOrOverride: { department: "R&D" },
          claimsToSuppress: ["phone_number"],
        },
        accessTokenGeneration: {
          claimsToAddOrOverride: { tier: 3 },
          scopesToAdd: ["api/read"],
          scopesToSuppress: ["phone"],
        },
        groupOverrideDetails: { groupsToOverride: ["x"] },
      },
      somethingElse: true,
    };
    const event = parseEvent(preTokenEvent({ response })).event;
    addClaims(event, claim);
    expect(event.response).toEqual({
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: {
          claimsToAddOrOverride: { department: "R&D", ...claim },
          claimsToSuppress: ["phone_number"],
        },
        accessTokenGeneration: {
          claimsToAddOrOverride: { tier: 3, ...claim },
          scopesToAdd: ["api/read"],
          scopesToSuppress: ["phone"],
        },
        groupOverrideDetails: { groupsToOverride: ["x"] },
      },
      somethingElse: true,
    });
  });

  it("fills in token sections that are null", () => {
    const event = {
      response: { claimsAndScopeOverrideDetails: { idTokenGeneration: null } },
    } as unknown as MutableEvent;
    addClaims(event, claim);
    expect(event.response.claimsAndScopeOverrideDetails?.idTokenGeneration).toEqual({
      claimsToAddOrOverride: claim,
    });
    expect(event.response.claimsAndScopeOverrideDetails?.accessTokenGeneration).toEqual({
      claimsToAddOrOverride: claim,
    });
  });
});
