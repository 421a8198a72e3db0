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
  it("defaults to report mode, 10 per run, no inactivity rule, daily", () => {
    const p = parseConfig(exampleInput()).cognito.provisioning;
    expect(p.deprovision).toBe("report");
    expect(p.maxDeprovisionPerRun).toBe(10);
    expect(p.inactiveDays).toBeUndefined();
    expect(p.deprovisionSchedule).toBe("rate(1 day)");
  });

  it("accepts every mode, a limit, an inactivity rule and a cron schedule", () => {
    for (const mode of ["report", "remove-memberships", "delete-user"]) {
      const p = parseConfig(
        withProvisioning({
          deprovision: mode,
          maxDeprovisionPerRun: 25,
          inactiveDays: 90,
          deprovisionSchedule: "cron(0 3 * * ? *)",
        }),
      ).cognito.provisioning;
      expect(p).toMatchObject({ deprovision: mode, maxDeprovisionPerRun: 25, inactiveDays: 90 });
    }
  });

  it.each([
    [
      { deprovision: "disable" },
      "cognito.provisioning.deprovision",
      "report, remove-memberships, delete-user",
    ],
    [{ maxDeprovisionPerRun: 0 }, "cognito.provisioning.maxDeprovisionPerRun", "1 to 1000"],
    [{ maxDeprovisionPerRun: 2.5 }, "cognito.provisioning.maxDeprovisionPerRun", "1 to 1000"],
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
    expect(message).toContain(JSON.stringify(Object.values(settings)[0]));
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
    "at(2030-01-01T00:00:00)",
    " rate(1 day)",
  ])("refuses %s", (expression) => {
    expect(isRecurringScheduleExpression(expression)).toBe(false);
  });
});
