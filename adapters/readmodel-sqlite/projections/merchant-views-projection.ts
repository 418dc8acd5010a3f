import { assertNever } from '../../../core/assert';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import type { SessionCreated } from '../../../core/gateway/checkout-session-events';
import type { RefundEvent } from '../../../core/gateway/refund-events';
import type { SettlementWindowEvent } from '../../../core/settlement/settlement-window-events';
import { settlementWindowId } from '../../../core/settlement/settlement-window-events';
import type { TransferEvent } from '../../../core/transfers/transfer-events';
import { clearTables } from '../clear-tables';
import type { SqliteReadModelTx } from '../sqlite-read-model-store';
import { preparedStatement } from '../statement-cache';

const handledTypes = [
  'SettlementWindowOpened',
  'SettlementWindowClosed',
  'SessionCreated',
  'TransferInitiated',
  'TransferCommitted',
  'TransferAborted',
  'TransferReversed',
  'RefundRequested',
  'RefundSucceeded',
  'RefundFailed',
] as const;
type HandledEvent =
  | Extract<SettlementWindowEvent, { type: 'SettlementWindowOpened' | 'SettlementWindowClosed' }>
  | SessionCreated
  | TransferEvent
  | RefundEvent;

/**
 * What merchants see of their money (issue 11): their payments, each with what was refunded of it and its MDR, and
 * per settlement window what was collected, refunded and kept as MDR. Folded from the log alone, in order, with its
 * own copy of which window is open (as the settlement projection decides it: a payment belongs to the window open
 * when its TransferCommitted was written, a refund to the one open when its RefundSucceeded was), so that a rebuild
 * from position 0 writes the same rows. MDR is fixed at the payment and not given back by a refund. A payment its
 * payer's bank reversed reads as given back in full (what refunds had not given back yet counts as refunded).
 */
export const merchantViewsProjection: Projection<SqliteReadModelTx> = {
  name: 'merchant-views',
  handles: handledTypes,
  setup(tx) {
    tx.exec(schema);
  },
  reset(tx) {
    clearTables(tx, [
      'merchant_view_current',
      'merchant_view_sessions',
      'merchant_view_pending_payments',
      'merchant_view_pending_refunds',
      'merchant_payments',
      'merchant_window_totals',
    ]);
  },
  apply(recorded, tx) {
    const event = recorded as RecordedEvent & HandledEvent;
    switch (event.type) {
      case 'SettlementWindowOpened':
        preparedStatement(tx, sql.setCurrent).run(event.data.currency, event.data.sequence);
        return;
      case 'SettlementWindowClosed':
        // The next window opens in the same append; as in the settlement projection, point at it now.
        preparedStatement(tx, sql.setCurrent).run(event.data.currency, currentSequence(tx, event.data.currency) + 1);
        return;
      case 'SessionCreated':
        preparedStatement(tx, sql.insertSession).run(event.data.sessionId, event.data.orderId);
        return;
      case 'TransferInitiated': {
        const data = event.data;
        if (data.merchant === undefined || data.purpose !== 'P2M') return;
        preparedStatement(tx, sql.insertPendingPayment).run(
          data.transferId,
          data.merchant.id,
          data.checkoutSessionId ?? null,
          BigInt(data.amountMinor),
          data.currency,
          data.payerParticipant,
          BigInt(data.merchant.mdrMinor ?? '0'),
        );
        return;
      }
      case 'TransferCommitted': {
        const pending = preparedStatement(tx, sql.findPendingPayment).get(event.data.transferId) as PendingPayment | undefined;
        if (pending === undefined) return;
        preparedStatement(tx, sql.deletePendingPayment).run(pending.transfer_id);
        const windowId = settlementWindowId(pending.currency, currentSequence(tx, pending.currency));
        const session =
          pending.session_id === null
            ? undefined
            : (preparedStatement(tx, sql.findSession).get(pending.session_id) as { order_id: string } | undefined);
        preparedStatement(tx, sql.insertPayment).run(
          recorded.position,
          pending.transfer_id,
          pending.merchant_id,
          pending.session_id,
          session?.order_id ?? null,
          pending.amount_minor,
          pending.currency,
          event.data.completedAt,
          pending.payer_participant,
          pending.mdr_minor,
          windowId,
        );
        addToWindow(tx, pending.merchant_id, pending.currency, { collected: pending.amount_minor, refunded: 0n, mdr: pending.mdr_minor });
        return;
      }
      case 'TransferAborted':
        preparedStatement(tx, sql.deletePendingPayment).run(event.data.transferId);
        return;
      case 'TransferReversed': {
        // The payer's bank took the payment back (an ISO 8583 0420): what was not refunded yet went back to the payer.
        const payment = preparedStatement(tx, sql.findPayment).get(event.data.transferId) as PaymentKey | undefined;
        if (payment === undefined) return;
        const remainingMinor = payment.amount_minor - payment.refunded_minor;
        if (remainingMinor <= 0n) return;
        preparedStatement(tx, sql.addRefunded).run(remainingMinor, event.data.transferId);
        addToWindow(tx, payment.merchant_id, payment.currency, { collected: 0n, refunded: remainingMinor, mdr: 0n });
        return;
      }
      case 'RefundRequested':
        preparedStatement(tx, sql.insertPendingRefund).run(
          event.data.refundId,
          event.data.paymentTransferId,
          BigInt(event.data.amountMinor),
        );
        return;
      case 'RefundSucceeded': {
        const pending = preparedStatement(tx, sql.findPendingRefund).get(event.data.refundId) as PendingRefund | undefined;
        if (pending === undefined) return;
        preparedStatement(tx, sql.deletePendingRefund).run(pending.refund_id);
        const payment = preparedStatement(tx, sql.findPayment).get(pending.payment_transfer_id) as PaymentKey | undefined;
        if (payment === undefined) return;
        preparedStatement(tx, sql.addRefunded).run(pending.amount_minor, pending.payment_transfer_id);
        addToWindow(tx, payment.merchant_id, payment.currency, { collected: 0n, refunded: pending.amount_minor, mdr: 0n });
        return;
      }
      case 'RefundFailed':
        preparedStatement(tx, sql.deletePendingRefund).run(event.data.refundId);
        return;
      default:
        assertNever(event);
    }
  },
};

type PendingPayment = {
  transfer_id: string;
  merchant_id: string;
  session_id: string | null;
  amount_minor: bigint;
  currency: string;
  payer_participant: string;
  mdr_minor: bigint;
};
type PendingRefund = { refund_id: string; payment_transfer_id: string; amount_minor: bigint };
type PaymentKey = { merchant_id: string; currency: string; amount_minor: bigint; refunded_minor: bigint };

function currentSequence(tx: SqliteReadModelTx, currency: string): number {
  const row = preparedStatement(tx, sql.current).get(currency) as { sequence: bigint } | undefined;
  return row === undefined ? 1 : Number(row.sequence);
}

function addToWindow(
  tx: SqliteReadModelTx,
  merchantId: string,
  currency: string,
  amounts: { collected: bigint; refunded: bigint; mdr: bigint },
): void {
  const sequence = currentSequence(tx, currency);
  const windowId = settlementWindowId(currency, sequence);
  preparedStatement(tx, sql.ensureWindowTotals).run(merchantId, currency, windowId, sequence);
  preparedStatement(tx, sql.addToWindowTotals).run(amounts.collected, amounts.refunded, amounts.mdr, merchantId, currency, windowId);
}

const schema = `
  CREATE TABLE IF NOT EXISTS merchant_view_current (
    currency TEXT PRIMARY KEY,
    sequence INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE IF NOT EXISTS merchant_view_sessions (
    session_id TEXT PRIMARY KEY,
    order_id   TEXT NOT NULL
  ) STRICT;
  CREATE TABLE IF NOT EXISTS merchant_view_pending_payments (
    transfer_id       TEXT PRIMARY KEY,
    merchant_id       TEXT NOT NULL,
    session_id        TEXT,
    amount_minor      INTEGER NOT NULL,
    currency          TEXT NOT NULL,
    payer_participant TEXT NOT NULL,
    mdr_minor         INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE IF NOT EXISTS merchant_view_pending_refunds (
    refund_id           TEXT PRIMARY KEY,
    payment_transfer_id TEXT NOT NULL,
    amount_minor        INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE IF NOT EXISTS merchant_payments (
    position          INTEGER PRIMARY KEY,
    transfer_id       TEXT NOT NULL UNIQUE,
    merchant_id       TEXT NOT NULL,
    session_id        TEXT,
    order_id          TEXT,
    amount_minor      INTEGER NOT NULL,
    currency          TEXT NOT NULL,
    paid_at           TEXT NOT NULL,
    payer_participant TEXT NOT NULL,
    refunded_minor    INTEGER NOT NULL,
    mdr_minor         INTEGER NOT NULL,
    window_id         TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS merchant_payments_by_merchant ON merchant_payments (merchant_id, position);
  CREATE TABLE IF NOT EXISTS merchant_window_totals (
    merchant_id     TEXT NOT NULL,
    currency        TEXT NOT NULL,
    window_id       TEXT NOT NULL,
    sequence        INTEGER NOT NULL,
    collected_minor INTEGER NOT NULL,
    refunded_minor  INTEGER NOT NULL,
    mdr_minor       INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, currency, window_id)
  ) STRICT;
`;

const sql = {
  current: 'SELECT sequence FROM merchant_view_current WHERE currency = ?',
  setCurrent: `INSERT INTO merchant_view_current (currency, sequence) VALUES (?, ?)
               ON CONFLICT (currency) DO UPDATE SET sequence = excluded.sequence`,
  insertSession: 'INSERT OR IGNORE INTO merchant_view_sessions (session_id, order_id) VALUES (?, ?)',
  findSession: 'SELECT order_id FROM merchant_view_sessions WHERE session_id = ?',
  insertPendingPayment: `INSERT OR IGNORE INTO merchant_view_pending_payments
                           (transfer_id, merchant_id, session_id, amount_minor, currency, payer_participant, mdr_minor)
                         VALUES (?, ?, ?, ?, ?, ?, ?)`,
  findPendingPayment: 'SELECT * FROM merchant_view_pending_payments WHERE transfer_id = ?',
  deletePendingPayment: 'DELETE FROM merchant_view_pending_payments WHERE transfer_id = ?',
  insertPayment: `INSERT INTO merchant_payments (position, transfer_id, merchant_id, session_id, order_id, amount_minor, currency, paid_at,
                    payer_participant, refunded_minor, mdr_minor, window_id)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
  findPayment: 'SELECT merchant_id, currency, amount_minor, refunded_minor FROM merchant_payments WHERE transfer_id = ?',
  addRefunded: 'UPDATE merchant_payments SET refunded_minor = refunded_minor + ? WHERE transfer_id = ?',
  insertPendingRefund:
    'INSERT OR IGNORE INTO merchant_view_pending_refunds (refund_id, payment_transfer_id, amount_minor) VALUES (?, ?, ?)',
  findPendingRefund: 'SELECT * FROM merchant_view_pending_refunds WHERE refund_id = ?',
  deletePendingRefund: 'DELETE FROM merchant_view_pending_refunds WHERE refund_id = ?',
  ensureWindowTotals: `INSERT OR IGNORE INTO merchant_window_totals
                         (merchant_id, currency, window_id, sequence, collected_minor, refunded_minor, mdr_minor)
                       VALUES (?, ?, ?, ?, 0, 0, 0)`,
  addToWindowTotals: `UPDATE merchant_window_totals
                      SET collected_minor = collected_minor + ?, refunded_minor = refunded_minor + ?, mdr_minor = mdr_minor + ?
                      WHERE merchant_id = ? AND currency = ? AND window_id = ?`,
} as const;
