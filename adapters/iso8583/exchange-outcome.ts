import type { Iso8583Message } from './message';

/**
 * How a request sent over a channel ended. The distinction between `not_sent` and `timeout` matters to the
 * switch: a request that was never written cannot have been acted on and may simply be abandoned, while
 * one that was written and not answered may have been, and needs a reversal (store-and-forward 0420).
 */
export type ExchangeOutcome =
  | { readonly kind: 'response'; readonly request: Iso8583Message; readonly response: Iso8583Message }
  | { readonly kind: 'timeout'; readonly request: Iso8583Message; readonly reason: 'deadline' | 'connection_lost' }
  | { readonly kind: 'not_sent'; readonly reason: NotSentReason; readonly detail: string };

export type NotSentReason = 'not_connected' | 'pending_full' | 'invalid_message' | 'duplicate_in_flight' | 'stopped';
