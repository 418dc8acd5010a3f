import { Cron } from 'croner';
import { DomainError } from '../errors';

/**
 * When windows close by themselves. Configured by the environment, and nothing runs unless it is:
 * - `HISAAB_SETTLEMENT_CLOSE_CRON`: a 5-field cron expression (minute hour day-of-month month day-of-week), read in
 *   `HISAAB_SETTLEMENT_TIMEZONE` (default Asia/Karachi: SBP's settlement cycles are in Pakistan time);
 * - `HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS`: every so many milliseconds after the switch starts.
 * Setting both is refused: which one wins would be a guess.
 */
export type CloseSchedule = { kind: 'cron'; expression: string; timezone: string } | { kind: 'interval'; intervalMs: number };

export const closeIntervalMsMin = 1_000;
export const closeIntervalMsMax = 31 * 24 * 60 * 60 * 1000;
export const closeScheduleTimezoneDefault = 'Asia/Karachi';
const cronExpressionLengthMax = 200;

export function closeScheduleFromEnvironment(environment: Readonly<Record<string, string | undefined>>): CloseSchedule | null {
  const cron = nonEmpty(environment['HISAAB_SETTLEMENT_CLOSE_CRON']);
  const interval = nonEmpty(environment['HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS']);
  if (cron !== null && interval !== null) {
    throw invalid('set HISAAB_SETTLEMENT_CLOSE_CRON or HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS, not both');
  }
  if (interval !== null) return { kind: 'interval', intervalMs: parseInterval(interval) };
  if (cron === null) return null;
  const timezone = nonEmpty(environment['HISAAB_SETTLEMENT_TIMEZONE']) ?? closeScheduleTimezoneDefault;
  return cronSchedule(cron, timezone);
}

/** A checked cron schedule: exactly five fields, a real time zone, and at least one moment it ever fires. */
export function cronSchedule(expression: string, timezone: string): CloseSchedule {
  const trimmed = expression.trim();
  if (trimmed.length > cronExpressionLengthMax) throw invalid(`a cron expression has at most ${cronExpressionLengthMax} characters`);
  if (trimmed.split(/\s+/).length !== 5) {
    throw invalid(`HISAAB_SETTLEMENT_CLOSE_CRON needs 5 fields (minute hour day-of-month month day-of-week), got "${trimmed.slice(0, 60)}"`);
  }
  checkTimezone(timezone);
  let next: Date | null;
  try {
    next = new Cron(trimmed, { paused: true, timezone }).nextRun(new Date(0));
  } catch (error) {
    throw invalid(`HISAAB_SETTLEMENT_CLOSE_CRON "${trimmed.slice(0, 60)}" is not a cron expression: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (next === null) throw invalid(`HISAAB_SETTLEMENT_CLOSE_CRON "${trimmed.slice(0, 60)}" never fires`);
  return { kind: 'cron', expression: trimmed, timezone };
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

function parseInterval(text: string): number {
  const value = /^\d{1,13}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < closeIntervalMsMin || value > closeIntervalMsMax) {
    throw invalid(`HISAAB_SETTLEMENT_CLOSE_INTERVAL_MS must be a whole number from ${closeIntervalMsMin} to ${closeIntervalMsMax}, got "${text.slice(0, 20)}"`);
  }
  return value;
}

function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw invalid(`HISAAB_SETTLEMENT_TIMEZONE "${timezone.slice(0, 60)}" is not an IANA time zone such as Asia/Karachi`);
  }
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value.trim() === '' ? null : value;
}

function invalid(message: string): DomainError {
  return new DomainError('INVALID_SETTLEMENT_SCHEDULE', message);
}
