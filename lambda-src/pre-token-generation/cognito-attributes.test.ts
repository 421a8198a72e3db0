import { attributesToWrite, utcDay } from "./cognito-attributes";

const base = { link: undefined, recordLastSignIn: true, today: "2026-03-04" };

describe("attributesToWrite", () => {
  it("writes the link and its signature together, in one call with the day", () => {
    const link = { userId: "u-1", signature: "v1.sig" };
    expect(attributesToWrite({ ...base, link, recordLastSignIn: false, lastSignIn: undefined })).toEqual({
      "custom:idc_user_id": "u-1",
      "custom:idc_link_sig": "v1.sig",
    });
    expect(attributesToWrite({ ...base, link, lastSignIn: undefined })).toEqual({
      "custom:idc_user_id": "u-1",
      "custom:idc_link_sig": "v1.sig",
      "custom:idc_last_sign_in": "2026-03-04",
    });
  });

  it.each<[string | undefined, boolean]>([
    [undefined, true],
    ["", true],
    ["not a date", true],
    ["2026-03-03", true],
    ["2025-12-31", true],
    ["2026-03-04", false],
    // A clock that ran behind on another container.
    ["2026-03-05", false],
  ])("records the sign-in day when the recorded day is %j: %p", (lastSignIn, writes) => {
    expect(attributesToWrite({ ...base, lastSignIn })).toEqual(
      writes ? { "custom:idc_last_sign_in": "2026-03-04" } : {},
    );
  });

  it("writes nothing for a linked person already recorded today, or with recording off", () => {
    expect(attributesToWrite({ ...base, lastSignIn: "2026-03-04" })).toEqual({});
    expect(attributesToWrite({ ...base, recordLastSignIn: false, lastSignIn: undefined })).toEqual({});
  });
});

describe("utcDay", () => {
  it("is the UTC date, whatever the local time zone", () => {
    expect(utcDay(new Date("2026-03-04T23:30:00-05:00"))).toBe("2026-03-05");
  });
});
