import { Cron } from 'croner';

/**
 * When windows close by themselves, as the configuration parsed it (api/config.ts): a 5-field cron expression
 * (minute hour day-of-month month day-of-week) read in a time zone, or every so many milliseconds after the
 * switch starts. Without one, only the operator closes windows.
 */
export type CloseSchedule = { kind: 'cron'; expression: string; timezone: string } | { kind: 'interval'; intervalMs: number };

export const closeIntervalMsMin = 1_000;
export const closeIntervalMsMax = 31 * 24 * 60 * 60 * 1000;
/** SBP's settlement cycles are in Pakistan time. */
export const closeScheduleTimezoneDefault = 'Asia/Karachi';
const cronExpressionLengthMax = 200;

/**
 * Why a cron expression cannot drive the schedule, or null when it can: it must have exactly five fields, parse
 * as the scheduler will run it, and fire at least once. It takes the expression trimmed and a time zone that
 * isTimeZone accepts. The answer is a sentence that follows the name of what carried the expression.
 */
export function cronExpressionProblem(expression: string, timezone: string): string | null {
  if (expression.length > cronExpressionLengthMax) return `has at most ${cronExpressionLengthMax} characters`;
  if (expression.split(/\s+/).length !== 5)
    return `needs 5 fields (minute hour day-of-month month day-of-week), got "${expression.slice(0, 60)}"`;
  let next: Date | null;
  try {
    next = new Cron(expression, { paused: true, timezone }).nextRun(new Date(0));
  } catch (error) {
    return `"${expression.slice(0, 60)}" is not a cron expression: ${error instanceof Error ? error.message : String(error)}`;
  }
  return next === null ? `"${expression.slice(0, 60)}" never fires` : null;
}

/** Whether the runtime knows the IANA time zone (Asia/Karachi, UTC, ...). */
export function isTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The first moment strictly after `after` at which the schedule closes windows. An interval counts from `anchor`
 * (the scheduler's start), so a slow close does not make every later one drift.
 */
export function nextCloseAt(schedule: CloseSchedule, after: Date, anchor: Date): Date | null {
  switch (schedule.kind) {
    case 'cron':
      return new Cron(schedule.expression, { paused: true, timezone: schedule.timezone }).nextRun(after);
    case 'interval': {
      const elapsedMs = after.getTime() - anchor.getTime();
      const periods = elapsedMs < 0 ? 0 : Math.floor(elapsedMs / schedule.intervalMs) + 1;
      return new Date(anchor.getTime() + periods * schedule.intervalMs);
    }
  }
}

export function describeCloseSchedule(schedule: CloseSchedule): string {
  return schedule.kind === 'cron' ? `cron "${schedule.expression}" (${schedule.timezone})` : `every ${schedule.intervalMs} ms`;
}
