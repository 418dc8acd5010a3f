import { loadStream, type CommandContext } from '../eventstore/decider-stream';
import type { EventStore, StreamAppend } from '../eventstore/event-store';
import { newId } from '../ids';
import type { PayerReversalGuard } from '../transfers/transfer-ports';
import { decidePayerReversal, paymentRefundsDecider } from './refund-decider';
import { paymentRefundsStreamName } from './refund-events';
import type { ChargedBackAmounts } from './refund-service';

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
    const { now, ...metadataBase } = context;
    const at = now.toISOString();
    const events = decidePayerReversal(loaded.state, {
      paymentTransferId: transfer.transferId,
      amountMinor: transfer.amountMinor,
      // Chargebacks from before they were written to the refunds stream are only in the disputes' index.
      chargedBackMinor: await this.dependencies.chargebacks.chargedBackMinor(transfer.transferId),
      currency: transfer.currency,
      at,
    });
    if (events.length === 0) return null;
    return {
      stream,
      expectedRevision: loaded.revision ?? 'no_stream',
      events: events.map((event) => ({ id: newId(), type: event.type, data: event.data, metadata: { ...metadataBase, at } })),
    };
  }
}
