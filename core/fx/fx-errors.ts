import type { ErrorCodeTable } from '../errors';

/** Codes of foreign exchange and in-bound payments (issue 17): rates, quotes and the payments they convert. */
export const fxErrors = {
  NOT_FX_PROVIDER: { status: 403, meaning: 'Only a bank registered as an FX provider (authorised dealer) may post exchange rates.' },
  NOT_INBOUND_PSP: { status: 403, meaning: 'Only an INBOUND_PSP participant may ask for quotes and send in-bound payments.' },
  FX_SAME_CURRENCY: {
    status: 422,
    meaning: 'A rate or a quote converts between two different currencies; this one names the same currency twice.',
  },
  FX_RATE_UNAVAILABLE: { status: 422, meaning: 'No FX provider has a live rate for this currency pair.' },
  FX_QUOTE_NOT_FOUND: { status: 404, meaning: 'There is no quote with this id for this participant.' },
  FX_QUOTE_EXPIRED: { status: 422, meaning: 'The quote has expired: ask for a new one.' },
  FX_QUOTE_USED: { status: 409, meaning: 'The quote has been used by another in-bound payment already.' },
  FX_QUOTE_MISMATCH: { status: 422, meaning: 'The quote was given for another amount, currency or target than this payment.' },
  MERCHANT_NOT_INBOUND: { status: 422, meaning: 'The merchant is not enabled for in-bound foreign-currency payments.' },
  PURPOSE_CODE_UNKNOWN: { status: 422, meaning: 'The purpose code is not in the SBP catalogue (GET /v1/reference/purpose-codes).' },
  PAYER_NOT_ABROAD: {
    status: 422,
    meaning: 'An in-bound payment comes from abroad: its payer’s country is not Pakistan (PK), whose payers pay in rupees.',
  },
  PURPOSE_CODE_NOT_ALLOWED: { status: 422, meaning: 'The merchant is not enabled for payments with this purpose code.' },
  INBOUND_PAYMENT_REFUSED: {
    status: 422,
    meaning: 'A leg of the conversion could not post (a cap, the provider’s rupee position, an inactive party): nothing was posted.',
  },
  INBOUND_PAYMENT_NOT_FOUND: { status: 404, meaning: 'There is no in-bound payment with this id that the caller may read.' },
  INBOUND_PAYMENT_CONFLICT: { status: 409, meaning: 'An in-bound payment with this id exists with different details.' },
  INBOUND_PAYMENT_FAILED: {
    status: 422,
    meaning:
      'The payment was recorded but its reservations ran out before its legs could post (the switch was down too long): nothing stays moved, and the id stays used.',
  },
  INBOUND_PAYMENT_NOT_COMPLETED: {
    status: 409,
    meaning: 'The in-bound payment is not COMPLETED (still processing, or failed): there are no proceeds to certify.',
  },
  CURRENCY_NOT_HELD: { status: 422, meaning: 'The participant holds no position in this currency.' },
} as const satisfies ErrorCodeTable;
