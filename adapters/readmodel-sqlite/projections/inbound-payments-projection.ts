import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import { assertNever } from '../../../core/assert';
import type { InboundPaymentEvent, InboundPaymentRecord } from '../../../core/fx/inbound-payment-decider';
import { clearTables } from '../clear-tables';
import { preparedStatement } from '../statement-cache';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';

/** Karachi is UTC+5 all year (no daylight saving): a day of the report is a Karachi calendar day. */
const karachiOffsetMs = 5 * 60 * 60 * 1000;

/**
 * In-bound payments (issue 17), one row each, for the inward-remittance report and the merchant's list; a failed
 * payment leaves both (nothing of it stays moved). `inbound_payments_unfinished` holds the recorded payments whose
 * legs are not yet known to be posted: the sweep finishes them. Rebuildable from the log.
 */
export const inboundPaymentsProjection: Projection<SqliteReadModelTx> = {
  name: 'inbound-payments',
  // 2: the unfinished table, which a read model written before it would lack rows in.
  version: 2,
  handles: ['InboundPaymentCompleted', 'InboundPaymentPosted', 'InboundPaymentFailed'],
  setup(tx) {
    createTables(tx);
  },
  reset(tx) {
    // A read model of version 1 has no unfinished table yet: create what is missing before emptying it.
    createTables(tx);
    clearTables(tx, ['inbound_payments', 'inbound_payments_unfinished']);
  },
  apply(recorded, tx) {
    const event = recorded as RecordedEvent & InboundPaymentEvent;
    switch (event.type) {
      case 'InboundPaymentCompleted':
        insertPayment(event.data, tx);
        return;
      case 'InboundPaymentPosted':
        preparedStatement(tx, 'DELETE FROM inbound_payments_unfinished WHERE payment_id = ?').run(event.data.paymentId);
        return;
      case 'InboundPaymentFailed':
        preparedStatement(tx, 'DELETE FROM inbound_payments_unfinished WHERE payment_id = ?').run(event.data.paymentId);
        preparedStatement(tx, 'DELETE FROM inbound_payments WHERE payment_id = ?').run(event.data.paymentId);
        return;
      default:
        assertNever(event);
    }
  },
};

function createTables(tx: SqliteReadModelTx): void {
  tx.exec(`
      CREATE TABLE IF NOT EXISTS inbound_payments (
        payment_id           TEXT PRIMARY KEY,
        psp_id               TEXT NOT NULL,
        merchant_id          TEXT NOT NULL,
        acquirer_id          TEXT NOT NULL,
        provider_id          TEXT NOT NULL,
        currency             TEXT NOT NULL,
        amount_minor         INTEGER NOT NULL,
        retained_minor       INTEGER NOT NULL,
        converted_from_minor INTEGER NOT NULL,
        converted_to_minor   INTEGER NOT NULL,
        purpose_code         TEXT NOT NULL,
        payer_type           TEXT NOT NULL,
        payer_country        TEXT NOT NULL,
        completed_at         TEXT NOT NULL,
        completed_day        TEXT NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS inbound_payments_by_completed ON inbound_payments (completed_at);
      CREATE INDEX IF NOT EXISTS inbound_payments_by_merchant ON inbound_payments (merchant_id, completed_at);
      CREATE TABLE IF NOT EXISTS inbound_payments_unfinished (
        payment_id  TEXT PRIMARY KEY,
        recorded_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS inbound_payments_unfinished_by_recorded ON inbound_payments_unfinished (recorded_at);
    `);
}

function insertPayment(data: InboundPaymentRecord, tx: SqliteReadModelTx): void {
  preparedStatement(tx, 'INSERT OR IGNORE INTO inbound_payments_unfinished (payment_id, recorded_at) VALUES (?, ?)').run(
    data.paymentId,
    data.completedAt,
  );
  preparedStatement(
    tx,
    `INSERT OR IGNORE INTO inbound_payments (payment_id, psp_id, merchant_id, acquirer_id, provider_id, currency, amount_minor,
         retained_minor, converted_from_minor, converted_to_minor, purpose_code, payer_type, payer_country, completed_at, completed_day)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    data.paymentId,
    data.pspId,
    data.merchantId,
    data.acquirerId,
    data.providerId,
    data.currency,
    BigInt(data.amountMinor),
    BigInt(data.retainedMinor),
    BigInt(data.convertedFromMinor),
    BigInt(data.convertedToMinor),
    data.purposeCode,
    data.payer.type,
    data.payer.country,
    data.completedAt,
    new Date(Date.parse(data.completedAt) + karachiOffsetMs).toISOString().slice(0, 10),
  );
}
