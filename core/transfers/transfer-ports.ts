import type { Delivery } from '../outbox/delivery';
import type { CommandContext } from '../eventstore/decider-stream';
import type { StreamAppend } from '../eventstore/event-store';

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

/**
 * What has gone back of a committed transfer another way (the gateway's refunds, the disputes' chargebacks), as its
 * payer's full reversal (an ISO 8583 0420) must meet it: the write that records the reversal against it, riding in
 * the ledger reversal's durable write and expecting what was read, so that a refund or chargeback decided at the same
 * moment and the reversal cannot both move money. Throws TRANSFER_GIVEN_BACK, writing nothing, when money has gone
 * back already, and TRANSFER_REFUND_PENDING while only refunds still pending hold from it (the bank repeats); null
 * when the reversal is recorded there already (a repeated 0421 after a crash).
 */
export interface PayerReversalGuard {
  reversalWrite(
    transfer: { transferId: string; amountMinor: bigint; currency: string },
    context: CommandContext,
  ): Promise<StreamAppend | null>;
}
