import type Database from 'better-sqlite3';
import { assert } from '../../../core/assert';
import {
  participantStatisticsMax,
  timeseriesBucketsMax,
  type BucketTotals,
  type ParticipantStatisticsReader,
  type ParticipantTotals,
  type SideTotals,
  type StatisticsRange,
  type TimeseriesBucket,
} from '../../../core/reports/participant-statistics';
import { preparedStatement } from '../statement-cache';

type SideRow = {
  key: string;
  count: bigint;
  value_minor: bigint;
  approved: bigint;
  business: bigint;
  technical: bigint;
};

const sums = `COUNT(*) AS count, SUM(amount_minor) AS value_minor,
  SUM(outcome = 'APPROVED') AS approved, SUM(outcome = 'BUSINESS') AS business, SUM(outcome = 'TECHNICAL') AS technical`;

const inRange = 'currency = ? AND created_at >= ? AND created_at < ?';

/** ParticipantStatisticsReader over the participant statistics projection (run its setup first). */
export class SqliteParticipantStatisticsReader implements ParticipantStatisticsReader {
  constructor(private readonly database: Database.Database) {}

  participants(range: StatisticsRange): ParticipantTotals[] {
    const bound = [range.currency, range.from, range.to] as const;
    const asPayer = this.sides('payer', bound);
    const asPayee = this.sides('payee', bound);
    const reversals = preparedStatement(
      this.database,
      `SELECT participant AS key, COUNT(*) AS count, SUM(delivered) AS delivered FROM participant_statistics_reversals
       WHERE currency = ? AND queued_at >= ? AND queued_at < ? GROUP BY participant ORDER BY participant LIMIT ?`,
    ).all(...bound, participantStatisticsMax + 1) as { key: string; count: bigint; delivered: bigint }[];
    assert(reversals.length <= participantStatisticsMax, `a report lists at most ${participantStatisticsMax} participants`);
    const reversalsOf = new Map(reversals.map((row) => [row.key, row]));
    const ids = [...new Set([...asPayer.keys(), ...asPayee.keys(), ...reversalsOf.keys()])].sort();
    assert(ids.length <= participantStatisticsMax, `a report lists at most ${participantStatisticsMax} participants`);
    const percentiles = this.completionPercentiles(bound);
    return ids.map((participant) => {
      const reversal = reversalsOf.get(participant);
      const [p50CompletionMs, p99CompletionMs] = percentiles.get(participant) ?? [null, null];
      return {
        participant,
        asPayer: asPayer.get(participant) ?? emptySide(),
        asPayee: asPayee.get(participant) ?? emptySide(),
        reversals: { count: safeCount(reversal?.count ?? 0n), delivered: safeCount(reversal?.delivered ?? 0n) },
        p50CompletionMs,
        p99CompletionMs,
      };
    });
  }

  buckets(range: StatisticsRange, bucket: TimeseriesBucket, participant: string | null): BucketTotals[] {
    // The column cannot be a bound parameter: it is one of two fixed names.
    const column = bucket === 'hour' ? 'created_hour' : 'created_day';
    const filter = participant === null ? '' : ' AND (payer = ? OR payee = ?)';
    const parameters: (string | number)[] = [range.currency, range.from, range.to];
    if (participant !== null) parameters.push(participant, participant);
    const rows = preparedStatement(
      this.database,
      `SELECT ${column} AS key, ${sums} FROM participant_statistics_transfers WHERE ${inRange}${filter}
       GROUP BY ${column} ORDER BY ${column} LIMIT ?`,
    ).all(...parameters, timeseriesBucketsMax + 1) as SideRow[];
    assert(rows.length <= timeseriesBucketsMax, `a timeseries has at most ${timeseriesBucketsMax} buckets`);
    return rows.map((row) => ({ start: row.key, ...toSide(row) }));
  }

  private sides(column: 'payer' | 'payee', bound: readonly [string, string, string]): Map<string, SideTotals> {
    const rows = preparedStatement(
      this.database,
      `SELECT ${column} AS key, ${sums} FROM participant_statistics_transfers WHERE ${inRange}
       GROUP BY ${column} ORDER BY ${column} LIMIT ?`,
    ).all(...bound, participantStatisticsMax + 1) as SideRow[];
    assert(rows.length <= participantStatisticsMax, `a report lists at most ${participantStatisticsMax} participants`);
    return new Map(rows.map((row) => [row.key, toSide(row)]));
  }

  /**
   * Nearest-rank p50 and p99 of the completion times of each participant's completed transfers, either side (a
   * transfer to itself once), in one ordered pass over the range: the rank of p is ceil(p × n), written in integers.
   */
  private completionPercentiles(bound: readonly [string, string, string]): Map<string, [number | null, number | null]> {
    const rows = preparedStatement(
      this.database,
      `WITH sides AS (
         SELECT payer AS participant, completion_ms FROM participant_statistics_transfers WHERE ${inRange} AND completion_ms IS NOT NULL
         UNION ALL
         SELECT payee, completion_ms FROM participant_statistics_transfers
         WHERE ${inRange} AND completion_ms IS NOT NULL AND payee <> payer
       ), ranked AS (
         SELECT participant, completion_ms,
                ROW_NUMBER() OVER (PARTITION BY participant ORDER BY completion_ms) AS rank,
                COUNT(*) OVER (PARTITION BY participant) AS n
         FROM sides
       )
       SELECT participant AS key,
              MAX(CASE WHEN rank = (n * 50 + 99) / 100 THEN completion_ms END) AS p50,
              MAX(CASE WHEN rank = (n * 99 + 99) / 100 THEN completion_ms END) AS p99
       FROM ranked GROUP BY participant ORDER BY participant LIMIT ?`,
    ).all(...bound, ...bound, participantStatisticsMax + 1) as { key: string; p50: bigint | null; p99: bigint | null }[];
    assert(rows.length <= participantStatisticsMax, `a report lists at most ${participantStatisticsMax} participants`);
    return new Map(
      rows.map((row) => [row.key, [row.p50 === null ? null : safeCount(row.p50), row.p99 === null ? null : safeCount(row.p99)]]),
    );
  }
}

function toSide(row: SideRow): SideTotals {
  return {
    count: safeCount(row.count),
    valueMinor: row.value_minor,
    approved: safeCount(row.approved),
    businessDeclines: safeCount(row.business),
    technicalDeclines: safeCount(row.technical),
  };
}

function emptySide(): SideTotals {
  return { count: 0, valueMinor: 0n, approved: 0, businessDeclines: 0, technicalDeclines: 0 };
}

function safeCount(count: bigint): number {
  assert(count >= 0n && count <= BigInt(Number.MAX_SAFE_INTEGER), 'a count fits a safe integer');
  return Number(count);
}
