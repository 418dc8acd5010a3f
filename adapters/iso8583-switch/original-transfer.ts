import { loadStream } from '../../core/eventstore/decider-stream';
import type { EventStore } from '../../core/eventstore/event-store';
import { transferDecider } from '../../core/transfers/transfer-decider';
import { transferStreamName } from '../../core/transfers/transfer-events';

/**
 * What the bank gateway needs of a transfer beyond the credit message: its creation time (from which DE7, DE11
 * and DE37 are derived), how the payee was asked (a 0200 request or a 0220 advice, which DE90 names), and the
 * payer's account (DE102).
 */
export type OriginalTransfer = {
  readonly createdAt: string;
  readonly creditMode: 'REQUEST' | 'ADVICE';
  readonly payerAccount: string;
};

export type OriginalTransferLookup = (transferId: string) => Promise<OriginalTransfer | null>;

/**
 * Reads the transfer's own stream, not a read model: a credit request is sent moments after the transfer was
 * initiated, before any projection need have caught up, and the stream is where the facts are.
 */
export function transferLookupFromStore(store: EventStore): OriginalTransferLookup {
  return async (transferId) => {
    const { state } = await loadStream(store, transferStreamName(transferId), transferDecider);
    if (state.status === 'none') return null;
    const initiated = state.initiated;
    return {
      createdAt: initiated.createdAt,
      creditMode: initiated.creditMode === 'ADVICE' ? 'ADVICE' : 'REQUEST',
      payerAccount: initiated.payer.value,
    };
  };
}
