import type Database from 'better-sqlite3';
import type { UnfinishedInboundPayments } from '../../../core/fx/inbound-payment-sweeper';
import type { InwardRemittanceGrouping, InwardRemittanceReader, InwardRemittanceRow } from '../../../core/fx/inward-remittance-report';

/** The column each grouping sums by: a fixed map, so no request text ever reaches the SQL. */
const groupColumns: Record<InwardRemittanceGrouping, string> = {
  purposeCode: 'purpose_code',
  currency: 'currency',
  merchant: 'merchant_id',
  day: 'completed_day',
};

/** A column summed for businesses and for persons apart: `business_<alias>` and `person_<alias>`. */
function payerTypeSum(column: string, alias: string): string {
  return (['BUSINESS', 'PERSON'] as const)
    .map((type) => `SUM(CASE WHEN payer_type = '${type}' THEN ${column} ELSE 0 END) AS ${type.toLowerCase()}_${alias}`)
    .join(', ');
}

type SummaryRow = {
  grp: string;
  currency: string;
  count: bigint;
  business_count: bigint;
  person_count: bigint;
  business_amount_minor: bigint;
  person_amount_minor: bigint;
  business_retained_minor: bigint;
  person_retained_minor: bigint;
  business_rupees_minor: bigint;
  person_rupees_minor: bigint;
  amount_minor: bigint;
  retained_minor: bigint;
  converted_minor: bigint;
  rupees_minor: bigint;
};

/** InwardRemittanceReader over the inbound-payments projection. */
export class SqliteInwardRemittanceReader implements InwardRemittanceReader {
  private readonly statements: Record<InwardRemittanceGrouping, Database.Statement>;
  private readonly byMerchant: Database.Statement;

  constructor(database: Database.Database) {
    const prepare = (column: string): Database.Statement =>
      database
        .prepare(
          `SELECT ${column} AS grp, currency, COUNT(*) AS count,
             SUM(payer_type = 'BUSINESS') AS business_count, SUM(payer_type = 'PERSON') AS person_count,
             ${payerTypeSum('amount_minor', 'amount_minor')}, ${payerTypeSum('retained_minor', 'retained_minor')},
             ${payerTypeSum('converted_to_minor', 'rupees_minor')},
             SUM(amount_minor) AS amount_minor, SUM(retained_minor) AS retained_minor,
             SUM(converted_from_minor) AS converted_minor, SUM(converted_to_minor) AS rupees_minor
           FROM inbound_payments WHERE completed_at >= ? AND completed_at < ?
           GROUP BY ${column}, currency ORDER BY ${column}, currency`,
        )
        .safeIntegers(true);
    this.byMerchant = database.prepare(
      'SELECT payment_id FROM inbound_payments WHERE merchant_id = ? ORDER BY completed_at DESC, payment_id LIMIT ?',
    );
    this.statements = {
      purposeCode: prepare(groupColumns.purposeCode),
      currency: prepare(groupColumns.currency),
      merchant: prepare(groupColumns.merchant),
      day: prepare(groupColumns.day),
    };
  }

  merchantPaymentIds(merchantId: string, limit: number): string[] {
    return (this.byMerchant.all(merchantId, limit) as { payment_id: string }[]).map((row) => row.payment_id);
  }

  summarize(input: { from: string; to: string; groupBy: InwardRemittanceGrouping }): InwardRemittanceRow[] {
    const rows = this.statements[input.groupBy].all(input.from, input.to) as SummaryRow[];
    return rows.map((row) => ({
      group: row.grp,
      currency: row.currency,
      count: Number(row.count),
      amountMinor: row.amount_minor,
      retainedMinor: row.retained_minor,
      convertedMinor: row.converted_minor,
      rupeesMinor: row.rupees_minor,
      business: {
        count: Number(row.business_count),
        amountMinor: row.business_amount_minor,
        retainedMinor: row.business_retained_minor,
        rupeesMinor: row.business_rupees_minor,
      },
      person: {
        count: Number(row.person_count),
        amountMinor: row.person_amount_minor,
        retainedMinor: row.person_retained_minor,
        rupeesMinor: row.person_rupees_minor,
      },
    }));
  }
}

/** The recorded in-bound payments whose legs are not yet known to be posted, oldest first. */
export class SqliteUnfinishedInboundPayments implements UnfinishedInboundPayments {
  private readonly statement: Database.Statement;

  constructor(database: Database.Database) {
    this.statement = database.prepare(
      'SELECT payment_id FROM inbound_payments_unfinished WHERE recorded_at <= ? ORDER BY recorded_at, payment_id LIMIT ?',
    );
  }

  listUnfinished(recordedBefore: string, limit: number): string[] {
    return (this.statement.all(recordedBefore, limit) as { payment_id: string }[]).map((row) => row.payment_id);
  }
}
