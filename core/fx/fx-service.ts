import { randomBytes } from 'node:crypto';
import { DomainError } from '../errors';
import { handleStreamCommand, type CommandContext } from '../eventstore/decider-stream';
import type { EventStore } from '../eventstore/event-store';
import { foldStream } from '../eventstore/read-stream';
import { formatAmount } from '../money';
import { holdsCurrency, type ParticipantReader, type ParticipantRecord } from '../participants/participant-reader';
import { convertHalfEven, parseRate, sourceForTargetHalfEven } from './fx-conversion';
import { fxQuoteDecider, fxQuoteStreamName, type GivenQuote } from './fx-quote-decider';
import {
  bestLiveRate,
  liveRatesBestFirst,
  fxRatesDecider,
  fxRatesStreamName,
  type FxRateEvent,
  type FxRatesState,
  type ProviderRate,
} from './fx-rate-decider';

export type FxServiceDependencies = {
  store: EventStore;
  participants: ParticipantReader;
  now: () => Date;
  /** HISAAB_FX_QUOTE_TTL_SECONDS: how long a quote locks its rate. */
  quoteTtlSeconds: number;
  /** HISAAB_CURRENCIES. */
  enabledCurrencies: readonly string[];
};

/** A quote request: exactly one of the amounts, as minor units of its own currency. */
export type QuoteRequest = { from: string; to: string; fromAmountMinor: bigint | null; toAmountMinor: bigint | null };

/** The rupee is where every in-bound conversion ends: the provider pays the acquirer in it. */
export const inboundTargetCurrency = 'PKR';

/**
 * Exchange rates and quotes (issue 17). Rates are kept per pair in memory, folded from their stream and then
 * only from the revision last seen, so a quote costs a read of the newest events, not of a day of postings.
 */
export class FxService {
  private readonly books = new Map<string, { state: FxRatesState; revision: bigint | null }>();

  constructor(private readonly dependencies: FxServiceDependencies) {}

  async postRate(
    providerId: string,
    input: { from: string; to: string; rate: string; validForSeconds: number },
    context: CommandContext,
  ): Promise<{ rate: ProviderRate; position: bigint | null }> {
    const provider = this.dependencies.participants.findParticipant(providerId);
    if (provider === null || !provider.fxProvider) {
      throw new DomainError('NOT_FX_PROVIDER', `participant ${providerId} is not an FX provider (an authorised dealer bank)`);
    }
    if (!provider.active) throw new DomainError('PARTICIPANT_INACTIVE', `participant ${providerId} is suspended`);
    this.requirePair(input.from, input.to);
    const rate = parseRate(input.rate);
    const result = await handleStreamCommand(
      this.dependencies.store,
      fxRatesStreamName(input.from, input.to),
      fxRatesDecider,
      {
        type: 'PostFxRate',
        data: { providerId, from: input.from, to: input.to, rate, validForSeconds: input.validForSeconds },
        now: context.now,
      },
      context,
    );
    const posted = result.state.rates.get(providerId);
    if (posted === undefined) throw new Error(`the rate of ${providerId} was not recorded`);
    return { rate: posted, position: result.position };
  }

  /** The best live rate for a pair now; FX_RATE_UNAVAILABLE when every rate is stale or none was posted. */
  async bestRate(from: string, to: string): Promise<ProviderRate> {
    const state = await this.book(from, to);
    const best = bestLiveRate(state, this.dependencies.now(), this.canDeal(from, to));
    if (best === null) throw new DomainError('FX_RATE_UNAVAILABLE', `no FX provider has a live ${from}/${to} rate`);
    return best;
  }

  /** The live rates for a pair now, best first, at most `limit`; FX_RATE_UNAVAILABLE when there is none. */
  async liveRates(from: string, to: string, limit: number): Promise<ProviderRate[]> {
    const state = await this.book(from, to);
    const rates = liveRatesBestFirst(state, this.dependencies.now(), this.canDeal(from, to), limit);
    if (rates.length === 0) throw new DomainError('FX_RATE_UNAVAILABLE', `no FX provider has a live ${from}/${to} rate`);
    return rates;
  }

  /** Only a dealer that is active, still an FX provider, and holds both currencies can carry the conversion's legs. */
  private canDeal(from: string, to: string): (providerId: string) => boolean {
    return (providerId) => {
      const provider = this.dependencies.participants.findParticipant(providerId);
      return provider !== null && provider.active && provider.fxProvider && holdsCurrency(provider, from) && holdsCurrency(provider, to);
    };
  }

  async quote(pspId: string, request: QuoteRequest, context: CommandContext): Promise<{ quote: GivenQuote; position: bigint | null }> {
    requireInboundPsp(this.dependencies.participants.findParticipant(pspId), pspId);
    this.requirePair(request.from, request.to);
    const best = await this.bestRate(request.from, request.to);
    const fromAmountMinor =
      request.fromAmountMinor ?? sourceForTargetHalfEven(request.toAmountMinor ?? 0n, request.from, request.to, best.rate);
    // Asked by toAmount, the source is rounded to its minor unit, so the quote answers what that source amount really
    // converts to (which a payment of it is credited), not the figure asked for: 100.00 PKR at 278.45 is 0.36 USD,
    // which converts to 100.24 PKR.
    const toAmountMinor = convertHalfEven(fromAmountMinor, request.from, request.to, best.rate);
    if (fromAmountMinor <= 0n || toAmountMinor <= 0n) {
      throw new DomainError('INVALID_AMOUNT', `the amount is too small to convert at ${best.rate}: it rounds to nothing`);
    }
    // A quote never outlives the rate it locks: a provider's rate is its promise only until its validUntil.
    const expiresAtMs = Math.min(context.now.getTime() + this.dependencies.quoteTtlSeconds * 1000, Date.parse(best.validUntil));
    const quote: GivenQuote = {
      quoteId: `fxq_${randomBytes(12).toString('hex')}`,
      pspId,
      providerId: best.providerId,
      from: request.from,
      to: request.to,
      rate: best.rate,
      fromAmountMinor: fromAmountMinor.toString(),
      toAmountMinor: toAmountMinor.toString(),
      expiresAt: new Date(expiresAtMs).toISOString(),
    };
    const result = await handleStreamCommand(
      this.dependencies.store,
      fxQuoteStreamName(quote.quoteId),
      fxQuoteDecider,
      { type: 'GiveQuote', data: quote, now: context.now },
      context,
    );
    return { quote, position: result.position };
  }

  private requirePair(from: string, to: string): void {
    for (const code of [from, to]) {
      if (!this.dependencies.enabledCurrencies.includes(code)) {
        throw new DomainError('CURRENCY_NOT_SUPPORTED', `${code.slice(0, 8)} is not enabled on this switch (HISAAB_CURRENCIES)`);
      }
    }
    // 422, not 400: the document cannot say that two fields must differ, so a pair of one currency is well-formed input.
    if (from === to)
      throw new DomainError('FX_SAME_CURRENCY', `a rate converts between two different currencies, not ${from} to itself`, [
        { path: ['to'] },
      ]);
  }

  private async book(from: string, to: string): Promise<FxRatesState> {
    const stream = fxRatesStreamName(from, to);
    const cached = this.books.get(stream) ?? { state: fxRatesDecider.initialState, revision: null };
    let { state, revision } = cached;
    const last = await foldStream(this.dependencies.store, stream, revision === null ? 0n : revision + 1n, (recorded) => {
      state = fxRatesDecider.evolve(state, { type: recorded.type, data: recorded.data } as FxRateEvent);
    });
    if (last !== null) revision = last;
    this.books.set(stream, { state, revision });
    return state;
  }
}

/** The caller must be an active in-bound PSP. */
export function requireInboundPsp(participant: ParticipantRecord | null, pspId: string): ParticipantRecord {
  if (participant === null || participant.type !== 'INBOUND_PSP') {
    throw new DomainError('NOT_INBOUND_PSP', `participant ${pspId} is not an in-bound PSP`);
  }
  if (!participant.active) throw new DomainError('PARTICIPANT_INACTIVE', `participant ${pspId} is suspended`);
  return participant;
}

/** A quote as the API answers it: amounts as decimal strings of their currencies. */
export function quoteView(quote: GivenQuote): {
  id: string;
  provider: string;
  from: string;
  to: string;
  rate: string;
  fromAmount: string;
  toAmount: string;
  expiresAt: string;
} {
  return {
    id: quote.quoteId,
    provider: quote.providerId,
    from: quote.from,
    to: quote.to,
    rate: quote.rate,
    fromAmount: formatAmount(BigInt(quote.fromAmountMinor), quote.from),
    toAmount: formatAmount(BigInt(quote.toAmountMinor), quote.to),
    expiresAt: quote.expiresAt,
  };
}
