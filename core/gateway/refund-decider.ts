import { assert, assertNever } from '../assert';
import { DomainError } from '../errors';
import type { Decider } from '../eventstore/decider-stream';
import { formatAmount } from '../money';
import { paymentRefundsEventTypes, refundEventTypes } from './refund-events';
import type { PaymentRefundsEvent, RefundEvent, RefundRequested } from './refund-events';

export type RefundStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

export type RefundState =
  | { status: 'absent' }
  | { status: RefundStatus; requested: RefundRequested['data']; failureReason: string | null; completedAt: string | null };

export const initialRefundState: RefundState = { status: 'absent' };

export function evolveRefund(state: RefundState, event: RefundEvent): RefundState {
  switch (event.type) {
    case 'RefundRequested':
      assert(state.status === 'absent', `refund ${event.data.refundId} requested twice`);
      return { status: 'PENDING', requested: event.data, failureReason: null, completedAt: null };
    case 'RefundSucceeded':
      assert(state.status !== 'absent', `refund ${event.data.refundId} succeeded before its request`);
      return { ...state, status: 'SUCCEEDED', completedAt: event.data.at };
    case 'RefundFailed':
      assert(state.status !== 'absent', `refund ${event.data.refundId} failed before its request`);
      return { ...state, status: 'FAILED', failureReason: event.data.failureReason, completedAt: event.data.at };
    default:
      return assertNever(event);
  }
}

/**
 * What a payment's refunds hold: per refund that has not failed, its amount; how many were ever asked; and what the
 * chargebacks written here have taken (chargebacks from before they were written here are in the disputes' index).
 */
export type PaymentRefundsState = {
  held: ReadonlyMap<string, bigint>;
  requestedCount: number;
  chargedBackMinor: bigint;
  /** Whether the payer's bank reversed the payment in full (ISO 8583 0420): nothing is then left to give back. */
  reversedByPayer: boolean;
};

export const initialPaymentRefundsState: PaymentRefundsState = {
  held: new Map(),
  requestedCount: 0,
  chargedBackMinor: 0n,
  reversedByPayer: false,
};

/**
 * Refunds one payment may have, failed ones included: each is decided on the payment's whole refunds stream, so the
 * stream stays short; a shop refunding an order item by item needs far fewer.
 */
export const refundsPerPaymentMax = 100;

export function evolvePaymentRefunds(state: PaymentRefundsState, event: PaymentRefundsEvent): PaymentRefundsState {
  const held = new Map(state.held);
  switch (event.type) {
    case 'RefundAmountHeld':
      held.set(event.data.refundId, BigInt(event.data.amountMinor));
      return { ...state, held, requestedCount: state.requestedCount + 1 };
    case 'RefundAmountReleased':
      held.delete(event.data.refundId);
      return { ...state, held };
    case 'PaymentChargedBack':
      return { ...state, chargedBackMinor: maxBigint(state.chargedBackMinor, BigInt(event.data.chargedBackMinor)) };
    case 'PaymentReversedByPayer':
      assert(
        state.held.size === 0 && state.chargedBackMinor === 0n,
        `payment ${event.data.paymentTransferId} reversed after money went back`,
      );
      return { ...state, reversedByPayer: true };
    default:
      return assertNever(event);
  }
}

/** The amount refunds that did not fail hold against the payment (pending ones included: they may still succeed). */
export function refundedMinorOf(state: PaymentRefundsState): bigint {
  let total = 0n;
  for (const amountMinor of state.held.values()) total += amountMinor;
  return total;
}

/** A refund's hold as decided: the payment's amount and what chargebacks have taken of it, in the payment's currency. */
export type RefundHold = {
  refundId: string;
  paymentTransferId: string;
  amountMinor: bigint;
  paidMinor: bigint;
  chargedBackMinor: bigint;
  currency: string;
  at: string;
};

/**
 * Decides whether a refund of `amountMinor` may hold its amount against a payment of `paidMinor`: the refunds that
 * did not fail and the chargebacks taken never add up to more than was paid, so a payment is not given back twice.
 * `currency` is the payment's (and so the refund's), in which a refusal states the amounts, as the API writes them
 * everywhere.
 */
export function decideHold(state: PaymentRefundsState, hold: RefundHold): PaymentRefundsEvent[] {
  const { refundId, paymentTransferId, amountMinor, paidMinor, chargedBackMinor, currency, at } = hold;
  assert(amountMinor > 0n, 'a refund is of a positive amount');
  assert(chargedBackMinor >= 0n, 'chargebacks take a non-negative amount');
  if (state.held.has(refundId)) return [];
  // The payer's bank took the whole payment back already: a refund would pay the customer a second time.
  if (state.reversedByPayer) {
    throw new DomainError(
      'SESSION_NOT_PAID',
      `payment ${paymentTransferId} was reversed by the payer's bank (ISO 8583 0420): nothing is left to refund`,
    );
  }
  if (state.requestedCount >= refundsPerPaymentMax) {
    throw new DomainError('REFUND_LIMIT_REACHED', `a payment can have at most ${refundsPerPaymentMax} refunds, failed ones included`);
  }
  const refundedMinor = refundedMinorOf(state);
  // The index read for the command may be older than this stream, which a chargeback since has written to.
  const takenMinor = maxBigint(chargedBackMinor, state.chargedBackMinor);
  if (refundedMinor + takenMinor + amountMinor > paidMinor) {
    const leftMinor = paidMinor - refundedMinor - takenMinor;
    const refundable = formatAmount(leftMinor > 0n ? leftMinor : 0n, currency);
    const paid = `${formatAmount(paidMinor, currency)} ${currency}`;
    throw new DomainError(
      'REFUND_EXCEEDS_PAYMENT',
      `${takenMinor > 0n ? 'refunds and chargebacks' : 'refunds'} of this payment would add up to more than was paid (${paid}): ` +
        `${refundable} ${currency} is left to refund, and this refund is of ${formatAmount(amountMinor, currency)} ${currency}`,
      [{ path: ['amount'], refundable }],
    );
  }
  return [{ type: 'RefundAmountHeld', data: { refundId, paymentTransferId, amountMinor: amountMinor.toString(), at } }];
}

/**
 * A payer's reversal as decided: the payment, its whole amount, what the disputes' index says chargebacks took, and
 * how much of what the refunds hold is held by refunds not read SUCCEEDED on their own streams (pending ones, and one
 * that failed after the refunds stream was read, whose release is on that stream by now).
 */
export type PayerReversal = {
  paymentTransferId: string;
  amountMinor: bigint;
  chargedBackMinor: bigint;
  pendingRefundedMinor: bigint;
  currency: string;
  at: string;
};

/**
 * Decides whether the payer's bank may take a payment back in full: only while nothing of it has gone back another
 * way. A refund that succeeded or a chargeback taken already gave the customer money back, and a full reversal on
 * top would give it again; the bank is refused (TRANSFER_GIVEN_BACK), and the merchant's refunds and the disputes are
 * then the ways back. Refunds still pending refuse it for now only (TRANSFER_REFUND_PENDING): each may succeed, or fail
 * and give back, and the bank's repeat is decided once they have ended. A reversal recorded already decides nothing more.
 */
export function decidePayerReversal(state: PaymentRefundsState, reversal: PayerReversal): PaymentRefundsEvent[] {
  const { paymentTransferId, amountMinor, chargedBackMinor, pendingRefundedMinor, currency, at } = reversal;
  assert(amountMinor > 0n, 'a reversed payment is of a positive amount');
  assert(chargedBackMinor >= 0n, 'chargebacks take a non-negative amount');
  if (state.reversedByPayer) return [];
  const refundedMinor = refundedMinorOf(state);
  assert(pendingRefundedMinor >= 0n && pendingRefundedMinor <= refundedMinor, 'pending refunds are among those held');
  const takenMinor = maxBigint(chargedBackMinor, state.chargedBackMinor);
  // Only pending refunds stand in the way: one may still fail and give its hold back, and a final refusal would then
  // leave the customer with nothing back at all. The payer's bank is asked to repeat once they have ended.
  if (refundedMinor === pendingRefundedMinor && pendingRefundedMinor > 0n && takenMinor === 0n) {
    throw new DomainError(
      'TRANSFER_REFUND_PENDING',
      `transfer ${paymentTransferId} cannot be reversed yet: ${formatAmount(pendingRefundedMinor, currency)} ${currency} of it ` +
        'is held by refunds still pending',
    );
  }
  if (refundedMinor > 0n || takenMinor > 0n) {
    throw new DomainError(
      'TRANSFER_GIVEN_BACK',
      `transfer ${paymentTransferId} cannot be reversed: ${formatAmount(refundedMinor, currency)} ${currency} of it is refunded ` +
        `(pending refunds included) and ${formatAmount(takenMinor, currency)} ${currency} charged back already`,
    );
  }
  return [{ type: 'PaymentReversedByPayer', data: { paymentTransferId, amountMinor: amountMinor.toString(), at } }];
}

function maxBigint(left: bigint, right: bigint): bigint {
  return left > right ? left : right;
}

export type RefundCommand =
  | { type: 'SucceedRefund'; data: { refundId: string }; now: Date }
  | { type: 'FailRefund'; data: { refundId: string; failureReason: string }; now: Date };

/** A refund ends once: a second outcome (a retry finishing it again) adds nothing. */
export function decideRefund(command: RefundCommand, state: RefundState): RefundEvent[] {
  if (state.status === 'absent') throw new DomainError('REFUND_NOT_FOUND', `refund ${command.data.refundId} does not exist`);
  if (state.status !== 'PENDING') return [];
  const at = command.now.toISOString();
  switch (command.type) {
    case 'SucceedRefund':
      return [{ type: 'RefundSucceeded', data: { refundId: command.data.refundId, at } }];
    case 'FailRefund':
      return [{ type: 'RefundFailed', data: { refundId: command.data.refundId, failureReason: command.data.failureReason, at } }];
    default:
      return assertNever(command);
  }
}

export const refundDecider: Decider<RefundCommand, RefundEvent, RefundState> = {
  initialState: initialRefundState,
  evolve: evolveRefund,
  decide: decideRefund,
  eventTypes: refundEventTypes,
};

export type PaymentRefundsCommand =
  | { type: 'HoldRefundAmount'; data: Omit<RefundHold, 'at'>; now: Date }
  | { type: 'ReleaseRefundAmount'; data: { refundId: string; paymentTransferId: string }; now: Date };

export function decidePaymentRefunds(command: PaymentRefundsCommand, state: PaymentRefundsState): PaymentRefundsEvent[] {
  const at = command.now.toISOString();
  switch (command.type) {
    case 'HoldRefundAmount':
      return decideHold(state, { ...command.data, at });
    case 'ReleaseRefundAmount':
      if (!state.held.has(command.data.refundId)) return [];
      return [{ type: 'RefundAmountReleased', data: { ...command.data, at } }];
    default:
      return assertNever(command);
  }
}

export const paymentRefundsDecider: Decider<PaymentRefundsCommand, PaymentRefundsEvent, PaymentRefundsState> = {
  initialState: initialPaymentRefundsState,
  evolve: evolvePaymentRefunds,
  decide: decidePaymentRefunds,
  eventTypes: paymentRefundsEventTypes,
};
