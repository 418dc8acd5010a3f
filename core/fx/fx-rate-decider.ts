import { assert, assertNever } from '../assert';
import { DomainError } from '../errors';
import type { Decider } from '../eventstore/decider-stream';

/**
 * Exchange rates of one currency pair, stream `fx-rates-<FROM>-<TO>`: each FX provider (an authorised dealer)
 * posts its own rate with how long it holds. A rate past its `validUntil` is stale and never used.
 */
export type FxRatePosted = {
  type: 'FxRatePosted';
  data: { providerId: string; from: string; to: string; rate: string; validUntil: string; at: string };
};
export type FxRateEvent = FxRatePosted;

export type PostFxRate = {
  type: 'PostFxRate';
  data: { providerId: string; from: string; to: string; rate: string; validForSeconds: number };
  now: Date;
};

/** The longest a posted rate may hold: dealers re-quote through the day, and a day-old rate is not a live one. */
export const rateValidForSecondsMax = 3_600;

export type ProviderRate = { providerId: string; rate: string; validUntil: string };
/** The newest rate of each provider. */
export type FxRatesState = { rates: ReadonlyMap<string, ProviderRate> };

export const initialState: FxRatesState = { rates: new Map() };

export function fxRatesStreamName(from: string, to: string): string {
  return `fx-rates-${from}-${to}`;
}

export function evolve(state: FxRatesState, event: FxRateEvent): FxRatesState {
  switch (event.type) {
    case 'FxRatePosted': {
      const { providerId, rate, validUntil } = event.data;
      return { rates: new Map(state.rates).set(providerId, { providerId, rate, validUntil }) };
    }
    default:
      return assertNever(event.type);
  }
}

export function decide(command: PostFxRate, state: FxRatesState): FxRateEvent[] {
  void state;
  const { validForSeconds, providerId, from, to, rate } = command.data;
  assert(from !== to, 'a rate converts between two currencies');
  if (!Number.isSafeInteger(validForSeconds) || validForSeconds < 1 || validForSeconds > rateValidForSecondsMax) {
    throw new DomainError('VALIDATION_FAILED', `validForSeconds is a whole number from 1 to ${rateValidForSecondsMax}`);
  }
  const validUntil = new Date(command.now.getTime() + validForSeconds * 1000).toISOString();
  return [{ type: 'FxRatePosted', data: { providerId, from, to, rate, validUntil, at: command.now.toISOString() } }];
}

/**
 * The best live rate for the payer: the most target currency per unit of source, among rates still valid at
 * `now` whose provider can deal now (`canDeal`: a suspended dealer's rate would only lead to a refused payment);
 * on a tie the provider whose id sorts first, so the choice never depends on arrival order.
 */
export function bestLiveRate(state: FxRatesState, now: Date, canDeal: (providerId: string) => boolean = () => true): ProviderRate | null {
  let best: ProviderRate | null = null;
  for (const candidate of state.rates.values()) {
    if (Date.parse(candidate.validUntil) <= now.getTime() || !canDeal(candidate.providerId)) continue;
    if (best === null || compareRates(candidate, best) > 0) best = candidate;
  }
  return best;
}

/** The live rates of dealers that can deal, best first (the order bestLiveRate picks by), at most `limit`. */
export function liveRatesBestFirst(
  state: FxRatesState,
  now: Date,
  canDeal: (providerId: string) => boolean,
  limit: number,
): ProviderRate[] {
  assert(Number.isInteger(limit) && limit > 0, 'a positive whole number of rates');
  return [...state.rates.values()]
    .filter((candidate) => Date.parse(candidate.validUntil) > now.getTime() && canDeal(candidate.providerId))
    .sort((a, b) => compareRates(b, a))
    .slice(0, limit);
}

function compareRates(a: ProviderRate, b: ProviderRate): number {
  const difference = compareDecimalText(a.rate, b.rate);
  if (difference !== 0) return difference;
  return a.providerId < b.providerId ? 1 : -1;
}

/** Compares two plain non-negative decimal strings exactly, without floating point. */
function compareDecimalText(a: string, b: string): number {
  const [aWhole = '', aFraction = ''] = a.split('.');
  const [bWhole = '', bFraction = ''] = b.split('.');
  if (aWhole.length !== bWhole.length) return aWhole.length - bWhole.length;
  if (aWhole !== bWhole) return aWhole < bWhole ? -1 : 1;
  const width = Math.max(aFraction.length, bFraction.length);
  const aPadded = aFraction.padEnd(width, '0');
  const bPadded = bFraction.padEnd(width, '0');
  return aPadded === bPadded ? 0 : aPadded < bPadded ? -1 : 1;
}

export const fxRatesDecider: Decider<PostFxRate, FxRateEvent, FxRatesState> = {
  initialState,
  evolve,
  decide,
  eventTypes: ['FxRatePosted'],
};
