import type { PartyReference } from '../payee-port';

/** Why a transfer ended without moving money. The API and ISO 8583 map these to their own codes. */
export const abortReasons = [
  /** The payer's position plus what it has reserved would pass its net debit cap. */
  'NET_DEBIT_CAP_EXCEEDED',
  /** The payee's provider answered that it did not credit. */
  'PAYEE_REJECTED',
  /** No clear answer from the payee in time: a reversal is queued in case it credited. */
  'PAYEE_TIMEOUT',
  /** Nothing reached the payee (connection refused): nothing to reverse. */
  'PAYEE_UNAVAILABLE',
  /** The payee's participant is inactive. */
  'PAYEE_INACTIVE',
  /** The switch restarted while the transfer waited for the payee: treated as a timeout, with a reversal. */
  'SWITCH_RESTARTED',
  /** The payer's bank or wallet gave up on the transfer (ISO 8583 0420 before it completed). */
  'PAYER_REVERSED',
  /** The ledger refused the reservation for another reason (overloaded, full). */
  'LEDGER_REFUSED',
  /** A P2M transfer's checkout session is not OPEN (paid, being paid, expired or cancelled). */
  'SESSION_NOT_PAYABLE',
] as const;
export type AbortReason = (typeof abortReasons)[number];

export type TransferInitiated = {
  type: 'TransferInitiated';
  data: {
    /** The switch's id of the transfer: its stream, ledger, payee messages and settlement carry it. */
    transferId: string;
    /**
     * The id the payer's client gave, when the switch keys the transfer by (payer, that id) rather than by the id
     * itself (see transfer-id.ts). Absent for ids unique across the switch (ISO 8583) and for transfers recorded
     * before ids were scoped per payer, whose client id is `transferId`.
     */
    clientTransferId?: string;
    payerParticipant: string;
    payeeParticipant: string;
    payer: { type: string; value: string; name?: string };
    payee: PartyReference;
    /** The account the directory resolved the payee to: what the payee's provider credits. */
    payeeAccount: PartyReference;
    amountMinor: string;
    currency: string;
    purpose: string;
    note: string | null;
    /** How the payee is asked: REQUEST (wait for its answer) or ADVICE (commit, then tell it). */
    creditMode: string;
    /** Digest of the request body: a retry with the same id and a different body is a conflict. */
    requestDigest: string;
    /** Where the request came in: `api`, `iso8583`, `checkout`. */
    channel: string;
    createdAt: string;
    /**
     * A payment to a merchant (payee MERCHANT): the merchant, where its acquirer settles it, and the fees the
     * acquirer pays from it (integer strings of minor units; absent or "0": none), posted with the payment. `mdrMinor`
     * is what the acquirer keeps from the merchant, fixed at the payment so that a later change of fees leaves it be
     * (it moves nothing in the ledger: the merchant views report it).
     */
    merchant?: { id: string; settlementAccount: PartyReference; interchangeMinor?: string; switchFeeMinor?: string; mdrMinor?: string };
    /** The checkout session a P2M transfer pays (absent: a static-QR payment). */
    checkoutSessionId?: string;
  };
};

export type TransferCommitted = { type: 'TransferCommitted'; data: { transferId: string; completedAt: string } };

export type TransferAborted = {
  type: 'TransferAborted';
  data: { transferId: string; reason: AbortReason; detail: string | null; reversalQueued: boolean; completedAt: string };
};

/** A committed transfer undone afterwards (an ISO 8583 0420 from the payer's bank): money moved back, payee told. */
export type TransferReversed = { type: 'TransferReversed'; data: { transferId: string; reason: string; reversedAt: string } };

export type TransferEvent = TransferInitiated | TransferCommitted | TransferAborted | TransferReversed;

export const transferEventTypes: readonly TransferEvent['type'][] = [
  'TransferInitiated',
  'TransferCommitted',
  'TransferAborted',
  'TransferReversed',
];

export function transferStreamName(transferId: string): string {
  return `transfer-${transferId}`;
}
