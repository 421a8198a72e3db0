import { z } from "zod";
import { DEFAULT_MAX_DEPROVISION_PER_RUN, DEPROVISION_MODES } from "../lambda-src/deprovisioning/contract";

/** How often the scheduled reconciliation runs unless `deprovisionSchedule` says otherwise. */
export const DEFAULT_DEPROVISION_SCHEDULE = "rate(1 day)";

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\(([^()]+)\)$/;

/**
 * Whether `expression` is a recurring EventBridge Scheduler expression. Scheduler accepts
 * `rate(value unit)` (value a positive integer; unit minute | minutes | hour | hours | day | days) and
 * `cron(minutes hours day-of-month month day-of-week year)`, where one of day-of-month and day-of-week must
 * be `?` (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html). `at(...)` one-time
 * schedules are refused: a reconciliation that runs once is not a reconciliation.
 */
export function isRecurringScheduleExpression(expression: string): boolean {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    // EventBridge has always required the singular unit for 1 and the plural otherwise; keep to that.
    return value >= 1 && String(value) === rate[1] && (value === 1) === !rate[2]!.endsWith("s");
  }
  const cron = CRON.exec(expression);
  if (!cron) return false;
  const fields = cron[1]!.split(" ");
  if (fields.length !== 6 || fields.some((f) => !/^[\w*?,/#-]+$/.test(f))) return false;
  const [, , dayOfMonth, , dayOfWeek] = fields;
  return (dayOfMonth === "?") !== (dayOfWeek === "?");
}

/**
 * Keys of `cognito.provisioning` for leavers (the deprovisioning Lambda). Spread into that object's schema,
 * so they sit beside the other provisioning settings.
 */
export const deprovisioningFields = {
  /** `report` (default): log, metric and alarm only; `remove-memberships`; `delete-user`. */
  deprovision: z
    .enum(DEPROVISION_MODES, { error: `expected one of ${DEPROVISION_MODES.join(", ")}` })
    .default("report"),
  /** Circuit breaker: a run that would change more users than this changes none and alarms instead. */
  maxDeprovisionPerRun: z
    .number({ error: "expected an integer from 1 to 1000" })
    .int({ error: "expected an integer from 1 to 1000" })
    .min(1, { error: "expected an integer from 1 to 1000" })
    .max(1000, { error: "expected an integer from 1 to 1000" })
    .default(DEFAULT_MAX_DEPROVISION_PER_RUN),
  /** Also deprovision people whose last recorded sign-in is more than this many days old. Off by default. */
  inactiveDays: z
    .number({ error: "expected an integer from 1 to 3650 (days)" })
    .int({ error: "expected an integer from 1 to 3650 (days)" })
    .min(1, { error: "expected an integer from 1 to 3650 (days)" })
    .max(3650, { error: "expected an integer from 1 to 3650 (days)" })
    .optional(),
  /** When the reconciliation runs (EventBridge Scheduler expression, UTC). */
  deprovisionSchedule: z
    .string()
    .refine(isRecurringScheduleExpression, {
      error:
        'expected a recurring EventBridge Scheduler expression: "rate(<n> minutes|hours|days)" (singular for 1) or "cron(<min> <hour> <day-of-month> <month> <day-of-week> <year>)" with ? in one day field',
    })
    .default(DEFAULT_DEPROVISION_SCHEDULE),
};
