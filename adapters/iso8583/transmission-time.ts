/**
 * DE7 (transmission date and time, MMDDhhmmss in UTC as ISO 8583:1987 asks) and DE12/DE13 (the local time
 * and date of the transaction). Time is always passed in; nothing here reads the clock.
 */

/** Pakistan Standard Time, UTC+5, no daylight saving. */
export const PAKISTAN_UTC_OFFSET_MINUTES = 300;

export type TransmissionTimestamps = {
  /** DE7 */
  readonly transmissionDateTime: string;
  /** DE12 */
  readonly localTime: string;
  /** DE13 */
  readonly localDate: string;
};

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}

export function transmissionDateTimeField(now: Date): string {
  return `${twoDigits(now.getUTCMonth() + 1)}${twoDigits(now.getUTCDate())}${twoDigits(now.getUTCHours())}${twoDigits(now.getUTCMinutes())}${twoDigits(now.getUTCSeconds())}`;
}

export function transmissionTimestamps(now: Date, utcOffsetMinutes: number = PAKISTAN_UTC_OFFSET_MINUTES): TransmissionTimestamps {
  const local = new Date(now.getTime() + utcOffsetMinutes * 60_000);
  return {
    transmissionDateTime: transmissionDateTimeField(now),
    localTime: `${twoDigits(local.getUTCHours())}${twoDigits(local.getUTCMinutes())}${twoDigits(local.getUTCSeconds())}`,
    localDate: `${twoDigits(local.getUTCMonth() + 1)}${twoDigits(local.getUTCDate())}`,
  };
}

/**
 * A retrieval reference number (DE37) in the customary layout: last digit of the year, day of the year
 * (3 digits), hour (2) and the STAN (6). Unique per acquirer as long as STANs do not wrap within an hour.
 */
export function retrievalReferenceNumber(now: Date, systemTraceAuditNumber: string): string {
  const startOfYear = Date.UTC(now.getUTCFullYear(), 0, 1);
  const dayOfYear = Math.floor((now.getTime() - startOfYear) / 86_400_000) + 1;
  return `${now.getUTCFullYear() % 10}${String(dayOfYear).padStart(3, '0')}${twoDigits(now.getUTCHours())}${systemTraceAuditNumber}`;
}
