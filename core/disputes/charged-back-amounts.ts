import { loadStream, type Decider } from '../eventstore/decider-stream';
import type { EventStore } from '../eventstore/event-store';
import { transferDisputeIndexStreamName, type TransferDisputeIndexEvent } from './dispute-events';

const takenDecider: Decider<never, TransferDisputeIndexEvent, bigint> = {
  initialState: 0n,
  evolve: (takenMinor, event) => (event.type === 'ChargebackTaken' ? takenMinor + BigInt(event.data.amountMinor) : takenMinor),
  decide: () => [],
  eventTypes: ['DisputeFiled', 'ChargebackTaken'],
};

/**
 * What the chargebacks of a transfer have taken, read from the transfer's dispute index, where each is recorded in
 * the same durable write as its ledger post. The refunds module caps a refund with it, as this module caps a
 * chargeback with the refunds, so that a payment is never given back twice.
 */
export class TransferChargebacks {
  constructor(private readonly store: EventStore) {}

  async chargedBackMinor(transferId: string): Promise<bigint> {
    return (await loadStream(this.store, transferDisputeIndexStreamName(transferId), takenDecider)).state;
  }
}
