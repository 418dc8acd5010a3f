import { creditMessagePayload, type PayeeCreditMessage, type PayeeReversalMessage } from '../payee-port';
import type { Delivery } from './delivery';

/**
 * The deliveries a transfer queues for its payee's provider. Their ids derive from the transfer id, so a
 * transfer that queues its reversal again (after a crash between its own events and the outbox's) queues
 * nothing new; the receiver also deduplicates by transferId.
 */
export function reversalDelivery(payeeParticipantId: string, message: PayeeReversalMessage): Delivery {
  return {
    deliveryId: `REVERSAL:${message.transferId}`,
    kind: 'REVERSAL',
    destination: payeeParticipantId,
    payload: { ...creditMessagePayload(message), reason: message.reason },
  };
}

/** In ADVICE mode the transfer has committed; the advice tells the payee to credit, and cannot be refused. */
export function creditAdviceDelivery(payeeParticipantId: string, message: PayeeCreditMessage): Delivery {
  return {
    deliveryId: `CREDIT_ADVICE:${message.transferId}`,
    kind: 'CREDIT_ADVICE',
    destination: payeeParticipantId,
    payload: creditMessagePayload(message),
  };
}
