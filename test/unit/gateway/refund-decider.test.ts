import {
  decidePayerReversal,
  decidePaymentRefunds,
  decideRefund,
  evolvePaymentRefunds,
  evolveRefund,
  initialPaymentRefundsState,
  initialRefundState,
  refundedMinorOf,
  refundsPerPaymentMax,
  type PaymentRefundsCommand,
  type PaymentRefundsState,
} from '../../../core/gateway/refund-decider';
import type { PaymentRefundsEvent, RefundEvent, RefundRequested } from '../../../core/gateway/refund-events';
import { refundIdOf, refundIdPattern } from '../../../core/gateway/refund-events';
import { DeciderSpecification } from '../../support/decider-spec';

const now = new Date('2026-12-03T08:00:00.000Z');
const at = now.toISOString();
const paymentTransferId = 'pay-1';

const holds = DeciderSpecification.for<PaymentRefundsCommand, PaymentRefundsEvent, PaymentRefundsState, PaymentRefundsEvent[]>({
  decide: decidePaymentRefunds,
  evolve: evolvePaymentRefunds,
  initialState: () => initialPaymentRefundsState,
});

const hold = (refundId: string, amountMinor: bigint, paidMinor = 100_000n, chargedBackMinor = 0n): PaymentRefundsCommand => ({
  type: 'HoldRefundAmount',
  data: { refundId, paymentTransferId, amountMinor, paidMinor, chargedBackMinor, currency: 'PKR' },
  now,
});
const held = (refundId: string, amountMinor: bigint): PaymentRefundsEvent => ({
  type: 'RefundAmountHeld',
  data: { refundId, paymentTransferId, amountMinor: amountMinor.toString(), at },
});
const released = (refundId: string): PaymentRefundsEvent => ({ type: 'RefundAmountReleased', data: { refundId, paymentTransferId, at } });

describe('payment refunds decider', () => {
  it('holds a refund up to exactly what was paid, and refuses a paisa more', () => {
    holds
      .given([held('re-1', 60_000n)])
      .when(hold('re-2', 40_000n))
      .then([held('re-2', 40_000n)]);
    holds
      .given([held('re-1', 60_000n)])
      .when(hold('re-2', 40_001n))
      .thenThrows('REFUND_EXCEEDS_PAYMENT');
  });

  it('counts the chargebacks taken: refunds and chargebacks never give back more than was paid', () => {
    holds
      .given([held('re-1', 60_000n)])
      .when(hold('re-2', 10_000n, 150_000n, 90_000n))
      .thenThrows('REFUND_EXCEEDS_PAYMENT');
    holds
      .given([held('re-1', 10_000n)])
      .when(hold('re-2', 65_000n, 100_000n, 25_000n))
      .then([held('re-2', 65_000n)]);
    holds
      .given([held('re-1', 10_000n)])
      .when(hold('re-2', 65_001n, 100_000n, 25_000n))
      .thenThrows('REFUND_EXCEEDS_PAYMENT');
  });

  it('counts a chargeback written to the payment’s stream even when the index read for the command is older', () => {
    const chargedBack: PaymentRefundsEvent = {
      type: 'PaymentChargedBack',
      data: { paymentTransferId, disputeId: 'dp_1', amountMinor: '90000', chargedBackMinor: '90000', at },
    };
    holds
      .given([held('re-1', 10_000n), chargedBack])
      .when(hold('re-2', 1n, 100_000n, 0n))
      .thenThrows('REFUND_EXCEEDS_PAYMENT');
    holds
      .given([chargedBack])
      .when(hold('re-2', 10_000n, 100_000n, 0n))
      .then([held('re-2', 10_000n)]);
  });

  it('counts a failed refund no longer: its released amount can be refunded again', () => {
    holds
      .given([held('re-1', 100_000n), released('re-1')])
      .when(hold('re-2', 100_000n))
      .then([held('re-2', 100_000n)]);
  });

  it('holds the same refund once (a retry), and releases only what it holds', () => {
    holds
      .given([held('re-1', 10n)])
      .when(hold('re-1', 10n))
      .then([]);
    holds
      .given([])
      .when({ type: 'ReleaseRefundAmount', data: { refundId: 're-1', paymentTransferId }, now })
      .then([]);
  });

  it('allows a bounded number of refunds per payment, failed ones included', () => {
    const history: PaymentRefundsEvent[] = [];
    for (let index = 0; index < refundsPerPaymentMax; index += 1) history.push(held(`re-${index}`, 1n), released(`re-${index}`));
    holds.given(history).when(hold('re-last', 1n)).thenThrows('REFUND_LIMIT_REACHED');
  });

  it('reports what the refunds that did not fail hold', () => {
    const state = [held('re-1', 5n), held('re-2', 7n), released('re-1')].reduce(evolvePaymentRefunds, initialPaymentRefundsState);
    expect(refundedMinorOf(state)).toBe(7n);
  });
});

const reversedByPayer: PaymentRefundsEvent = { type: 'PaymentReversedByPayer', data: { paymentTransferId, amountMinor: '100000', at } };
const chargedBack = (chargedBackMinor: bigint): PaymentRefundsEvent => ({
  type: 'PaymentChargedBack',
  data: {
    paymentTransferId,
    disputeId: 'dp-1',
    amountMinor: chargedBackMinor.toString(),
    chargedBackMinor: chargedBackMinor.toString(),
    at,
  },
});

/**
 * The payer's reversal decided on the payment's refunds stream after `events`, with `indexChargedBackMinor` from the
 * index and `pendingRefundedMinor` held by refunds not read SUCCEEDED.
 */
function reversalAfter(
  events: readonly PaymentRefundsEvent[],
  indexChargedBackMinor = 0n,
  pendingRefundedMinor = 0n,
): PaymentRefundsEvent[] {
  const state = events.reduce(evolvePaymentRefunds, initialPaymentRefundsState);
  return decidePayerReversal(state, {
    paymentTransferId,
    amountMinor: 100_000n,
    chargedBackMinor: indexChargedBackMinor,
    pendingRefundedMinor,
    currency: 'PKR',
    at,
  });
}

describe('payer reversal of a payment', () => {
  it('reverses a payment nothing has gone back from, and a failed refund gave nothing back', () => {
    expect(reversalAfter([])).toEqual([reversedByPayer]);
    expect(reversalAfter([held('re-1', 10_000n), released('re-1')])).toEqual([reversedByPayer]);
  });

  it('never reverses a payment a refund gave back from: the payer would be paid twice', () => {
    expect(() => reversalAfter([held('re-1', 1n)])).toThrow(expect.objectContaining({ code: 'TRANSFER_GIVEN_BACK' }));
    expect(() => reversalAfter([held('re-1', 1n), held('re-2', 5n)], 0n, 5n)).toThrow(
      expect.objectContaining({ code: 'TRANSFER_GIVEN_BACK' }),
    );
  });

  it('refuses a payment only pending refunds hold from for now, not for good: one may still fail and give back', () => {
    expect(() => reversalAfter([held('re-1', 10n)], 0n, 10n)).toThrow(expect.objectContaining({ code: 'TRANSFER_REFUND_PENDING' }));
    expect(() => reversalAfter([held('re-1', 10n), chargedBack(500n)], 0n, 10n)).toThrow(
      expect.objectContaining({ code: 'TRANSFER_GIVEN_BACK' }),
    );
  });

  it('never reverses a payment a chargeback took from, whether the stream or only the disputes’ index holds it', () => {
    expect(() => reversalAfter([chargedBack(500n)])).toThrow(expect.objectContaining({ code: 'TRANSFER_GIVEN_BACK' }));
    expect(() => reversalAfter([], 500n)).toThrow(expect.objectContaining({ code: 'TRANSFER_GIVEN_BACK' }));
  });

  it('records a reversal once: a repeated 0421 decides nothing more', () => {
    expect(reversalAfter([reversedByPayer])).toEqual([]);
  });

  it('refuses a refund of a payment its payer’s bank reversed', () => {
    holds.given([reversedByPayer]).when(hold('re-1', 1n)).thenThrows('SESSION_NOT_PAID');
  });
});

describe('refund decider', () => {
  const requested: RefundRequested = {
    type: 'RefundRequested',
    data: {
      refundId: 're_x',
      merchantId: 'SHOP1',
      sessionId: 'cs_x',
      paymentTransferId,
      transferId: 't-1',
      amountMinor: '100',
      currency: 'PKR',
      reason: null,
      requestDigest: 'd',
      at,
    },
  };

  it('ends a pending refund once: a second outcome adds nothing', () => {
    const pending = evolveRefund(initialRefundState, requested);
    expect(decideRefund({ type: 'FailRefund', data: { refundId: 're_x', failureReason: 'PAYEE_REJECTED' }, now }, pending)).toEqual([
      { type: 'RefundFailed', data: { refundId: 're_x', failureReason: 'PAYEE_REJECTED', at } },
    ]);
    const succeeded: RefundEvent = { type: 'RefundSucceeded', data: { refundId: 're_x', at } };
    const done = evolveRefund(pending, succeeded);
    expect(done.status).toBe('SUCCEEDED');
    expect(decideRefund({ type: 'FailRefund', data: { refundId: 're_x', failureReason: 'PAYEE_REJECTED' }, now }, done)).toEqual([]);
    expect(() => decideRefund({ type: 'SucceedRefund', data: { refundId: 're_y' }, now }, initialRefundState)).toThrow(/does not exist/);
  });

  it('derives the refund id from the merchant and its key: the same pair, the same id; another merchant, another', () => {
    expect(refundIdOf('SHOP1', 'k-1')).toMatch(refundIdPattern);
    expect(refundIdOf('SHOP1', 'k-1')).toBe(refundIdOf('SHOP1', 'k-1'));
    expect(refundIdOf('SHOP2', 'k-1')).not.toBe(refundIdOf('SHOP1', 'k-1'));
  });
});
