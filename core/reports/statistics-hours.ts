import { assert } from '../assert';
import { DomainError } from '../errors';

const hourMs = 60 * 60 * 1000;
/** The widest range a summary covers: 31 days of hourly buckets. */
export const summaryRangeHoursMax = 31 * 24;
export const summaryRangeHoursDefault = 24;

const isoInstantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** The UTC hour an instant falls in, as the statistics store it: `2026-11-28T10:00:00.000Z`. */
export function hourOf(instant: string): string {
  const ms = Date.parse(instant);
  assert(Number.isFinite(ms), `"${instant}" is an ISO-8601 instant`);
  return new Date(Math.floor(ms / hourMs) * hourMs).toISOString();
}

export type HourRange = { fromHour: string; toHour: string; hours: string[] };

/**
 * The whole hours a summary covers: `from` rounded down, `to` rounded up, so every payment completed in
 * [from, to) is counted. Defaults: `to` is the end of the current hour, `from` 24 hours before it.
 */
export function summaryHourRange(from: string | null, to: string | null, now: Date): HourRange {
  const range = summaryHours(from, to, now);
  if ('tooMany' in range) {
    throw new DomainError('VALIDATION_FAILED', `a summary covers at most ${summaryRangeHoursMax} hours (31 days); ask for a shorter range`);
  }
  return range;
}

/**
 * As `summaryHourRange`, but a range wider than `summaryRangeHoursMax` answers how many hours it holds instead of
 * throwing, so that the edge can refuse it as the other reports refuse theirs (REPORT_RANGE_TOO_WIDE, an edge code).
 * A `to` not after `from` is refused naming `query.to`, as the other reports do.
 */
export function summaryHours(from: string | null, to: string | null, now: Date): HourRange | { tooMany: number } {
  const toMs = ceilHour(to === null ? now.getTime() : parseInstant(to, 'to'));
  const fromMs = from === null ? toMs - summaryRangeHoursDefault * hourMs : Math.floor(parseInstant(from, 'from') / hourMs) * hourMs;
  if (fromMs >= toMs) {
    throw new DomainError('VALIDATION_FAILED', 'query.to: must be after from', [{ path: ['query', 'to'], message: 'must be after from' }]);
  }
  const hourCount = (toMs - fromMs) / hourMs;
  if (hourCount > summaryRangeHoursMax) return { tooMany: hourCount };
  const hours: string[] = [];
  for (let ms = fromMs; ms < toMs; ms += hourMs) hours.push(new Date(ms).toISOString());
  return { fromHour: new Date(fromMs).toISOString(), toHour: new Date(toMs).toISOString(), hours };
}

function ceilHour(ms: number): number {
  return Math.ceil(ms / hourMs) * hourMs;
}

function parseInstant(text: string, name: string): number {
  const ms = isoInstantPattern.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms))
    throw new DomainError('VALIDATION_FAILED', `query.${name} must be an ISO-8601 instant such as 2026-11-28T10:00:00Z`, [
      { path: ['query', name], message: 'an ISO-8601 instant such as 2026-11-28T10:00:00Z' },
    ]);
  return ms;
}
