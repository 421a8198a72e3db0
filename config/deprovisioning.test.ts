import { ConfigError, parseConfig } from ".";
import { exampleInput } from "../__tests__/helpers/stacks";
import { isRecurringScheduleExpression } from "./deprovisioning";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Mutable = any;

function withProvisioning(settings: Record<string, unknown>) {
  const input: Mutable = exampleInput();
  Object.assign(input.cognito.provisioning, settings);
  return input;
}

function rejection(settings: Record<string, unknown>): string {
  try {
    parseConfig(withProvisioning(settings), "test.json");
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected the config to be rejected");
}

describe("cognito.provisioning: leavers", () => {
  it("defaults to report mode, a budget of 10 users per 24 hours, no inactivity rule, daily", () => {
    const p = parseConfig(exampleInput()).cognito.provisioning;
    expect(p.deprovision).toBe("report");
    expect(p.deprovisionBudget).toEqual({ maxUsers: 10, windowHours: 24 });
    expect(p.inactiveDays).toBeUndefined();
    expect(p.deprovisionSchedule).toBe("rate(1 day)");
  });

  it("accepts every mode, a budget, an inactivity rule and a cron schedule", () => {
    for (const mode of ["report", "remove-memberships", "delete-user"]) {
      const p = parseConfig(
        withProvisioning({
          deprovision: mode,
          deprovisionBudget: { maxUsers: 25, windowHours: 720 },
          inactiveDays: 90,
          deprovisionSchedule: "cron(0 3 * * ? *)",
        }),
      ).cognito.provisioning;
      expect(p).toMatchObject({
        deprovision: mode,
        deprovisionBudget: { maxUsers: 25, windowHours: 720 },
        inactiveDays: 90,
      });
    }
    // Either key alone: the other keeps its default.
    expect(
      parseConfig(withProvisioning({ deprovisionBudget: { windowHours: 1 } })).cognito.provisioning
        .deprovisionBudget,
    ).toEqual({ maxUsers: 10, windowHours: 1 });
    expect(
      parseConfig(withProvisioning({ deprovisionBudget: { maxUsers: 1000 } })).cognito.provisioning
        .deprovisionBudget,
    ).toEqual({ maxUsers: 1000, windowHours: 24 });
  });

  it.each([3, 10, 1000, 0, "3"])(
    "refuses maxDeprovisionPerRun %j, naming its replacement cognito.provisioning.deprovisionBudget.maxUsers",
    (value) => {
      const message = rejection({ maxDeprovisionPerRun: value });
      expect(message).toContain("cognito.provisioning.maxDeprovisionPerRun");
      expect(message).toContain("replaced by cognito.provisioning.deprovisionBudget.maxUsers");
      expect(message).toContain("1 to 1000");
      expect(message).toContain(JSON.stringify(value));
    },
  );

  it.each([
    [
      { deprovision: "disable" },
      "cognito.provisioning.deprovision",
      "report, remove-memberships, delete-user",
    ],
    [
      { deprovisionBudget: { maxUsers: 0 } },
      "cognito.provisioning.deprovisionBudget.maxUsers",
      "integer from 1 to 1000",
    ],
    [
      { deprovisionBudget: { maxUsers: 1001 } },
      "cognito.provisioning.deprovisionBudget.maxUsers",
      "integer from 1 to 1000",
    ],
    [
      { deprovisionBudget: { maxUsers: 2.5 } },
      "cognito.provisioning.deprovisionBudget.maxUsers",
      "integer from 1 to 1000",
    ],
    [
      { deprovisionBudget: { maxUsers: "10" } },
      "cognito.provisioning.deprovisionBudget.maxUsers",
      "integer from 1 to 1000",
    ],
    [
      { deprovisionBudget: { windowHours: 0 } },
      "cognito.provisioning.deprovisionBudget.windowHours",
      "integer from 1 to 720 (hours)",
    ],
    [
      { deprovisionBudget: { windowHours: 721 } },
      "cognito.provisioning.deprovisionBudget.windowHours",
      "integer from 1 to 720 (hours)",
    ],
    [
      { deprovisionBudget: { maxUsers: 5, perRun: 2 } },
      "cognito.provisioning.deprovisionBudget.perRun",
      "maxUsers, windowHours",
    ],
    [{ inactiveDays: 0 }, "cognito.provisioning.inactiveDays", "1 to 3650"],
    [{ inactiveDays: "90" }, "cognito.provisioning.inactiveDays", "1 to 3650"],
    [{ deprovisionSchedule: "daily" }, "cognito.provisioning.deprovisionSchedule", "rate(<n>"],
    [
      { deprovisionSchedule: "at(2030-01-01T00:00:00)" },
      "cognito.provisioning.deprovisionSchedule",
      "recurring",
    ],
  ])("rejects %j naming the field, the value and the expected form", (settings, field, expected) => {
    const message = rejection(settings);
    expect(message).toContain(field);
    expect(message).toContain(expected);
    const value = Object.values(settings)[0]!;
    // The bad value itself (inside the budget object: the offending key's value).
    const bad = typeof value === "object" ? Object.values(value as object).at(-1) : value;
    expect(message).toContain(JSON.stringify(bad));
  });
});

describe("isRecurringScheduleExpression (EventBridge Scheduler expression rules)", () => {
  it.each([
    "rate(1 day)",
    "rate(2 days)",
    "rate(1 hour)",
    "rate(12 hours)",
    "rate(30 minutes)",
    "cron(0 3 * * ? *)",
    "cron(15 2 ? * MON-FRI *)",
    "cron(0/30 8-18 ? * 2#1 2030)",
    "cron(0 12 L * ? *)",
    "cron(0 12 15W JAN,JUL ? 2030-2035)",
    "cron(*/15 * ? * 6L *)",
  ])("accepts %s", (expression) => {
    expect(isRecurringScheduleExpression(expression)).toBe(true);
  });

  it.each([
    "rate(0 days)",
    "rate(1 days)", // plural for 1
    "rate(2 day)", // singular for more than 1
    "rate(01 day)",
    "rate(1 week)",
    "rate(1day)",
    "cron(0 3 * * *)", // five fields
    "cron(0 3 * * * *)", // neither day field is ?
    "cron(0 3 ? * ? *)", // both are
    // Out of each field's range (EventBridge Scheduler User Guide, "Cron-based schedules"): Scheduler rejects them.
    "cron(60 3 ? * MON *)",
    "cron(0 24 ? * MON *)",
    "cron(0 3 32 * ? *)",
    "cron(0 3 ? 13 * *)",
    "cron(0 3 ? * 8 *)",
    "cron(0 3 ? * FUN *)",
    "cron(0 3 * * ? 1969)",
    "cron(0 3 0 * ? *)",
    "cron(0/0 3 * * ? *)",
    "at(2030-01-01T00:00:00)",
    " rate(1 day)",
  ])("refuses %s", (expression) => {
    expect(isRecurringScheduleExpression(expression)).toBe(false);
  });
});
