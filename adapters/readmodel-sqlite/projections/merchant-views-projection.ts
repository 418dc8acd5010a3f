import { assert, assertNever } from '../../../core/assert';
import type { RecordedEvent } from '../../../core/eventstore/event';
import type { Projection } from '../../../core/eventstore/projection';
import type { SessionCreated } from '../../../core/gateway/checkout-session-events';
import type { ChargebackTaken } from '../../../core/disputes/dispute-events';
import type { InboundPaymentEvent, InboundPaymentRecord } from '../../../core/fx/inbound-payment-decider';
import type { RefundEvent } from '../../../core/gateway/refund-events';
import type { SettlementWindowEvent } from '../../../core/settlement/settlement-window-events';
import { settlementWindowId } from '../../../core/settlement/settlement-window-events';
import type { TransferEvent } from '../../../core/transfers/transfer-events';
import { dropTables } from '../clear-tables';
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
  'ChargebackTaken',
  'InboundPaymentCompleted',
  'InboundPaymentPosted',
  'InboundPaymentFailed',
] as const;
type HandledEvent =
  | Extract<SettlementWindowEvent, { type: 'SettlementWindowOpened' | 'SettlementWindowClosed' }>
  | SessionCreated
  | TransferEvent
  | RefundEvent
  | ChargebackTaken
  | InboundPaymentEvent;

/**
 * What merchants see of their money (issue 11): their payments, each with what was refunded of it and its MDR, and
 * per settlement window what was collected, refunded and kept as MDR. Folded from the log alone, in order, with its
 * own copy of which window is open (as the settlement projection decides it: a payment belongs to the window open
 * when its TransferCommitted was written, a refund to the one open when its RefundSucceeded was), so that a rebuild
 * from position 0 writes the same rows. MDR is fixed at the payment and not given back by a refund. A payment its
 * payer's bank reversed reads as given back in full (what refunds had not given back yet counts as refunded). A
 * dispute's chargeback on a payment (issue 12) counts in the window open when it was taken. An in-bound payment
 * (issue 17) counts once its legs are posted (InboundPaymentPosted), in the window of each currency open then: the
 * amount, retained and converted parts in its foreign currency, the rupees in PKR; one that failed counts nothing.
 */
export const merchantViewsProjection: Projection<SqliteReadModelTx> = {
  name: 'merchant-views',
  // 2: in-bound payments (issue 17): their columns in merchant_window_totals and merchant_view_pending_inbound.
  version: 2,
  handles: handledTypes,
  setup(tx) {
    tx.exec(schema);
  },
  reset(tx) {
    // Dropped rather than emptied: a read model of version 1 has merchant_window_totals without the in-bound columns,
    // and setup (which the runner calls next) creates every table in its current shape.
    dropTables(tx, [
      'merchant_view_current',
      'merchant_view_sessions',
      'merchant_view_pending_payments',
      'merchant_view_pending_refunds',
      'merchant_view_pending_inbound',
      'merchant_payments',
      'merchant_window_totals',
    ]);
  },
  applyMany(events, tx) {
    // A transfer initiated among these events that is not a merchant payment gets no row here, so its finish and
    // its reversal would only look for one that is not there: a batch of payments between wallets skips them.
    const notPayments = new Set<string>();
    for (const recorded of events) {
      const event = recorded as RecordedEvent & HandledEvent;
      if (event.type === 'TransferInitiated' && (event.data.merchant === undefined || event.data.purpose !== 'P2M')) {
        notPayments.add(event.data.transferId);
        continue;
      }
      if (isTransferFollowUp(event) && notPayments.has(event.data.transferId)) continue;
      merchantViewsProjection.apply(recorded, tx);
    }
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
        addToWindow(tx, pending.merchant_id, pending.currency, { collected: pending.amount_minor, mdr: pending.mdr_minor });
        return;
      }
      case 'TransferAborted':
        preparedStatement(tx, sql.deletePendingPayment).run(event.data.transferId);
        return;
      case 'TransferReversed': {
        // The payer's bank took the payment back (an ISO 8583 0420): what refunds and chargebacks had not given back
        // yet went back to the payer.
        const payment = preparedStatement(tx, sql.findPayment).get(event.data.transferId) as PaymentKey | undefined;
        if (payment === undefined) return;
        const remainingMinor = payment.amount_minor - payment.refunded_minor - payment.charged_back_minor;
        if (remainingMinor <= 0n) return;
        preparedStatement(tx, sql.addRefunded).run(remainingMinor, event.data.transferId);
        addToWindow(tx, payment.merchant_id, payment.currency, { refunded: remainingMinor });
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
        addToWindow(tx, payment.merchant_id, payment.currency, { refunded: pending.amount_minor });
        return;
      }
      case 'RefundFailed':
        preparedStatement(tx, sql.deletePendingRefund).run(event.data.refundId);
        return;
      case 'ChargebackTaken': {
        const payment = preparedStatement(tx, sql.findPayment).get(event.data.transferId) as PaymentKey | undefined;
        if (payment === undefined) return;
        const amountMinor = BigInt(event.data.amountMinor);
        preparedStatement(tx, sql.addChargedBack).run(amountMinor, event.data.transferId);
        addToWindow(tx, payment.merchant_id, payment.currency, { chargedBack: amountMinor });
        return;
      }
      case 'InboundPaymentCompleted':
        insertPendingInbound(tx, event.data);
        return;
      case 'InboundPaymentPosted':
        countPostedInbound(tx, event.data.paymentId);
        return;
      case 'InboundPaymentFailed':
        // Its legs were released or reversed: nothing of it reached the merchant.
        preparedStatement(tx, sql.deletePendingInbound).run(event.data.paymentId);
        return;
      default:
        assertNever(event);
    }
  },
};

/** Recorded, its legs reserved and not yet posted: held until InboundPaymentPosted (counted) or InboundPaymentFailed (dropped). */
function insertPendingInbound(tx: SqliteReadModelTx, data: InboundPaymentRecord): void {
  preparedStatement(tx, sql.insertPendingInbound).run(
    data.paymentId,
    data.merchantId,
    data.currency,
    BigInt(data.amountMinor),
    BigInt(data.retainedMinor),
    BigInt(data.convertedFromMinor),
    data.toCurrency,
    BigInt(data.convertedToMinor),
  );
}

function countPostedInbound(tx: SqliteReadModelTx, paymentId: string): void {
  const pending = preparedStatement(tx, sql.findPendingInbound).get(paymentId) as PendingInbound | undefined;
  if (pending === undefined) return;
  preparedStatement(tx, sql.deletePendingInbound).run(paymentId);
  assert(
    pending.retained_minor + pending.converted_from_minor === pending.amount_minor,
    `in-bound payment ${paymentId}: retained and converted are the whole amount`,
  );
  addToWindow(tx, pending.merchant_id, pending.currency, {
    inboundCount: 1n,
    inboundAmount: pending.amount_minor,
    inboundRetained: pending.retained_minor,
    inboundConverted: pending.converted_from_minor,
  });
  // A payment the merchant keeps whole has no rupee leg, so nothing of it lands in the rupee window.
  if (pending.converted_to_minor > 0n) {
    addToWindow(tx, pending.merchant_id, pending.to_currency, { conversionCount: 1n, conversionAmount: pending.converted_to_minor });
  }
}

function isTransferFollowUp(
  event: HandledEvent,
): event is Extract<HandledEvent, { type: 'TransferCommitted' | 'TransferAborted' | 'TransferReversed' }> {
  return event.type === 'TransferCommitted' || event.type === 'TransferAborted' || event.type === 'TransferReversed';
}

type PendingPayment = {
  transfer_id: string;
  merchant_id: string;
  session_id: string | null;
  amount_minor: bigint;
  currency: string;
  payer_participant: string;
  mdr_minor: bigint;
};
type PendingInbound = {
  payment_id: string;
  merchant_id: string;
  currency: string;
  amount_minor: bigint;
  retained_minor: bigint;
  converted_from_minor: bigint;
  to_currency: string;
  converted_to_minor: bigint;
};
type PendingRefund = { refund_id: string; payment_transfer_id: string; amount_minor: bigint };
type PaymentKey = { merchant_id: string; currency: string; amount_minor: bigint; refunded_minor: bigint; charged_back_minor: bigint };

function currentSequence(tx: SqliteReadModelTx, currency: string): number {
  const row = preparedStatement(tx, sql.current).get(currency) as { sequence: bigint } | undefined;
  return row === undefined ? 1 : Number(row.sequence);
}

/**
 * What one event adds to a merchant's window, in minor units (counts as plain numbers of payments); absent is 0.
 * The in-bound amounts are in the window's currency: a foreign payment's amount, retained and converted parts in its
 * currency's window, the rupees its conversion brought in PKR's.
 */
type WindowAddition = Partial<
  Record<
    | 'collected'
    | 'refunded'
    | 'chargedBack'
    | 'mdr'
    | 'inboundCount'
    | 'inboundAmount'
    | 'inboundRetained'
    | 'inboundConverted'
    | 'conversionCount'
    | 'conversionAmount',
    bigint
  >
>;

function addToWindow(tx: SqliteReadModelTx, merchantId: string, currency: string, addition: WindowAddition): void {
  const sequence = currentSequence(tx, currency);
  const windowId = settlementWindowId(currency, sequence);
  preparedStatement(tx, sql.ensureWindowTotals).run(merchantId, currency, windowId, sequence);
  preparedStatement(tx, sql.addToWindowTotals).run(
    addition.collected ?? 0n,
    addition.refunded ?? 0n,
    addition.chargedBack ?? 0n,
    addition.mdr ?? 0n,
    addition.inboundCount ?? 0n,
    addition.inboundAmount ?? 0n,
    addition.inboundRetained ?? 0n,
    addition.inboundConverted ?? 0n,
    addition.conversionCount ?? 0n,
    addition.conversionAmount ?? 0n,
    merchantId,
    currency,
    windowId,
  );
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
    charged_back_minor INTEGER NOT NULL,
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
    charged_back_minor INTEGER NOT NULL,
    mdr_minor       INTEGER NOT NULL,
    inbound_count              INTEGER NOT NULL,
    inbound_amount_minor       INTEGER NOT NULL,
    inbound_retained_minor     INTEGER NOT NULL,
    inbound_converted_minor    INTEGER NOT NULL,
    conversion_count           INTEGER NOT NULL,
    conversion_amount_minor    INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, currency, window_id)
  ) STRICT;
  CREATE TABLE IF NOT EXISTS merchant_view_pending_inbound (
    payment_id           TEXT PRIMARY KEY,
    merchant_id          TEXT NOT NULL,
    currency             TEXT NOT NULL,
    amount_minor         INTEGER NOT NULL,
    retained_minor       INTEGER NOT NULL,
    converted_from_minor INTEGER NOT NULL,
    to_currency          TEXT NOT NULL,
    converted_to_minor   INTEGER NOT NULL
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
                    payer_participant, refunded_minor, charged_back_minor, mdr_minor, window_id)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?)`,
  findPayment:
    'SELECT merchant_id, currency, amount_minor, refunded_minor, charged_back_minor FROM merchant_payments WHERE transfer_id = ?',
  addRefunded: 'UPDATE merchant_payments SET refunded_minor = refunded_minor + ? WHERE transfer_id = ?',
  addChargedBack: 'UPDATE merchant_payments SET charged_back_minor = charged_back_minor + ? WHERE transfer_id = ?',
  insertPendingRefund:
    'INSERT OR IGNORE INTO merchant_view_pending_refunds (refund_id, payment_transfer_id, amount_minor) VALUES (?, ?, ?)',
  findPendingRefund: 'SELECT * FROM merchant_view_pending_refunds WHERE refund_id = ?',
  deletePendingRefund: 'DELETE FROM merchant_view_pending_refunds WHERE refund_id = ?',
  ensureWindowTotals: `INSERT OR IGNORE INTO merchant_window_totals
                         (merchant_id, currency, window_id, sequence, collected_minor, refunded_minor, charged_back_minor, mdr_minor,
                          inbound_count, inbound_amount_minor, inbound_retained_minor, inbound_converted_minor,
                          conversion_count, conversion_amount_minor)
                       VALUES (?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)`,
  addToWindowTotals: `UPDATE merchant_window_totals
                      SET collected_minor = collected_minor + ?, refunded_minor = refunded_minor + ?,
                          charged_back_minor = charged_back_minor + ?, mdr_minor = mdr_minor + ?,
                          inbound_count = inbound_count + ?, inbound_amount_minor = inbound_amount_minor + ?,
                          inbound_retained_minor = inbound_retained_minor + ?, inbound_converted_minor = inbound_converted_minor + ?,
                          conversion_count = conversion_count + ?, conversion_amount_minor = conversion_amount_minor + ?
                      WHERE merchant_id = ? AND currency = ? AND window_id = ?`,
  insertPendingInbound: `INSERT OR IGNORE INTO merchant_view_pending_inbound
                           (payment_id, merchant_id, currency, amount_minor, retained_minor, converted_from_minor, to_currency, converted_to_minor)
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  findPendingInbound: 'SELECT * FROM merchant_view_pending_inbound WHERE payment_id = ?',
  deletePendingInbound: 'DELETE FROM merchant_view_pending_inbound WHERE payment_id = ?',
} as const;
