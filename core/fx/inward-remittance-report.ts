import Decimal from 'decimal.js';
import { formatAmount } from '../money';

/** What the inward-remittance report groups by (issue 17, item 7). */
export const inwardRemittanceGroupings = ['purposeCode', 'currency', 'merchant', 'day'] as const;
export type InwardRemittanceGrouping = (typeof inwardRemittanceGroupings)[number];

/** One group and one foreign currency, summed by the read model: minor units, B2B and B2C counted apart. */
export type InwardRemittanceRow = {
  group: string;
  currency: string;
  count: number;
  businessCount: number;
  personCount: number;
  amountMinor: bigint;
  retainedMinor: bigint;
  convertedMinor: bigint;
  rupeesMinor: bigint;
};

/** Read side of in-bound payments (adapters/readmodel-sqlite/projections/inbound-payments-*.ts). */
export interface InwardRemittanceReader {
  /** Payments completed in [from, to), summed per group and currency, ordered by group then currency. */
  summarize(input: { from: string; to: string; groupBy: InwardRemittanceGrouping }): InwardRemittanceRow[];
  /** A merchant's in-bound payment ids, newest first, at most `limit`. */
  merchantPaymentIds(merchantId: string, limit: number): string[];
}

/** The most payments one list answers. */
export const inboundPaymentListLimitMax = 100;

export type InwardRemittanceLine = {
  group: string;
  currency: string;
  count: number;
  b2bCount: number;
  b2cCount: number;
  amount: string;
  retained: string;
  converted: string;
  rupees: string;
  averageRate: string;
};

export const inwardRemittanceCsvHeader = [
  'group',
  'currency',
  'count',
  'b2bCount',
  'b2cCount',
  'amount',
  'retained',
  'converted',
  'rupees',
  'averageRate',
] as const;

/**
 * A row as the report shows it: amounts in their currencies, and the average rate (rupees per unit of foreign
 * currency over what was converted, 4 decimals half-even; "0" when nothing was converted).
 */
export function inwardRemittanceLine(row: InwardRemittanceRow): InwardRemittanceLine {
  return {
    group: row.group,
    currency: row.currency,
    count: row.count,
    b2bCount: row.businessCount,
    b2cCount: row.personCount,
    amount: formatAmount(row.amountMinor, row.currency),
    retained: formatAmount(row.retainedMinor, row.currency),
    converted: formatAmount(row.convertedMinor, row.currency),
    rupees: formatAmount(row.rupeesMinor, 'PKR'),
    averageRate: averageRate(row),
  };
}

function averageRate(row: InwardRemittanceRow): string {
  if (row.convertedMinor === 0n) return '0';
  const rupees = new Decimal(formatAmount(row.rupeesMinor, 'PKR'));
  const converted = new Decimal(formatAmount(row.convertedMinor, row.currency));
  return rupees.dividedBy(converted).toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toFixed(4);
}
