import type { ErrorCodeTable } from '../errors';

/** Codes of transfers: sending one, reading it back, and the states it moves through. */
export const transferErrors = {
  TRANSFER_NOT_FOUND: { status: 404, meaning: 'No transfer with this id is visible to this key.' },
  TRANSFER_EXISTS: { status: 409, meaning: 'A transfer with this id was recorded already.' },
  TRANSFER_IN_FLIGHT: {
    status: 503,
    meaning:
      'The transfer is recorded but its outcome is not known yet; ask again (GET it, or repeat the request with the same Idempotency-Key) shortly.',
  },
  TRANSFER_NOT_IN_FLIGHT: { status: 409, meaning: 'The transfer is committed or aborted already, so it cannot be finished again.' },
  TRANSFER_NOT_COMMITTED: {
    status: 409,
    meaning:
      'The transfer is not committed (IN_FLIGHT or ABORTED), so there is nothing to reverse, or to dispute (an ABORTED one only as DEBITED_NOT_CREDITED); nothing was recorded.',
  },
  TRANSFER_GIVEN_BACK: {
    status: 409,
    meaning:
      'Money has already gone back from this transfer (a refund that did not fail, or a chargeback), so its payer cannot reverse it in full; nothing was recorded.',
  },
  TRANSFER_REFUND_PENDING: {
    status: 409,
    meaning:
      'Only refunds still pending have given money back from this transfer, and one may yet fail: its payer cannot reverse it until they have ended; nothing was recorded, so repeat the reversal shortly.',
  },
  TRANSFER_ID_AMBIGUOUS: {
    status: 409,
    meaning: 'More than one transfer visible to this key has this id (two payers chose it); ask for one by its switchTransferId.',
  },
  PAYEE_IS_PAYER: {
    status: 422,
    meaning:
      'The payee is held by the paying participant itself: an on-us payment is booked inside the participant, not through the switch.',
  },
  LEDGER_REFUSED: {
    status: 500,
    meaning: 'The ledger refused to release or reverse a transfer it holds (a defect in the switch; the transfer is kept for an operator).',
  },
} as const satisfies ErrorCodeTable;
