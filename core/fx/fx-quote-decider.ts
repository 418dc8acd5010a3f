import { assert, assertNever } from '../assert';
import { DomainError } from '../errors';
import type { Decider } from '../eventstore/decider-stream';
import { formatAmount } from '../money';

/**
 * A quote, stream `fx-quote-<id>`: a provider's rate locked for one in-bound PSP until `expiresAt`, for one
 * source amount. It is used by at most one in-bound payment; the same payment may present it again (a retry).
 * Amounts are integer strings of minor units.
 */
export type FxQuoteGiven = {
  type: 'FxQuoteGiven';
  data: {
    quoteId: string;
    pspId: string;
    providerId: string;
    from: string;
    to: string;
    rate: string;
    fromAmountMinor: string;
    toAmountMinor: string;
    expiresAt: string;
    at: string;
  };
};
export type FxQuoteUsed = { type: 'FxQuoteUsed'; data: { quoteId: string; paymentId: string; at: string } };
export type FxQuoteEvent = FxQuoteGiven | FxQuoteUsed;

export type GivenQuote = Omit<FxQuoteGiven['data'], 'at'>;

export type FxQuoteCommand =
  | { type: 'GiveQuote'; data: GivenQuote; now: Date }
  | {
      type: 'UseQuote';
      data: { quoteId: string; pspId: string; paymentId: string; from: string; to: string; fromAmountMinor: bigint };
      now: Date;
    };

export type FxQuoteState = { status: 'absent' } | { status: 'given'; quote: GivenQuote; usedBy: string | null };

export const initialState: FxQuoteState = { status: 'absent' };

export function fxQuoteStreamName(quoteId: string): string {
  return `fx-quote-${quoteId}`;
}

export function evolve(state: FxQuoteState, event: FxQuoteEvent): FxQuoteState {
  switch (event.type) {
    case 'FxQuoteGiven': {
      assert(state.status === 'absent', `quote ${event.data.quoteId} given twice`);
      const { at: _at, ...quote } = event.data;
      return { status: 'given', quote, usedBy: null };
    }
    case 'FxQuoteUsed':
      assert(state.status === 'given', `quote ${event.data.quoteId} used before it was given`);
      return { ...state, usedBy: event.data.paymentId };
    default:
      return assertNever(event);
  }
}

export function decide(command: FxQuoteCommand, state: FxQuoteState): FxQuoteEvent[] {
  switch (command.type) {
    case 'GiveQuote':
      assert(state.status === 'absent', 'quote ids are generated fresh');
      return [{ type: 'FxQuoteGiven', data: { ...command.data, at: command.now.toISOString() } }];
    case 'UseQuote':
      return decideUse(command.data, state, command.now);
    default:
      return assertNever(command);
  }
}

function decideUse(data: Extract<FxQuoteCommand, { type: 'UseQuote' }>['data'], state: FxQuoteState, now: Date): FxQuoteEvent[] {
  // Another PSP's quote is as good as unknown: its existence is not this caller's business.
  if (state.status !== 'given' || state.quote.pspId !== data.pspId) {
    throw new DomainError('FX_QUOTE_NOT_FOUND', `there is no quote ${data.quoteId.slice(0, 40)} for ${data.pspId}`);
  }
  // Checked before the expiry: a retry of the payment that used the quote succeeds however late it comes.
  if (state.usedBy === data.paymentId) return [];
  if (state.usedBy !== null) throw new DomainError('FX_QUOTE_USED', `quote ${data.quoteId} was used by payment ${state.usedBy}`);
  const quote = state.quote;
  if (quote.from !== data.from || quote.to !== data.to || BigInt(quote.fromAmountMinor) !== data.fromAmountMinor) {
    throw new DomainError(
      'FX_QUOTE_MISMATCH',
      `quote ${data.quoteId} is for ${formatAmount(BigInt(quote.fromAmountMinor), quote.from)} ${quote.from} into ${quote.to}, not this payment`,
    );
  }
  if (now.getTime() >= Date.parse(quote.expiresAt)) {
    throw new DomainError('FX_QUOTE_EXPIRED', `quote ${data.quoteId} expired at ${quote.expiresAt}; ask for a new one`);
  }
  return [{ type: 'FxQuoteUsed', data: { quoteId: data.quoteId, paymentId: data.paymentId, at: now.toISOString() } }];
}

export const fxQuoteDecider: Decider<FxQuoteCommand, FxQuoteEvent, FxQuoteState> = {
  initialState,
  evolve,
  decide,
  eventTypes: ['FxQuoteGiven', 'FxQuoteUsed'],
};
