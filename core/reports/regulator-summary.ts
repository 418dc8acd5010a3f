import Decimal from 'decimal.js';
import { formatAmount } from '../money';
import type { OutcomeTotals, PaymentStatisticsReader, StatisticsQuery } from './payment-statistics-reader';
import type { HourRange } from './statistics-hours';

/** Counts and values of completed payments by outcome; amounts are decimal strings. */
export type OutcomeView = {
  /** Payments completed: committed plus aborted. */
  count: number;
  /** Their value, committed or not. */
  value: string;
  committed: number;
  committedValue: string;
  aborted: number;
  abortedValue: string;
  /** committed / count with four decimals ("0.9500"); null when nothing completed. */
  successRate: string | null;
};

export type RegulatorSummary = {
  currency: string;
  /** The whole UTC hours covered: from inclusive, to exclusive. */
  from: string;
  to: string;
  totals: OutcomeView;
  /** Per participant: the payments it sent (its success rate is theirs) and those it received. */
  byParticipant: { participant: string; sent: OutcomeView; received: OutcomeView }[];
  byPurpose: ({ purpose: string } & OutcomeView)[];
  abortReasons: { reason: string; count: number; value: string }[];
  /** Every hour of the range, oldest first, empty ones included, so a chart has no gaps. */
  hourly: ({ hour: string } & OutcomeView)[];
};

/** The regulator's read of payment statistics (issue 6 item 5), assembled from the statistics projection. */
export function buildRegulatorSummary(reader: PaymentStatisticsReader, currency: string, range: HourRange): RegulatorSummary {
  const query: StatisticsQuery = { currency, fromHour: range.fromHour, toHour: range.toHour };
  const view = (totals: OutcomeTotals): OutcomeView => outcomeView(totals, currency);
  const sent = new Map(reader.grouped(query, 'payer').map((row) => [row.key, row]));
  const received = new Map(reader.grouped(query, 'payee').map((row) => [row.key, row]));
  const participants = [...new Set([...sent.keys(), ...received.keys()])].sort();
  const hourly = new Map(reader.grouped(query, 'hour').map((row) => [row.key, row]));
  return {
    currency,
    from: range.fromHour,
    to: range.toHour,
    totals: view(reader.totals(query)),
    byParticipant: participants.map((participant) => ({
      participant,
      sent: view(sent.get(participant) ?? emptyTotals),
      received: view(received.get(participant) ?? emptyTotals),
    })),
    byPurpose: reader.grouped(query, 'purpose').map((row) => ({ purpose: row.key, ...view(row) })),
    abortReasons: reader
      .grouped(query, 'abort_reason')
      .map((row) => ({ reason: row.key, count: row.aborted, value: formatAmount(row.abortedMinor, currency) })),
    hourly: range.hours.map((hour) => ({ hour, ...view(hourly.get(hour) ?? emptyTotals) })),
  };
}

const emptyTotals: OutcomeTotals = { count: 0, valueMinor: 0n, committed: 0, committedMinor: 0n, aborted: 0, abortedMinor: 0n };

function outcomeView(totals: OutcomeTotals, currency: string): OutcomeView {
  return {
    count: totals.count,
    value: formatAmount(totals.valueMinor, currency),
    committed: totals.committed,
    committedValue: formatAmount(totals.committedMinor, currency),
    aborted: totals.aborted,
    abortedValue: formatAmount(totals.abortedMinor, currency),
    successRate: totals.count === 0 ? null : new Decimal(totals.committed).dividedBy(totals.count).toFixed(4, Decimal.ROUND_HALF_EVEN),
  };
}
