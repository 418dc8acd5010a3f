import type Database from 'better-sqlite3';
import { assert } from '../../../core/assert';
import {
  statisticsDimensions,
  statisticsGroupsMax,
  type GroupedTotals,
  type OutcomeTotals,
  type PaymentStatisticsReader,
  type StatisticsDimension,
  type StatisticsQuery,
} from '../../../core/reports/payment-statistics-reader';
import { preparedStatement } from '../statement-cache';

type TotalsRow = {
  count: bigint | null;
  value_minor: bigint | null;
  committed: bigint | null;
  committed_minor: bigint | null;
  aborted: bigint | null;
  aborted_minor: bigint | null;
};

const sums = `SUM(count) AS count, SUM(value_minor) AS value_minor,
  SUM(CASE WHEN outcome = 'COMMITTED' THEN count ELSE 0 END) AS committed,
  SUM(CASE WHEN outcome = 'COMMITTED' THEN value_minor ELSE 0 END) AS committed_minor,
  SUM(CASE WHEN outcome = 'ABORTED' THEN count ELSE 0 END) AS aborted,
  SUM(CASE WHEN outcome = 'ABORTED' THEN value_minor ELSE 0 END) AS aborted_minor`;

const range = 'currency = ? AND hour >= ? AND hour < ?';

/** PaymentStatisticsReader over the statistics projection. Its tables must exist: run the projection's setup first. */
export class SqlitePaymentStatisticsReader implements PaymentStatisticsReader {
  constructor(private readonly database: Database.Database) {}

  totals(query: StatisticsQuery): OutcomeTotals {
    const row = preparedStatement(this.database, `SELECT ${sums} FROM statistics_hourly WHERE ${range}`).get(
      query.currency,
      query.fromHour,
      query.toHour,
    ) as TotalsRow;
    return toTotals(row);
  }

  grouped(query: StatisticsQuery, dimension: StatisticsDimension): GroupedTotals[] {
    // The column name cannot be bound as a parameter: it is checked against the fixed list instead.
    assert(statisticsDimensions.includes(dimension), `${dimension} is a statistics dimension`);
    const filter = dimension === 'abort_reason' ? " AND outcome = 'ABORTED'" : '';
    const rows = preparedStatement(
      this.database,
      `SELECT ${dimension} AS key, ${sums} FROM statistics_hourly WHERE ${range}${filter} GROUP BY ${dimension} ORDER BY ${dimension} LIMIT ?`,
    ).all(query.currency, query.fromHour, query.toHour, statisticsGroupsMax + 1) as (TotalsRow & { key: string })[];
    assert(rows.length <= statisticsGroupsMax, `a summary has at most ${statisticsGroupsMax} groups per dimension`);
    return rows.map((row) => ({ key: row.key, ...toTotals(row) }));
  }
}

function toTotals(row: TotalsRow): OutcomeTotals {
  return {
    count: safeCount(row.count),
    valueMinor: row.value_minor ?? 0n,
    committed: safeCount(row.committed),
    committedMinor: row.committed_minor ?? 0n,
    aborted: safeCount(row.aborted),
    abortedMinor: row.aborted_minor ?? 0n,
  };
}

function safeCount(count: bigint | null): number {
  const value = count ?? 0n;
  assert(value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER), 'a count fits a safe integer');
  return Number(value);
}
