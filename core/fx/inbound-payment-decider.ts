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
 * after which the legs are posted. Amounts are integer strings of minor units: `retainedMinor` and
 * `convertedFromMinor` in `currency` (their sum is `amountMinor`), `convertedToMinor` in `toCurrency`.
 */
export type InboundPaymentCompleted = {
  type: 'InboundPaymentCompleted';
  data: InboundPaymentRequest & {
    acquirerId: string;
    merchantName: string;
    merchantCity: string;
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
export type InboundPaymentEvent = InboundPaymentCompleted;
export type InboundPaymentRecord = InboundPaymentCompleted['data'];

export type RecordInboundPayment = { type: 'RecordInboundPayment'; data: InboundPaymentRecord };

export type InboundPaymentState = { status: 'absent' } | { status: 'completed'; payment: InboundPaymentRecord };

export const initialState: InboundPaymentState = { status: 'absent' };

export function inboundPaymentStreamName(paymentId: string): string {
  return `inbound-${paymentId}`;
}

export function evolve(state: InboundPaymentState, event: InboundPaymentEvent): InboundPaymentState {
  switch (event.type) {
    case 'InboundPaymentCompleted':
      assert(state.status === 'absent', `in-bound payment ${event.data.paymentId} recorded twice`);
      return { status: 'completed', payment: event.data };
    default:
      return assertNever(event.type);
  }
}

export function decide(command: RecordInboundPayment, state: InboundPaymentState): InboundPaymentEvent[] {
  if (state.status === 'completed') {
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

export const inboundPaymentDecider: Decider<RecordInboundPayment, InboundPaymentEvent, InboundPaymentState> = {
  initialState,
  evolve,
  decide,
  eventTypes: ['InboundPaymentCompleted'],
};
