import { uuidV5 } from '../ids';

/**
 * How the id in a transfer request names its transfer.
 *
 * `payer`: the payer's client chose it (`POST /v1/transfers`). It is unique only among that payer's transfers:
 * two participants may each use the same id, and each gets its own transfer. The switch keys the transfer by
 * (payer participant, id), through `payerScopedTransferId`, so that nothing one participant does (a POST, a GET)
 * can meet the other's transfer or reveal that it exists.
 *
 * `switch`: the id is already unique across the switch by the way it is made, and is the transfer's own (ISO
 * 8583: derived from the acquirer's DE32, which the bank signed on with, and DE37, DE11 and DE7).
 */
export type TransferIdScope = 'payer' | 'switch';

/** Hisaab's own namespace for the ids of transfers whose ids clients choose (a fixed random UUID). */
export const PAYER_SCOPED_TRANSFER_NAMESPACE = '0f3c9a7e-52d1-4b8e-a6f4-7d21c3e95b60';

/**
 * The switch's id of the transfer a payer participant's client calls `clientTransferId`: what its stream, the
 * ledger, the payee's messages and settlement carry. A name-based UUID, so a retry finds the same transfer and
 * recovery after a crash needs nothing but the log. The separator cannot occur in a participant id.
 */
export function payerScopedTransferId(payerParticipantId: string, clientTransferId: string): string {
  return uuidV5(`${payerParticipantId}|${clientTransferId}`, PAYER_SCOPED_TRANSFER_NAMESPACE);
}
