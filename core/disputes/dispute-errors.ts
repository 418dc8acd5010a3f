import type { ErrorCodeTable } from '../errors';

/** Codes of online dispute resolution (docs/ARCHITECTURE.md section 7). */
export const disputeErrors = {
  DISPUTE_NOT_FOUND: {
    status: 404,
    meaning: 'There is no dispute with this id, or the caller is not a party to it (claimant, respondent, merchant).',
  },
  DISPUTE_EXISTS: {
    status: 409,
    meaning: 'A dispute on this transfer and category is still OPEN or RESPONDED; nothing was recorded.',
  },
  DISPUTE_STATE: {
    status: 409,
    meaning: 'The dispute is not in a state that takes this action (the message names its state); nothing was recorded.',
  },
  DISPUTE_ACTION_NOT_APPLICABLE: {
    status: 422,
    meaning: 'CREDIT_CONFIRMED answers only a DEBITED_NOT_CREDITED claim on a committed transfer; nothing was recorded.',
  },
  AMOUNT_EXCEEDS_TRANSFER: {
    status: 422,
    meaning:
      'The claimed amount is above what is still disputable (the amount minus refunds and earlier chargebacks); nothing was recorded.',
  },
  ABOVE_ODR_CAP: { status: 422, meaning: 'The claimed amount is above the low-value cap of online dispute resolution (HISAAB_ODR_CAP).' },
  CLAIM_WINDOW_CLOSED: {
    status: 422,
    meaning: 'The transfer is older than the claim window (HISAAB_ODR_CLAIM_DAYS); nothing was recorded.',
  },
} as const satisfies ErrorCodeTable;
