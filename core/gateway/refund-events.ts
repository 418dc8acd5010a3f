import { createHash } from 'node:crypto';

/**
 * Facts of a refund's stream `refund-<id>`. Money is an integer string of minor units. The refund's transfer is an
 * ordinary transfer (purpose REFUND) in its own stream; these events say which refund it is and how it ended.
 */
export type RefundRequested = {
  type: 'RefundRequested';
  data: {
    refundId: string;
    merchantId: string;
    sessionId: string;
    /** The P2M transfer that paid the session: what is refunded. */
    paymentTransferId: string;
    /** The refund's own transfer, acquirer to the payer's participant. */
    transferId: string;
    amountMinor: string;
    currency: string;
    reason: string | null;
    /** SHA-256 of the creating request's body, so that a retry with another body is told apart. */
    requestDigest: string;
    at: string;
  };
};
export type RefundSucceeded = { type: 'RefundSucceeded'; data: { refundId: string; at: string } };
export type RefundFailed = { type: 'RefundFailed'; data: { refundId: string; failureReason: string; at: string } };

export type RefundEvent = RefundRequested | RefundSucceeded | RefundFailed;
export const refundEventTypes: readonly RefundEvent['type'][] = ['RefundRequested', 'RefundSucceeded', 'RefundFailed'];

/**
 * Facts of a payment's refunds stream `payment-refunds-<transferId>`: the amount each refund holds against what was
 * paid. A refund holds its amount from its request on (appended in the same write, expecting this stream's revision,
 * so that concurrent refunds cannot together exceed the payment) and gives it back only when it fails.
 */
export type RefundAmountHeld = {
  type: 'RefundAmountHeld';
  data: { refundId: string; paymentTransferId: string; amountMinor: string; at: string };
};
export type RefundAmountReleased = { type: 'RefundAmountReleased'; data: { refundId: string; paymentTransferId: string; at: string } };

/**
 * A dispute's chargeback of the payment, written by the dispute module in the chargeback's durable write, expecting
 * this stream at the revision whose refunds it capped the chargeback by. Refunds and chargebacks of one payment so
 * meet on this stream: one decided on a read the other has since changed is refused a write and decides again.
 * `chargedBackMinor` is what every chargeback of the payment has taken with this one.
 */
export type PaymentChargedBack = {
  type: 'PaymentChargedBack';
  data: { paymentTransferId: string; disputeId: string; amountMinor: string; chargedBackMinor: string; at: string };
};

/**
 * The payer's bank reversed the payment in full (an ISO 8583 0420), written by the transfer service in the ledger
 * reversal's durable write, expecting this stream at the revision that showed nothing given back yet. A refund or a
 * chargeback decided on an older read meets it and decides again, and then finds nothing left to give back.
 */
export type PaymentReversedByPayer = {
  type: 'PaymentReversedByPayer';
  data: { paymentTransferId: string; amountMinor: string; at: string };
};

export type PaymentRefundsEvent = RefundAmountHeld | RefundAmountReleased | PaymentChargedBack | PaymentReversedByPayer;
export const paymentRefundsEventTypes: readonly PaymentRefundsEvent['type'][] = [
  'RefundAmountHeld',
  'RefundAmountReleased',
  'PaymentChargedBack',
  'PaymentReversedByPayer',
];

/** Refund ids: `re_` and 22 characters of [A-Za-z0-9], as session ids are. */
export const refundIdPattern = /^re_[A-Za-z0-9]{22}$/;
const idAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * The refund a merchant's Idempotency-Key names: derived from the merchant and the key, so that the refund's own
 * stream is the key's claim (a retry finds it, a race for it meets `no_stream`) and no other index is needed.
 */
export function refundIdOf(merchantId: string, idempotencyKey: string): string {
  const digest = createHash('sha256').update(`refund\n${merchantId}\n${idempotencyKey}`, 'utf8').digest();
  let suffix = '';
  for (let index = 0; index < 22; index += 1) suffix += idAlphabet[(digest[index] as number) % idAlphabet.length];
  return `re_${suffix}`;
}

export function refundStreamName(refundId: string): string {
  return `refund-${refundId}`;
}

export function paymentRefundsStreamName(paymentTransferId: string): string {
  return `payment-refunds-${paymentTransferId}`;
}
