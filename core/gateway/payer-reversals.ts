import { loadStream, stampEvents, type CommandContext } from '../eventstore/decider-stream';
import type { EventStore, StreamAppend } from '../eventstore/event-store';
import type { PayerReversalGuard } from '../transfers/transfer-ports';
import { decidePayerReversal, paymentRefundsDecider, type PaymentRefundsState } from './refund-decider';
import { paymentRefundsStreamName } from './refund-events';
import { heldRefunds, type ChargedBackAmounts } from './refund-service';

/**
 * A payer's full reversal of a payment, decided on the payment's refunds stream, where refunds hold their amounts and
 * chargebacks record what they took: the stream where all three ways money goes back meet. Refused while a refund
 * that did not fail or a chargeback has given money back; otherwise the reversal's write expects the stream as read.
 */
export class PaymentPayerReversals implements PayerReversalGuard {
  constructor(private readonly dependencies: { store: EventStore; chargebacks: ChargedBackAmounts }) {}

  async reversalWrite(
    transfer: { transferId: string; amountMinor: bigint; currency: string },
    context: CommandContext,
  ): Promise<StreamAppend | null> {
    const stream = paymentRefundsStreamName(transfer.transferId);
    const loaded = await loadStream(this.dependencies.store, stream, paymentRefundsDecider);
    const at = context.now.toISOString();
    const events = decidePayerReversal(loaded.state, {
      paymentTransferId: transfer.transferId,
      amountMinor: transfer.amountMinor,
      // Chargebacks from before they were written to the refunds stream are only in the disputes' index.
      chargedBackMinor: await this.dependencies.chargebacks.chargedBackMinor(transfer.transferId),
      pendingRefundedMinor: await notSucceededMinor(this.dependencies.store, loaded.state),
      currency: transfer.currency,
      at,
    });
    if (events.length === 0) return null;
    return {
      stream,
      expectedRevision: loaded.revision ?? 'no_stream',
      events: stampEvents(events, context),
    };
  }
}

/**
 * What the refunds held hold that has not been read SUCCEEDED: a pending refund may still fail and give its hold
 * back, so it refuses the reversal only for now. A refund read FAILED is counted too: its release is written after
 * the refunds stream was read, and the repeat sees it gone.
 */
async function notSucceededMinor(store: EventStore, state: PaymentRefundsState): Promise<bigint> {
  let notSucceededMinor = 0n;
  for (const refund of await heldRefunds(store, state)) if (refund.status !== 'SUCCEEDED') notSucceededMinor += refund.amountMinor;
  return notSucceededMinor;
}
