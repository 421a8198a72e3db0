import { z } from "zod";
import {
  DEFAULT_DEPROVISION_BUDGET,
  DEPROVISION_BUDGET_LIMITS,
  DEPROVISION_MODES,
} from "../lambda-src/deprovisioning/contract";

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
  if ((dayOfMonth === "?") === (dayOfWeek === "?")) return false;
  return fields.every((field, i) => field === "?" || isCronField(field, CRON_FIELDS[i]!));
}

interface CronFieldRule {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Day of month: `L`, `L-n`, `nW` and `LW` besides values. */
  readonly dayOfMonth?: boolean;
  /** Day of week: `L`, `nL` and `n#k` besides values. */
  readonly dayOfWeek?: boolean;
}

/** The fields' allowed values (EventBridge Scheduler User Guide, "Cron-based schedules"). */
const CRON_FIELDS: readonly CronFieldRule[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31, dayOfMonth: true },
  {
    min: 1,
    max: 12,
    names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
  },
  { min: 1, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], dayOfWeek: true },
  { min: 1970, max: 2199 },
];

function isCronField(field: string, rule: CronFieldRule): boolean {
  const value = (v: string): number | undefined => {
    const named = rule.names?.indexOf(v.toUpperCase()) ?? -1;
    if (named >= 0) return rule.min + named;
    if (!/^\d{1,4}$/.test(v)) return undefined;
    const n = Number(v);
    return n >= rule.min && n <= rule.max ? n : undefined;
  };
  if (rule.dayOfMonth) {
    if (field === "L" || field === "LW") return true;
    const offset = /^L-(\d{1,2})$/.exec(field);
    if (offset) return Number(offset[1]) <= 30;
    const weekday = /^(\d{1,2})W$/.exec(field);
    if (weekday) return value(weekday[1]!) !== undefined;
  }
  if (rule.dayOfWeek) {
    if (field === "L") return true;
    const last = /^(\w+)L$/.exec(field);
    if (last) return value(last[1]!) !== undefined;
    const nth = /^(\w+)#([1-5])$/.exec(field);
    if (nth) return value(nth[1]!) !== undefined;
  }
  return field.split(",").every((item) => {
    const m = /^(\*|\w+)(?:-(\w+))?(?:\/(\d{1,4}))?$/.exec(item);
    if (!m) return false;
    const [, start, end, step] = m;
    if (step !== undefined && !(Number(step) >= 1 && Number(step) <= rule.max)) return false;
    if (start === "*") return end === undefined;
    const from = value(start!);
    if (from === undefined) return false;
    return end === undefined || value(end) !== undefined;
  });
}

/** Where the deletion budget's size is set (named by the message refusing `maxDeprovisionPerRun`). */
export const MAX_USERS_FIELD = "cognito.provisioning.deprovisionBudget.maxUsers";

function integerInRange(range: { readonly min: number; readonly max: number }, unit: string) {
  const error = `expected an integer from ${range.min} to ${range.max}${unit}`;
  return z.number({ error }).int({ error }).min(range.min, { error }).max(range.max, { error });
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
  /**
   * The deletion budget: at most `maxUsers` users changed destructively per rolling `windowHours`, counted
   * across every invocation in a DynamoDB table (the deprovisioner reserves a slot before each change).
   */
  deprovisionBudget: z
    .strictObject({
      maxUsers: integerInRange(DEPROVISION_BUDGET_LIMITS.maxUsers, " (users per window)").default(
        DEFAULT_DEPROVISION_BUDGET.maxUsers,
      ),
      windowHours: integerInRange(DEPROVISION_BUDGET_LIMITS.windowHours, " (hours)").default(
        DEFAULT_DEPROVISION_BUDGET.windowHours,
      ),
    })
    .prefault({}),
  /**
   * Refused: a per-run limit let concurrent runs each spend it (12 events, 12 runs, 12 deletions with a limit
   * of 3). Present only to say what replaced it.
   */
  maxDeprovisionPerRun: z
    .never({
      error: `replaced by ${MAX_USERS_FIELD} (users changed per rolling window across all runs, an integer from ${DEPROVISION_BUDGET_LIMITS.maxUsers.min} to ${DEPROVISION_BUDGET_LIMITS.maxUsers.max}): move the value there and remove this key`,
    })
    .optional(),
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
