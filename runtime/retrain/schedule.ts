import { createRequire } from "node:module";
import type * as Croner from "croner";
import { DataError } from "../errors.js";

// croner is loaded when a schedule is computed (the scheduler, `retrain`'s next run), not on every
// start that plans a program (its CommonJS build, the same code as its ES one).
let croner: typeof Croner | undefined;
const newCron = (...args: ConstructorParameters<typeof Croner.Cron>) => new (croner ??= createRequire(import.meta.url)("croner") as typeof Croner).Cron(...args);

export type ScheduleUnit = "hour" | "day" | "week" | "month";

// One unit's calendar boundaries: the top of the hour, midnight, Monday midnight, the 1st of the
// month at midnight. A month is a calendar month (28 to 31 days), never 30 days.
const patterns: Record<ScheduleUnit, string> = { hour: "0 * * * *", day: "0 0 * * *", week: "0 0 * * 1", month: "0 0 1 * *" };

/** A unit as written (`day`, `days`) as a schedule unit; a coded error for any other word. */
export function scheduleUnit(name: string): ScheduleUnit {
  const unit = name.endsWith("s") ? name.slice(0, -1) : name;
  if (!(unit in patterns)) throw new DataError(`unknown schedule unit \`${name}\``, undefined, "invalid-option");
  return unit as ScheduleUnit;
}

/** The cron pattern of a unit's boundaries. */
export function schedulePattern(unit: ScheduleUnit): string {
  return patterns[unit];
}

/**
 * When `every N unit` next fires after `after`: the Nth boundary of the unit strictly after it
 * (croner, calendar-aware, in `timezone` or the machine's local time). So `every month` after
 * 31 January is 1 February, `every 2 days` after a retrain on Tuesday 10:00 is Thursday 00:00, and
 * `every 2 weeks` is the second Monday midnight after the last retrain.
 */
export function nextFire(schedule: { count: number; pattern: string }, after: Date, timezone?: string): Date {
  const cron = newCron(schedule.pattern, { paused: true, ...(timezone ? { timezone } : {}) });
  const runs = cron.nextRuns(schedule.count, after);
  const next = runs[schedule.count - 1];
  if (!next) throw new DataError(`the schedule \`${schedule.pattern}\` has no run after ${after.toISOString()}`, undefined, "invalid-option");
  return next;
}
