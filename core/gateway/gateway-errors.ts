import type { ErrorCodeTable } from '../errors';

/** Codes of the e-commerce gateway: merchants and checkout sessions (docs/ARCHITECTURE.md section 6). */
export const gatewayErrors = {
  MERCHANT_NOT_FOUND: {
    status: 404,
    meaning: 'There is no merchant with this id, or the caller may not see it (a merchant sees only itself).',
  },
  MERCHANT_EXISTS: { status: 409, meaning: 'A merchant with this id is already registered.' },
  MERCHANT_INACTIVE: { status: 422, meaning: 'The merchant is deactivated: it cannot open checkout sessions or be paid.' },
  SESSION_NOT_FOUND: {
    status: 404,
    meaning: 'There is no checkout session with this id, or it belongs to another merchant.',
  },
  SESSION_NOT_OPEN: { status: 409, meaning: 'The checkout session is no longer OPEN (it is completed, expired or cancelled).' },
  SESSION_AMOUNT_MISMATCH: {
    status: 422,
    meaning: "The transfer's amount or currency differs from the checkout session's; nothing was recorded.",
  },
  SESSION_MERCHANT_MISMATCH: {
    status: 422,
    meaning: 'The checkout session belongs to another merchant than the payee; nothing was recorded.',
  },
  RTP_ATTEMPTS_EXHAUSTED: {
    status: 429,
    meaning: 'The checkout session has sent as many requests to pay as it may; pay by scanning the QR, or open a new session.',
  },
  SESSION_NOT_PAID: { status: 409, meaning: 'The checkout session is not COMPLETED: there is no payment to refund.' },
  REFUND_EXCEEDS_PAYMENT: {
    status: 422,
    meaning: 'The refunds of the payment that did not fail would add up to more than was paid; nothing was recorded.',
  },
  REFUND_LIMIT_REACHED: {
    status: 422,
    meaning: 'The payment has had as many refunds as one payment may (failed ones included); nothing was recorded.',
  },
  REFUND_NOT_FOUND: { status: 404, meaning: 'There is no refund with this id, or it belongs to another merchant.' },
  RTP_NOT_FOUND: { status: 404, meaning: "There is no request-to-pay with this id sent to the caller's customers." },
} as const satisfies ErrorCodeTable;
