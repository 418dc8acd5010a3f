import type Database from 'better-sqlite3';
import type { AccountType } from '../../../core/directory/account';
import type { MerchantInboundSettings } from '../../../core/gateway/merchant-events';
import type { MerchantReader, MerchantRecord } from '../../../core/gateway/merchant-reader';
import type { SealedTextOpener } from '../../../core/personal-data/sealed-text';
import { ReferenceDataCache } from '../reference-data-cache';

type MerchantRow = {
  merchant_id: string;
  name: string;
  mcc: string;
  city: string;
  acquirer_id: string;
  currency: string;
  settlement_account_type: string;
  settlement_account_value: string;
  webhook_url: string;
  mdr_percent: string;
  interchange_percent: string;
  switch_fee_minor: string;
  active: bigint;
  created_at: string;
  rate_limit_per_second: bigint | null;
  inbound: string | null;
  tax_number: string | null;
};

/**
 * MerchantReader over the merchants projection. A checkout reads its merchant three times (the session, the pay
 * page's request to pay, the payment): records are kept in memory until a projection of reference data writes.
 * The projection holds a tax number as the log does, a CNIC sealed under its subject (issue 15.4). The cache keeps
 * it sealed and it is opened on every read, so an erasure (which writes no merchant projection) shows as
 * `[erased]` at once rather than when the cache is next cleared.
 */
export class SqliteMerchantReader implements MerchantReader {
  private readonly byId: Database.Statement;
  private readonly cache: ReferenceDataCache<MerchantRecord | null>;

  constructor(
    database: Database.Database,
    private readonly opener: Pick<SealedTextOpener, 'open'>,
  ) {
    // With the operator's rate for the merchant (rate-limits projection), its in-bound settings and tax number, if it has them.
    this.byId = database
      .prepare(
        `SELECT m.*, (SELECT r.rate_limit_per_second FROM rate_limits r WHERE r.owner = 'merchant:' || m.merchant_id) AS rate_limit_per_second,
         (SELECT settings FROM merchant_inbound i WHERE i.merchant_id = m.merchant_id) AS inbound,
         (SELECT tax_number FROM merchant_tax_numbers t WHERE t.merchant_id = m.merchant_id) AS tax_number
         FROM merchants m WHERE m.merchant_id = ?`,
      )
      .safeIntegers(true);
    this.cache = new ReferenceDataCache(database);
  }

  findMerchant(merchantId: string): MerchantRecord | null {
    const record = this.cache.get(merchantId, () => this.readMerchant(merchantId));
    if (record === null || record.taxNumber === null) return record;
    return { ...record, taxNumber: this.opener.open(record.taxNumber) };
  }

  /** The record as the projection holds it: the tax number still sealed. */

  private readMerchant(merchantId: string): MerchantRecord | null {
    const row = this.byId.get(merchantId) as MerchantRow | undefined;
    if (row === undefined) return null;
    return {
      id: row.merchant_id,
      name: row.name,
      mcc: row.mcc,
      city: row.city,
      acquirerId: row.acquirer_id,
      currency: row.currency,
      settlementAccount: { type: row.settlement_account_type as AccountType, value: row.settlement_account_value },
      webhookUrl: row.webhook_url,
      fees: { mdrPercent: row.mdr_percent, interchangePercent: row.interchange_percent, switchFeeMinor: BigInt(row.switch_fee_minor) },
      active: row.active === 1n,
      rateLimitPerSecond: row.rate_limit_per_second === null ? null : Number(row.rate_limit_per_second),
      createdAt: row.created_at,
      inbound: row.inbound === null ? null : (JSON.parse(row.inbound) as MerchantInboundSettings),
      taxNumber: row.tax_number,
    };
  }
}
