import Decimal from 'decimal.js';
import { formatAmount } from '../money';

/** Counts and values (minor units) of transfers of one side or one bucket, split by how they ended. */
export type SideTotals = {
  /** Every transfer, whatever its outcome, still pending ones included. */
  count: number;
  valueMinor: bigint;
  approved: number;
  businessDeclines: number;
  technicalDeclines: number;
};

export type ParticipantTotals = {
  participant: string;
  asPayer: SideTotals;
  asPayee: SideTotals;
  /** Reversals the participant received (it was the payee of the reversed transfer), and how many reached it. */
  reversals: { count: number; delivered: number };
  /** Completion times (completedAt minus createdAt) of its completed transfers on either side, nearest rank; null: none. */
  p50CompletionMs: number | null;
  p99CompletionMs: number | null;
};

export type BucketTotals = SideTotals & { start: string };

/** Transfers created in [from, to) of one currency. */
export type StatisticsRange = { currency: string; from: string; to: string };

export type TimeseriesBucket = 'hour' | 'day';

/** Participants one participants report lists at most, and buckets one timeseries has at most (31 days of hours). */
export const participantStatisticsMax = 10_000;
export const timeseriesBucketsMax = 31 * 24;
/** The widest range a participants report covers: its percentiles read every completion of the range. */
export const participantStatisticsRangeDaysMax = 31;

/** The read side of the participant statistics projection (adapters/readmodel-sqlite/projections/participant-statistics-*.ts). */
export interface ParticipantStatisticsReader {
  /** One row per participant with transfers or reversals in the range, ordered by participant id. */
  participants(range: StatisticsRange): ParticipantTotals[];
  /** The buckets of the range that have transfers (matching `participant` as payer or payee when given), oldest first. */
  buckets(range: StatisticsRange, bucket: TimeseriesBucket, participant: string | null): BucketTotals[];
}

export type SideView = {
  count: number;
  value: string;
  approved: number;
  businessDeclines: number;
  technicalDeclines: number;
  approvedPercent: number;
  businessDeclinePercent: number;
  technicalDeclinePercent: number;
};

export type ParticipantStatisticsView = {
  participant: string;
  asPayer: SideView;
  asPayee: SideView;
  reversals: { count: number; delivered: number; deliveredPercent: number };
  p50CompletionMs: number | null;
  p99CompletionMs: number | null;
  /** The position now (not of the range): positive when the participant owes. Null when it has no accounts in the currency. */
  position: string | null;
  netDebitCap: string | null;
  /** The position as a share of the cap now, two decimals; 0 when it owes nothing or has no cap. */
  capUtilisationPercent: number;
};

export type TimeseriesBucketView = {
  start: string;
  count: number;
  value: string;
  approved: number;
  businessDeclines: number;
  technicalDeclines: number;
};

/** What the participants report adds from the ledger and the participants' records: the state now. */
export type ParticipantStanding = { positionMinor: bigint; netDebitCapMinor: bigint };

export function participantStatisticsView(
  totals: ParticipantTotals,
  currency: string,
  standing: ParticipantStanding | null,
): ParticipantStatisticsView {
  return {
    participant: totals.participant,
    asPayer: sideView(totals.asPayer, currency),
    asPayee: sideView(totals.asPayee, currency),
    reversals: {
      count: totals.reversals.count,
      delivered: totals.reversals.delivered,
      deliveredPercent: percent(totals.reversals.delivered, totals.reversals.count),
    },
    p50CompletionMs: totals.p50CompletionMs,
    p99CompletionMs: totals.p99CompletionMs,
    position: standing === null ? null : formatAmount(standing.positionMinor, currency),
    netDebitCap: standing === null ? null : formatAmount(standing.netDebitCapMinor, currency),
    capUtilisationPercent: standing === null ? 0 : capUtilisation(standing),
  };
}

export function sideView(totals: SideTotals, currency: string): SideView {
  return {
    count: totals.count,
    value: formatAmount(totals.valueMinor, currency),
    approved: totals.approved,
    businessDeclines: totals.businessDeclines,
    technicalDeclines: totals.technicalDeclines,
    approvedPercent: percent(totals.approved, totals.count),
    businessDeclinePercent: percent(totals.businessDeclines, totals.count),
    technicalDeclinePercent: percent(totals.technicalDeclines, totals.count),
  };
}

export const emptySideTotals: SideTotals = { count: 0, valueMinor: 0n, approved: 0, businessDeclines: 0, technicalDeclines: 0 };

/**
 * Every bucket of the range, empty ones as zeros, so that a chart has no gaps. The range's ends are already whole
 * buckets (timeseriesBuckets); a bucket is named by its start, an ISO instant in UTC (a Karachi day starts at 19:00Z).
 */
export function timeseriesView(starts: readonly string[], found: readonly BucketTotals[], currency: string): TimeseriesBucketView[] {
  const byStart = new Map(found.map((bucket) => [bucket.start, bucket]));
  return starts.map((start) => {
    const totals = byStart.get(start) ?? emptySideTotals;
    return {
      start,
      count: totals.count,
      value: formatAmount(totals.valueMinor, currency),
      approved: totals.approved,
      businessDeclines: totals.businessDeclines,
      technicalDeclines: totals.technicalDeclines,
    };
  });
}

/** Every bucket of a timeseries together, summed in exact minor units: the dashboard's totals and success rate. */
export function timeseriesTotals(found: readonly BucketTotals[], currency: string): SideView {
  const totals = { ...emptySideTotals };
  for (const bucket of found) {
    totals.count += bucket.count;
    totals.valueMinor += bucket.valueMinor;
    totals.approved += bucket.approved;
    totals.businessDeclines += bucket.businessDeclines;
    totals.technicalDeclines += bucket.technicalDeclines;
  }
  return sideView(totals, currency);
}

/** part / whole as a percentage with two decimals (half to even), a JSON number; 0 when whole is 0. */
export function percent(part: number, whole: number): number {
  if (whole === 0) return 0;
  return new Decimal(part).times(100).dividedBy(whole).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toNumber();
}

function capUtilisation(standing: ParticipantStanding): number {
  if (standing.netDebitCapMinor <= 0n || standing.positionMinor <= 0n) return 0;
  // Computed in decimal.js from the exact minor units: only the percentage, never an amount, becomes a JS number.
  const hundredths = new Decimal(standing.positionMinor.toString())
    .times(100)
    .dividedBy(standing.netDebitCapMinor.toString())
    .toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN);
  return hundredths.toNumber();
}

const bucketMs: Readonly<Record<TimeseriesBucket, number>> = { hour: 60 * 60 * 1000, day: 24 * 60 * 60 * 1000 };

/**
 * Buckets start at Asia/Karachi boundaries: the regulator's day is Pakistan's day, so a day bucket starts at 00:00
 * PKT (19:00Z the day before). Pakistan Standard Time is UTC+05:00 all year (no daylight saving since 2009), so a
 * fixed offset is exact and needs no time-zone database. Being a whole number of hours, it moves no hour bucket.
 */
export const karachiOffsetMs = 5 * 60 * 60 * 1000;

/** Whole buckets covering [from, to): `from` rounded down and `to` rounded up to the bucket (Karachi days). */
export type BucketRange = { from: string; to: string; starts: string[] };

/**
 * The buckets of a timeseries, or the number there would be when that is more than `timeseriesBucketsMax` (the
 * caller refuses the request: a chart of more buckets is not readable, and the answer would be unbounded).
 */
export function timeseriesBuckets(from: Date, to: Date, bucket: TimeseriesBucket): BucketRange | { tooMany: number } {
  const size = bucketMs[bucket];
  const fromMs = bucketFloorMs(from.getTime(), size);
  const toMs = bucketCeilMs(to.getTime(), size);
  const count = (toMs - fromMs) / size;
  if (count > timeseriesBucketsMax) return { tooMany: count };
  const starts: string[] = [];
  for (let ms = fromMs; ms < toMs; ms += size) starts.push(new Date(ms).toISOString());
  return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), starts };
}

/** The start of the bucket an instant falls in, as the projection groups it: an ISO instant (UTC). */
export function bucketStartOf(instant: string, bucket: TimeseriesBucket): string {
  return new Date(bucketFloorMs(Date.parse(instant), bucketMs[bucket])).toISOString();
}

/** The start of the Karachi-aligned bucket of `size` that holds the instant `ms`. */
function bucketFloorMs(ms: number, size: number): number {
  return Math.floor((ms + karachiOffsetMs) / size) * size - karachiOffsetMs;
}

/** The end of the Karachi-aligned bucket of `size` that `ms` falls in, or `ms` itself when it is a boundary. */
function bucketCeilMs(ms: number, size: number): number {
  return Math.ceil((ms + karachiOffsetMs) / size) * size - karachiOffsetMs;
}

const sideCsvFields = [
  'count',
  'value',
  'approved',
  'businessDeclines',
  'technicalDeclines',
  'approvedPercent',
  'businessDeclinePercent',
  'technicalDeclinePercent',
] as const;

/** The CSV header of the participants report, fixed by issue 13: the JSON fields, nested ones joined by dots. */
export const participantStatisticsCsvHeader = [
  'participant',
  ...sideCsvFields.map((field) => `asPayer.${field}`),
  ...sideCsvFields.map((field) => `asPayee.${field}`),
  'reversals.count',
  'reversals.delivered',
  'reversals.deliveredPercent',
  'p50CompletionMs',
  'p99CompletionMs',
  'position',
  'netDebitCap',
  'capUtilisationPercent',
] as const;

export const timeseriesCsvHeader = ['start', 'count', 'value', 'approved', 'businessDeclines', 'technicalDeclines'] as const;
