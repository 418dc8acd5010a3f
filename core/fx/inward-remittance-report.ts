import Decimal from 'decimal.js';
import { formatAmount } from '../money';

/** What the inward-remittance report groups by (issue 17, item 7). */
export const inwardRemittanceGroupings = ['purposeCode', 'currency', 'merchant', 'day'] as const;
export type InwardRemittanceGrouping = (typeof inwardRemittanceGroupings)[number];

/** What one payer type (BUSINESS for B2B, PERSON for B2C) sent in a group and currency, in minor units. */
export type PayerTypeSums = {
  count: number;
  amountMinor: bigint;
  retainedMinor: bigint;
  rupeesMinor: bigint;
};

/** One group and one foreign currency, summed by the read model: minor units, B2B and B2C summed apart. */
export type InwardRemittanceRow = {
  group: string;
  currency: string;
  count: number;
  amountMinor: bigint;
  retainedMinor: bigint;
  convertedMinor: bigint;
  rupeesMinor: bigint;
  business: PayerTypeSums;
  person: PayerTypeSums;
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
  b2bAmount: string;
  b2bRetained: string;
  b2bRupees: string;
  b2cAmount: string;
  b2cRetained: string;
  b2cRupees: string;
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
  'b2bAmount',
  'b2bRetained',
  'b2bRupees',
  'b2cAmount',
  'b2cRetained',
  'b2cRupees',
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
    b2bCount: row.business.count,
    b2cCount: row.person.count,
    amount: formatAmount(row.amountMinor, row.currency),
    retained: formatAmount(row.retainedMinor, row.currency),
    converted: formatAmount(row.convertedMinor, row.currency),
    rupees: formatAmount(row.rupeesMinor, 'PKR'),
    averageRate: averageRate(row),
    b2bAmount: formatAmount(row.business.amountMinor, row.currency),
    b2bRetained: formatAmount(row.business.retainedMinor, row.currency),
    b2bRupees: formatAmount(row.business.rupeesMinor, 'PKR'),
    b2cAmount: formatAmount(row.person.amountMinor, row.currency),
    b2cRetained: formatAmount(row.person.retainedMinor, row.currency),
    b2cRupees: formatAmount(row.person.rupeesMinor, 'PKR'),
  };
}

/** No payment of a payer type: what a group without one sums to. */
export const noPayerTypeSums: PayerTypeSums = { count: 0, amountMinor: 0n, retainedMinor: 0n, rupeesMinor: 0n };

/** Two payer-type sums added, for totals over several groups. */
export function addPayerTypeSums(left: PayerTypeSums, right: PayerTypeSums): PayerTypeSums {
  return {
    count: left.count + right.count,
    amountMinor: left.amountMinor + right.amountMinor,
    retainedMinor: left.retainedMinor + right.retainedMinor,
    rupeesMinor: left.rupeesMinor + right.rupeesMinor,
  };
}

function averageRate(row: InwardRemittanceRow): string {
  if (row.convertedMinor === 0n) return '0';
  const rupees = new Decimal(formatAmount(row.rupeesMinor, 'PKR'));
  const converted = new Decimal(formatAmount(row.convertedMinor, row.currency));
  return rupees.dividedBy(converted).toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toFixed(4);
}
