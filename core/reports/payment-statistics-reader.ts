/** Counts and values of completed payments, by outcome. Values are minor units. */
export type OutcomeTotals = {
  count: number;
  valueMinor: bigint;
  committed: number;
  committedMinor: bigint;
  aborted: number;
  abortedMinor: bigint;
};

/** What a summary groups by: the payer, the payee, the purpose, the hour completed, or the abort reason. */
export const statisticsDimensions = ['payer', 'payee', 'purpose', 'hour', 'abort_reason'] as const;
export type StatisticsDimension = (typeof statisticsDimensions)[number];

export type StatisticsQuery = {
  currency: string;
  /** Whole UTC hours, `from` inclusive, `to` exclusive. */
  fromHour: string;
  toHour: string;
};

export type GroupedTotals = OutcomeTotals & { key: string };

/** Groups a summary reports at most (participants, hours, purposes or reasons of one query). */
export const statisticsGroupsMax = 100_000;

/** The read side of payment statistics (adapters/readmodel-sqlite/projections/statistics-*.ts). */
export interface PaymentStatisticsReader {
  totals(query: StatisticsQuery): OutcomeTotals;
  /** One row per value of the dimension that has payments in the range, ordered by that value. */
  grouped(query: StatisticsQuery, dimension: StatisticsDimension): GroupedTotals[];
}
