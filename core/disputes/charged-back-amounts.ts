import { loadStream, type Decider } from '../eventstore/decider-stream';
import type { EventStore } from '../eventstore/event-store';
import { transferDisputeIndexStreamName, type ChargebackTaken, type DisputeFiled, type TransferDisputeIndexEvent } from './dispute-events';

/** A transfer's dispute index: the disputes filed on it, and the chargebacks taken of it. */
export type IndexState = { filed: DisputeFiled['data'][]; taken: ChargebackTaken['data'][] };

export const indexDecider: Decider<never, TransferDisputeIndexEvent, IndexState> = {
  initialState: { filed: [], taken: [] },
  evolve: (state, event) =>
    event.type === 'DisputeFiled' ? { ...state, filed: [...state.filed, event.data] } : { ...state, taken: [...state.taken, event.data] },
  decide: () => [],
  eventTypes: ['DisputeFiled', 'ChargebackTaken'],
};

/** What the chargebacks of the transfer in its index have taken. */
export function takenMinorOf(index: IndexState): bigint {
  return index.taken.reduce((sum, entry) => sum + BigInt(entry.amountMinor), 0n);
}

/**
 * What the chargebacks of a transfer have taken, read from the transfer's dispute index, where each is recorded in
 * the same durable write as its ledger post. The refunds module caps a refund with it, as this module caps a
 * chargeback with the refunds, so that a payment is never given back twice.
 */
export class TransferChargebacks {
  constructor(private readonly store: EventStore) {}

  async chargedBackMinor(transferId: string): Promise<bigint> {
    return takenMinorOf((await loadStream(this.store, transferDisputeIndexStreamName(transferId), indexDecider)).state);
  }
}
