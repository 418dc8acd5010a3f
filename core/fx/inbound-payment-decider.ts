import { assert, assertNever } from '../assert';
import { DomainError } from '../errors';
import type { Decider } from '../eventstore/decider-stream';

/** Who paid: a person (B2C) or a business (B2B) abroad. */
export const payerTypes = ['PERSON', 'BUSINESS'] as const;
export type InboundPayer = { type: (typeof payerTypes)[number]; name: string; country: string; taxId: string | null };

/** What the in-bound PSP asked for: the fields a retry must repeat exactly. */
export type InboundPaymentRequest = {
  paymentId: string;
  pspId: string;
  merchantId: string;
  amountMinor: string;
  currency: string;
  quoteId: string | null;
  purposeCode: string;
  payer: InboundPayer;
  invoiceNumber: string | null;
  description: string | null;
};

/**
 * An in-bound payment, stream `inbound-<id>`: recorded once every leg of its conversion is reserved, the decision
 * after which the legs are posted (then InboundPaymentPosted; the type keeps its first name so older logs replay). Amounts are integer strings of minor units: `retainedMinor` and
 * `convertedFromMinor` in `currency` (their sum is `amountMinor`), `convertedToMinor` in `toCurrency`.
 */
export type InboundPaymentCompleted = {
  type: 'InboundPaymentCompleted';
  data: InboundPaymentRequest & {
    acquirerId: string;
    merchantName: string;
    merchantCity: string;
    /** The merchant's NTN or CNIC when the payment was recorded; absent in payments recorded before merchants had one. */
    merchantTaxNumber?: string | null;
    retainedMinor: string;
    convertedFromMinor: string;
    convertedToMinor: string;
    toCurrency: string;
    rate: string;
    providerId: string;
    transferIds: string[];
    completedAt: string;
  };
};
/** Every leg of a recorded payment is posted: the payment is final and the merchant is told. */
export type InboundPaymentPosted = { type: 'InboundPaymentPosted'; data: { paymentId: string; postedAt: string } };

/**
 * Why a recorded payment could not be finished: its reservations ran out (the switch was down past
 * inboundReservationTimeoutMs between recording and posting). Legs already posted in one ledger were reversed.
 */
export const inboundFailureReasons = ['RESERVATION_EXPIRED'] as const;
export type InboundFailureReason = (typeof inboundFailureReasons)[number];

/** A recorded payment that can never post: its reserved legs are released and any posted leg is reversed. */
export type InboundPaymentFailed = {
  type: 'InboundPaymentFailed';
  data: { paymentId: string; reason: InboundFailureReason; reversedTransferIds: string[]; failedAt: string };
};

export type InboundPaymentEvent = InboundPaymentCompleted | InboundPaymentPosted | InboundPaymentFailed;
export type InboundPaymentRecord = InboundPaymentCompleted['data'];

export type RecordInboundPayment = { type: 'RecordInboundPayment'; data: InboundPaymentRecord };
export type MarkInboundPaymentPosted = { type: 'MarkInboundPaymentPosted'; data: InboundPaymentPosted['data'] };
export type MarkInboundPaymentFailed = { type: 'MarkInboundPaymentFailed'; data: InboundPaymentFailed['data'] };
export type InboundPaymentCommand = RecordInboundPayment | MarkInboundPaymentPosted | MarkInboundPaymentFailed;

/**
 * `recorded`: the decision is taken and the legs are reserved, not yet all posted (the answer waits for that);
 * `posted`: final and COMPLETED; `failed`: final and FAILED. Payments recorded before the Posted event existed are
 * `recorded` until the sweep posts them (their legs answer `exists`) and marks them.
 */
export type InboundPaymentState =
  | { status: 'absent' }
  | { status: 'recorded'; payment: InboundPaymentRecord }
  | { status: 'posted'; payment: InboundPaymentRecord; postedAt: string }
  | { status: 'failed'; payment: InboundPaymentRecord; reason: InboundFailureReason; failedAt: string };

/** A payment that exists: recorded, posted or failed. */
export type InboundPaymentFound = Exclude<InboundPaymentState, { status: 'absent' }>;

export const initialState: InboundPaymentState = { status: 'absent' };

export function inboundPaymentStreamName(paymentId: string): string {
  return `inbound-${paymentId}`;
}

export function evolve(state: InboundPaymentState, event: InboundPaymentEvent): InboundPaymentState {
  switch (event.type) {
    case 'InboundPaymentCompleted':
      assert(state.status === 'absent', `in-bound payment ${event.data.paymentId} recorded twice`);
      return { status: 'recorded', payment: event.data };
    case 'InboundPaymentPosted':
      assert(state.status === 'recorded', `in-bound payment ${event.data.paymentId} finished twice or before it was recorded`);
      return { status: 'posted', payment: state.payment, postedAt: event.data.postedAt };
    case 'InboundPaymentFailed':
      assert(state.status === 'recorded', `in-bound payment ${event.data.paymentId} finished twice or before it was recorded`);
      return { status: 'failed', payment: state.payment, reason: event.data.reason, failedAt: event.data.failedAt };
    default:
      return assertNever(event);
  }
}

export function decide(command: InboundPaymentCommand, state: InboundPaymentState): InboundPaymentEvent[] {
  switch (command.type) {
    case 'RecordInboundPayment':
      return decideRecord(command, state);
    case 'MarkInboundPaymentPosted':
      if (state.status === 'posted') return [];
      // Posting after a failure would mean a leg posted after it was reversed: the service never asks it.
      assert(state.status === 'recorded', `in-bound payment ${command.data.paymentId} is ${state.status}, it cannot be posted`);
      return [{ type: 'InboundPaymentPosted', data: command.data }];
    case 'MarkInboundPaymentFailed':
      if (state.status === 'failed') return [];
      assert(state.status === 'recorded', `in-bound payment ${command.data.paymentId} is ${state.status}, it cannot fail`);
      return [{ type: 'InboundPaymentFailed', data: command.data }];
    default:
      return assertNever(command);
  }
}

function decideRecord(command: RecordInboundPayment, state: InboundPaymentState): InboundPaymentEvent[] {
  if (state.status !== 'absent') {
    // A retry after a lost answer finds its own payment: nothing new. Another request with the same id is refused.
    if (sameRequest(state.payment, command.data)) return [];
    throw conflict(command.data.paymentId);
  }
  assert(
    BigInt(command.data.retainedMinor) + BigInt(command.data.convertedFromMinor) === BigInt(command.data.amountMinor),
    'retained and converted are the whole amount',
  );
  return [{ type: 'InboundPaymentCompleted', data: command.data }];
}

/** The same request as the one recorded: every field the PSP sends, compared exactly. */
export function sameRequest(recorded: InboundPaymentRequest, request: InboundPaymentRequest): boolean {
  return (
    recorded.paymentId === request.paymentId &&
    recorded.pspId === request.pspId &&
    recorded.merchantId === request.merchantId &&
    recorded.amountMinor === request.amountMinor &&
    recorded.currency === request.currency &&
    recorded.quoteId === request.quoteId &&
    recorded.purposeCode === request.purposeCode &&
    recorded.payer.type === request.payer.type &&
    recorded.payer.name === request.payer.name &&
    recorded.payer.country === request.payer.country &&
    recorded.payer.taxId === request.payer.taxId &&
    recorded.invoiceNumber === request.invoiceNumber &&
    recorded.description === request.description
  );
}

export function conflict(paymentId: string): DomainError {
  return new DomainError('INBOUND_PAYMENT_CONFLICT', `in-bound payment ${paymentId} exists with different details`);
}

export const inboundPaymentDecider: Decider<InboundPaymentCommand, InboundPaymentEvent, InboundPaymentState> = {
  initialState,
  evolve,
  decide,
  eventTypes: ['InboundPaymentCompleted', 'InboundPaymentPosted', 'InboundPaymentFailed'],
};
