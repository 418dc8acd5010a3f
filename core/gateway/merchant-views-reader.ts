/** A merchant's payment as the merchant views read model holds it (amounts in minor units). */
export type MerchantPaymentRecord = {
  /** The log position of its commit: the list's order and cursor. */
  position: bigint;
  sessionId: string | null;
  orderId: string | null;
  transferId: string;
  amountMinor: bigint;
  currency: string;
  paidAt: string;
  payerParticipant: string;
  refundedMinor: bigint;
  mdrMinor: bigint;
};

/** What a merchant collected, had refunded and left as MDR in one settlement window. */
export type MerchantWindowTotals = { windowId: string; collectedMinor: bigint; refundedMinor: bigint; mdrMinor: bigint };

export type MerchantPaymentQuery = {
  merchantId: string;
  /** Paid at or after (inclusive), ISO-8601. */
  from: string | null;
  /** Paid before (exclusive), ISO-8601. */
  to: string | null;
  afterPosition: bigint | null;
  limit: number;
};

export const merchantViewLimits = { pageLimitDefault: 50, pageLimitMax: 500, windowsMax: 1_000 } as const;

/** Read side of the merchant views (issue 11), answered from a projection (adapters/readmodel-sqlite/projections/merchant-views-*). */
export interface MerchantViewsReader {
  listPayments(query: MerchantPaymentQuery): MerchantPaymentRecord[];
  /** Per window, oldest first, at most `merchantViewLimits.windowsMax` (the most recent ones). */
  windowTotals(merchantId: string, currency: string): MerchantWindowTotals[];
  /** Refunds requested and not yet ended, oldest first, at most `limit`: what the refund sweeper looks at. */
  pendingRefundIds(limit: number): string[];
}

/** What the merchant is owed of an amount: collected − refunded − MDR (the MDR stays with the acquirer on a refund). */
export function merchantNetMinor(amounts: { collectedMinor: bigint; refundedMinor: bigint; mdrMinor: bigint }): bigint {
  return amounts.collectedMinor - amounts.refundedMinor - amounts.mdrMinor;
}
