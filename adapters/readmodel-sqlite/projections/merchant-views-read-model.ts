import type Database from 'better-sqlite3';
import {
  merchantViewLimits,
  type MerchantPaymentQuery,
  type MerchantPaymentRecord,
  type MerchantViewsReader,
  type MerchantWindowTotals,
} from '../../../core/gateway/merchant-views-reader';

type PaymentRow = {
  position: bigint;
  transfer_id: string;
  session_id: string | null;
  order_id: string | null;
  amount_minor: bigint;
  currency: string;
  paid_at: string;
  payer_participant: string;
  refunded_minor: bigint;
  charged_back_minor: bigint;
  mdr_minor: bigint;
};
type WindowRow = {
  window_id: string;
  collected_minor: bigint;
  refunded_minor: bigint;
  charged_back_minor: bigint;
  mdr_minor: bigint;
  inbound_count: bigint;
  inbound_amount_minor: bigint;
  inbound_retained_minor: bigint;
  inbound_converted_minor: bigint;
  conversion_count: bigint;
  conversion_amount_minor: bigint;
};

/** Reads the merchant-views projection's tables (merchant-views-projection.ts). */
export class SqliteMerchantViewsReader implements MerchantViewsReader {
  private readonly payments: Database.Statement;
  private readonly windows: Database.Statement;
  private readonly pendingRefunds: Database.Statement;

  constructor(database: Database.Database) {
    this.payments = database
      .prepare(
        `SELECT * FROM merchant_payments
         WHERE merchant_id = @merchantId AND position > @afterPosition
           AND (@from IS NULL OR paid_at >= @from) AND (@to IS NULL OR paid_at < @to)
         ORDER BY position LIMIT @limit`,
      )
      .safeIntegers(true);
    this.windows = database
      .prepare(
        `SELECT * FROM (SELECT * FROM merchant_window_totals WHERE merchant_id = ? AND currency = ? ORDER BY sequence DESC LIMIT ?)
         ORDER BY sequence`,
      )
      .safeIntegers(true);
    this.pendingRefunds = database.prepare('SELECT refund_id FROM merchant_view_pending_refunds ORDER BY rowid LIMIT ?').pluck();
  }

  pendingRefundIds(limit: number): string[] {
    return this.pendingRefunds.all(limit) as string[];
  }

  listPayments(query: MerchantPaymentQuery): MerchantPaymentRecord[] {
    const rows = this.payments.all({
      merchantId: query.merchantId,
      afterPosition: query.afterPosition ?? -1n,
      from: query.from,
      to: query.to,
      limit: query.limit,
    }) as PaymentRow[];
    return rows.map((row) => ({
      position: row.position,
      sessionId: row.session_id,
      orderId: row.order_id,
      transferId: row.transfer_id,
      amountMinor: row.amount_minor,
      currency: row.currency,
      paidAt: row.paid_at,
      payerParticipant: row.payer_participant,
      refundedMinor: row.refunded_minor,
      chargedBackMinor: row.charged_back_minor,
      mdrMinor: row.mdr_minor,
    }));
  }

  windowTotals(merchantId: string, currency: string): MerchantWindowTotals[] {
    const rows = this.windows.all(merchantId, currency, merchantViewLimits.windowsMax) as WindowRow[];
    return rows.map((row) => ({
      windowId: row.window_id,
      collectedMinor: row.collected_minor,
      refundedMinor: row.refunded_minor,
      chargedBackMinor: row.charged_back_minor,
      mdrMinor: row.mdr_minor,
      inbound: {
        received: {
          count: Number(row.inbound_count),
          amountMinor: row.inbound_amount_minor,
          retainedMinor: row.inbound_retained_minor,
          convertedMinor: row.inbound_converted_minor,
        },
        conversions: { count: Number(row.conversion_count), amountMinor: row.conversion_amount_minor },
      },
    }));
  }
}
