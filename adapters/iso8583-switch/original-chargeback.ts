import type { EventStore } from '../../core/eventstore/event-store';
import { disputeStreamName } from '../../core/disputes/dispute-events';

/**
 * What the bank gateway needs of a dispute's chargeback to build its credit advice: the chargeback's ledger id (which
 * the delivery must name) and when it was posted, from which DE7, DE12 and DE13 come as a transfer's creation time
 * gives them (outbound-identifiers.ts), so a repeat after a restart carries the same identifiers.
 */
export type OriginalChargeback = {
  readonly chargebackTransferId: string;
  readonly postedAt: string;
};

export type OriginalChargebackLookup = (disputeId: string) => Promise<OriginalChargeback | null>;

/**
 * A dispute's stream holds a handful of events (opened, answered, resolved, the chargeback, its credit, two webhooks);
 * reading this many finds the chargeback in any stream the decider can produce.
 */
const disputeStreamEventsRead = 64;

/** Reads the dispute's own stream: the credit is queued right after the chargeback is posted, before any projection need show it. */
export function chargebackLookupFromStore(store: EventStore): OriginalChargebackLookup {
  return async (disputeId) => {
    const events = await store.readStream(disputeStreamName(disputeId), 0n, disputeStreamEventsRead);
    for (const event of events) {
      if (event.type !== 'ChargebackPosted') continue;
      const chargebackTransferId = event.data['chargebackTransferId'];
      const postedAt = event.data['at'];
      if (typeof chargebackTransferId !== 'string' || typeof postedAt !== 'string') return null;
      return { chargebackTransferId, postedAt };
    }
    return null;
  };
}
