/** Business days are counted in Pakistan's civil time (issue 12): Monday to Friday in Asia/Karachi. */
export const businessTimeZone = 'Asia/Karachi';

/** A response window: whole business days, or an ISO-8601 duration of wall-clock time. */
export type ResponseWindow = { kind: 'businessDays'; days: number } | { kind: 'duration'; durationMs: number };

export const responseWindowLimits = {
  /** A turnaround of more than a quarter of business days would not be "online" resolution any more. */
  businessDaysMax: 60,
  /** The same bound for a plain duration: 90 days. */
  durationMsMax: 90 * 24 * 60 * 60 * 1000,
  /** Holidays listed in HISAAB_HOLIDAYS at most: enough for a decade of public holidays. */
  holidaysMax: 500,
} as const;

const businessDaysPattern = /^(\d{1,3})bd$/;
const durationPattern = /^P(?:(\d{1,3})D)?(?:T(?:(\d{1,5})H)?(?:(\d{1,6})M)?(?:(\d{1,8})S)?)?$/;
const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Reads `<n>bd` (business days) or an ISO-8601 duration of days, hours, minutes and seconds (`PT30S`, `P2DT4H`).
 * Throws a plain Error with one sentence naming `variable`, for the configuration to report.
 */
export function parseResponseWindow(text: string, variable: string): ResponseWindow {
  const trimmed = text.trim();
  const businessDays = businessDaysPattern.exec(trimmed);
  if (businessDays !== null) {
    const days = Number(businessDays[1]);
    if (days < 1 || days > responseWindowLimits.businessDaysMax) {
      throw new Error(`${variable} must be from 1bd to ${responseWindowLimits.businessDaysMax}bd, got "${trimmed}"`);
    }
    return { kind: 'businessDays', days };
  }
  const duration = durationPattern.exec(trimmed);
  if (duration !== null && trimmed !== 'P' && !trimmed.endsWith('T')) {
    const [days, hours, minutes, seconds] = [duration[1], duration[2], duration[3], duration[4]].map((part) => Number(part ?? '0')) as [
      number,
      number,
      number,
      number,
    ];
    const durationMs = (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
    if (durationMs < 1000 || durationMs > responseWindowLimits.durationMsMax) {
      throw new Error(`${variable} must be from 1 second to 90 days, got "${trimmed}"`);
    }
    return { kind: 'duration', durationMs };
  }
  throw new Error(`${variable} must be business days such as "5bd" or an ISO-8601 duration such as "PT30S", got "${trimmed.slice(0, 30)}"`);
}

/** Reads HISAAB_HOLIDAYS: a comma list of YYYY-MM-DD dates (real calendar dates), returned sorted and unique. */
export function parseHolidays(text: string, variable: string): readonly string[] {
  const dates = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (dates.length > responseWindowLimits.holidaysMax)
    throw new Error(`${variable} lists at most ${responseWindowLimits.holidaysMax} dates`);
  for (const date of dates) {
    if (!isCalendarDate(date)) throw new Error(`${variable} must be a comma list of dates such as 2026-03-23, got "${date.slice(0, 20)}"`);
  }
  return [...new Set(dates)].sort();
}

/**
 * The instant a respondent must answer by, `window` after `now`. Business days: the n-th business day after the
 * day `now` falls on in Asia/Karachi (weekends and `holidays` skipped), answered by the end of that day, so a
 * claim opened at any time on a Friday with "1bd" is due at the end of Monday.
 */
export function respondByAfter(now: Date, window: ResponseWindow, holidays: readonly string[]): Date {
  if (window.kind === 'duration') return new Date(now.getTime() + window.durationMs);
  const holidaySet = new Set(holidays);
  let day = localDateOf(now);
  let counted = 0;
  // Each step is one calendar day; the holiday list is bounded, so this ends within days + holidays + weekends.
  while (counted < window.days) {
    day = nextCalendarDay(day);
    if (isBusinessDay(day, holidaySet)) counted += 1;
  }
  return endOfLocalDay(day);
}

function isBusinessDay(date: string, holidays: ReadonlySet<string>): boolean {
  const weekday = new Date(`${date}T12:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidays.has(date);
}

/** The calendar date (YYYY-MM-DD) an instant falls on in Asia/Karachi. */
export function localDateOf(instant: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: businessTimeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    instant,
  );
  return parts;
}

function nextCalendarDay(date: string): string {
  const next = new Date(`${date}T12:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

/** The last millisecond of a date in Asia/Karachi, found from the zone's offset on that date (no fixed +05:00). */
function endOfLocalDay(date: string): Date {
  const nextMidnightAsUtc = Date.parse(`${nextCalendarDay(date)}T00:00:00Z`);
  const offsetMs = zoneOffsetMs(new Date(nextMidnightAsUtc));
  return new Date(nextMidnightAsUtc - offsetMs - 1);
}

function zoneOffsetMs(instant: Date): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: businessTimeZone, timeZoneName: 'longOffset' })
    .formatToParts(instant)
    .find((part) => part.type === 'timeZoneName')?.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  if (match === null) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return (match[1] === '-' ? -1 : 1) * minutes * 60_000;
}

function isCalendarDate(text: string): boolean {
  const match = datePattern.exec(text);
  if (match === null) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text;
}
