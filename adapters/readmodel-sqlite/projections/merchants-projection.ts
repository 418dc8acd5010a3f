import type Database from 'better-sqlite3';
import { assertNever } from '../../../core/assert';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import type { MerchantEvent } from '../../../core/gateway/merchant-events';
import { clearTables } from '../clear-tables';
import { preparedStatement } from '../statement-cache';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';
import { createRateLimitsTable } from './rate-limits-projection';
import { markingReferenceData } from '../reference-data-cache';

/** The events that change what a merchant's record shows; keys are the keys projection's, secrets stay in the stream. */
const handledTypes = [
  'MerchantRegistered',
  'MerchantActivated',
  'MerchantDeactivated',
  'MerchantWebhookUrlChanged',
  'MerchantFeesChanged',
  'MerchantInboundSettingsChanged',
  'MerchantTaxNumberChanged',
] as const;
type HandledEvent = Extract<MerchantEvent, { type: (typeof handledTypes)[number] }>;

/** Merchants by id, as GET /v1/merchants/{id} and checkout read them. Rebuildable from the log. */
export const merchantsProjection: Projection<SqliteReadModelTx> = markingReferenceData({
  name: 'merchants',
  // 2: in-bound settings (issue 17), in merchant_inbound. 3: tax numbers (issue 17), in merchant_tax_numbers.
  version: 3,
  handles: handledTypes,
  setup(tx) {
    createTables(tx);
  },
  reset(tx) {
    // An older read model lacks the newer tables: create what is missing before emptying it.
    createTables(tx);
    clearTables(tx, ['merchants', 'merchant_inbound', 'merchant_tax_numbers']);
  },
  apply(recorded, tx) {
    const event = recorded as RecordedEvent & HandledEvent;
    switch (event.type) {
      case 'MerchantRegistered': {
        const data = event.data;
        statement(tx, 'register').run(
          data.merchantId,
          data.name,
          data.mcc,
          data.city,
          data.acquirerId,
          data.currency,
          data.settlementAccount.type,
          data.settlementAccount.value,
          data.webhookUrl,
          data.fees.mdrPercent,
          data.fees.interchangePercent,
          data.fees.switchFeeMinor,
          data.at,
        );
        // Absent in registrations written before merchants had a tax number.
        if (data.taxNumber !== undefined && data.taxNumber !== null) statement(tx, 'setTaxNumber').run(data.merchantId, data.taxNumber);
        return;
      }
      case 'MerchantTaxNumberChanged':
        if (event.data.taxNumber === null) statement(tx, 'removeTaxNumber').run(event.data.merchantId);
        else statement(tx, 'setTaxNumber').run(event.data.merchantId, event.data.taxNumber);
        return;
      case 'MerchantActivated':
      case 'MerchantDeactivated':
        statement(tx, 'active').run(event.type === 'MerchantActivated' ? 1 : 0, event.data.merchantId);
        return;
      case 'MerchantWebhookUrlChanged':
        statement(tx, 'webhookUrl').run(event.data.webhookUrl, event.data.merchantId);
        return;
      case 'MerchantFeesChanged':
        statement(tx, 'fees').run(
          event.data.fees.mdrPercent,
          event.data.fees.interchangePercent,
          event.data.fees.switchFeeMinor,
          event.data.merchantId,
        );
        return;
      case 'MerchantInboundSettingsChanged':
        statement(tx, 'inbound').run(event.data.merchantId, JSON.stringify(event.data.inbound));
        return;
      default:
        assertNever(event);
    }
  },
});

function createTables(tx: SqliteReadModelTx): void {
  // Its reader joins the operator's rates (rate-limits projection), which may not run in this store.
  createRateLimitsTable(tx);
  tx.exec(`
    CREATE TABLE IF NOT EXISTS merchants (
      merchant_id              TEXT PRIMARY KEY,
      name                     TEXT NOT NULL,
      mcc                      TEXT NOT NULL,
      city                     TEXT NOT NULL,
      acquirer_id              TEXT NOT NULL,
      currency                 TEXT NOT NULL,
      settlement_account_type  TEXT NOT NULL,
      settlement_account_value TEXT NOT NULL,
      webhook_url              TEXT NOT NULL,
      mdr_percent              TEXT NOT NULL,
      interchange_percent      TEXT NOT NULL,
      switch_fee_minor         TEXT NOT NULL,
      active                   INTEGER NOT NULL,
      created_at               TEXT NOT NULL
    ) STRICT;
    CREATE TABLE IF NOT EXISTS merchant_inbound (merchant_id TEXT PRIMARY KEY, settings TEXT NOT NULL) STRICT;
    CREATE TABLE IF NOT EXISTS merchant_tax_numbers (merchant_id TEXT PRIMARY KEY, tax_number TEXT NOT NULL) STRICT;
  `);
}

const sql = {
  register: `INSERT INTO merchants (merchant_id, name, mcc, city, acquirer_id, currency, settlement_account_type, settlement_account_value,
               webhook_url, mdr_percent, interchange_percent, switch_fee_minor, active, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
  active: 'UPDATE merchants SET active = ? WHERE merchant_id = ?',
  webhookUrl: 'UPDATE merchants SET webhook_url = ? WHERE merchant_id = ?',
  inbound:
    'INSERT INTO merchant_inbound (merchant_id, settings) VALUES (?, ?) ON CONFLICT (merchant_id) DO UPDATE SET settings = excluded.settings',
  fees: 'UPDATE merchants SET mdr_percent = ?, interchange_percent = ?, switch_fee_minor = ? WHERE merchant_id = ?',
  setTaxNumber: `INSERT INTO merchant_tax_numbers (merchant_id, tax_number) VALUES (?, ?)
                 ON CONFLICT (merchant_id) DO UPDATE SET tax_number = excluded.tax_number`,
  removeTaxNumber: 'DELETE FROM merchant_tax_numbers WHERE merchant_id = ?',
} as const;

function statement(tx: SqliteReadModelTx, name: keyof typeof sql): Database.Statement {
  return preparedStatement(tx, sql[name]);
}
