import { formatAmount } from '../money';
import { creditMessagePayload, type PayeeCreditMessage, type PayeeReversalMessage } from '../payee-port';
import type { TransferInitiated } from '../transfers/transfer-events';
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

/**
 * The credit message of a transfer as its TransferInitiated records it: what a credit request, an advice and a
 * reversal carry. Built from the event alone, so the advice intake (which reads the log) and the transfer service
 * build byte-identical deliveries, and a delivery queued twice is recognised as the same one.
 */
export function creditMessageOf(initiated: TransferInitiated['data']): PayeeCreditMessage {
  const payer: PayeeCreditMessage['payer'] = { participant: initiated.payerParticipant };
  if (initiated.payer.name !== undefined) payer.name = initiated.payer.name;
  return {
    transferId: initiated.transferId,
    amount: formatAmount(BigInt(initiated.amountMinor), initiated.currency),
    currency: initiated.currency,
    payee: initiated.payeeAccount,
    payer,
    // The acquirer learns which merchant to credit and where; the fees the record carries are the switch's own.
    ...(initiated.merchant === undefined
      ? {}
      : { merchant: { id: initiated.merchant.id, settlementAccount: initiated.merchant.settlementAccount } }),
  };
}
