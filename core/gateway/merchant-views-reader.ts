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
  /** Taken back from the merchant by dispute chargebacks (issue 12). */
  chargedBackMinor: bigint;
  mdrMinor: bigint;
};

/**
 * What a merchant collected, had refunded, lost to chargebacks and left as MDR in one settlement window, and what
 * in-bound payments (issue 17) brought it there.
 */
export type MerchantWindowTotals = MerchantAmounts & { windowId: string; inbound: MerchantInboundAmounts };

/**
 * In-bound payments in one currency, counted once their legs are posted (a failed one never): `received` are the
 * payments made in this currency (the whole amount, the part the merchant kept in it and the part converted away);
 * `conversions` are the rupees their conversions brought in this currency (only PKR has them). Minor units.
 */
export type MerchantInboundAmounts = {
  received: { count: number; amountMinor: bigint; retainedMinor: bigint; convertedMinor: bigint };
  conversions: { count: number; amountMinor: bigint };
};

export function noInboundAmounts(): MerchantInboundAmounts {
  return { received: { count: 0, amountMinor: 0n, retainedMinor: 0n, convertedMinor: 0n }, conversions: { count: 0, amountMinor: 0n } };
}

/** What the merchant's acquirer was credited for it in this currency by in-bound payments: retained plus converted in. */
export function inboundCreditedMinor(amounts: MerchantInboundAmounts): bigint {
  return amounts.received.retainedMinor + amounts.conversions.amountMinor;
}

export type MerchantAmounts = { collectedMinor: bigint; refundedMinor: bigint; chargedBackMinor: bigint; mdrMinor: bigint };

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

/**
 * What the merchant is owed of an amount: collected − refunded − charged back − MDR (the MDR stays with the acquirer
 * on a refund or a chargeback).
 */
export function merchantNetMinor(amounts: MerchantAmounts): bigint {
  return amounts.collectedMinor - amounts.refundedMinor - amounts.chargedBackMinor - amounts.mdrMinor;
}
