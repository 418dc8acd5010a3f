import type { Delivery } from '../outbox/delivery';

/**
 * Queues a store-and-forward message (reversal, credit advice) for a payee participant in the outbox of the
 * channel that reaches it (wallet HTTP or ISO 8583). Resolves once the delivery is durable.
 */
export interface PayeeDeliveryQueue {
  enqueue(payeeParticipantId: string, delivery: Delivery, context: { correlationId: string }): Promise<void>;
}

/** What the transfer service reports as transfers end (metrics, logs). Must not throw. */
export type TransferObserver = {
  onCompleted?(outcome: { state: 'COMMITTED' | 'ABORTED'; abortReason: string | null; durationMs: number }): void;
};
