import type { DomainErrorCode } from '../../core/error-catalogue';
import type { AbortReason } from '../../core/transfers/transfer-events';
import type { TransferView } from '../../core/transfers/transfer-view';
import { authorizationCodeFor, responseCodeForOutcome, responseCodes, type TransferOutcomeCategory } from '../iso8583/mapping';
import type { InboundAnswer } from '../iso8583/inbound-financial-handler';

/**
 * The 0210 a bank gets for the transfer it sent (issue 5): 00 with an approval code once committed, otherwise
 * the DE39 of why it was not (12 once its 0420 reversed it). A payee that refused to credit is a decline (05, do not honour) rather than 91:
 * the destination answered, and the bank should not retry as if it were down.
 */
const abortCategories: Readonly<Record<AbortReason, TransferOutcomeCategory>> = {
  NET_DEBIT_CAP_EXCEEDED: 'net_debit_cap_exceeded',
  PAYEE_REJECTED: 'not_permitted',
  PAYEE_TIMEOUT: 'payee_unavailable',
  PAYEE_UNAVAILABLE: 'payee_unavailable',
  PAYEE_INACTIVE: 'payee_unavailable',
  SWITCH_RESTARTED: 'payee_unavailable',
  PAYER_REVERSED: 'not_permitted',
  LEDGER_REFUSED: 'system_error',
  SESSION_NOT_PAYABLE: 'not_permitted',
};

export function answerForTransfer(view: TransferView): InboundAnswer {
  // A repeated 0200 of a transfer its 0420 reversed: the 0430 told the bank it is undone, so an approval now would
  // contradict it. 12, as for a 0200 whose reversal came first: the transaction was cancelled by its own reversal.
  if (view.state === 'COMMITTED' && view.reversed) return { responseCode: responseCodes.invalidTransaction };
  if (view.state === 'COMMITTED') return { responseCode: responseCodes.approved, authorizationCode: authorizationCodeFor(view.id) };
  if (view.state === 'IN_FLIGHT') return { responseCode: responseCodes.systemError };
  const category = abortCategories[view.abortReason as AbortReason] as TransferOutcomeCategory | undefined;
  return { responseCode: responseCodeForOutcome(category ?? 'system_error') };
}

/**
 * Every domain code in DE39 terms: a category for the refusals thrown before a transfer is recorded, null for the
 * rest (an overloaded ledger, a full outbox, a transfer still in flight), which answer 96 as a system error. The
 * table names every code, so a new code does not compile until someone decides how a bank hears it.
 */
const errorCategories: Readonly<Record<DomainErrorCode, TransferOutcomeCategory | null>> = {
  VALIDATION_FAILED: 'format_error',
  OVERLOADED: null,
  INVALID_AMOUNT: 'invalid_amount',
  UNKNOWN_CURRENCY: 'unsupported_currency',
  INVALID_RATE: null,
  UNAUTHENTICATED: null,
  FORBIDDEN: null,
  CLIENT_CERTIFICATE_REQUIRED: null,
  CLIENT_CERTIFICATE_MISMATCH: null,
  CLIENT_CERTIFICATE_EXISTS: null,
  CLIENT_CERTIFICATE_NOT_FOUND: null,
  CLIENT_CERTIFICATE_LIMIT_REACHED: null,
  KEY_NOT_FOUND: null,
  KEY_LIMIT_REACHED: null,
  PARTICIPANT_NOT_FOUND: null,
  PARTICIPANT_EXISTS: null,
  BANK_CODE_TAKEN: null,
  INSTITUTION_ID_TAKEN: null,
  ENDPOINT_KIND_MISMATCH: null,
  PARTICIPANT_INACTIVE: 'not_permitted',
  INSUFFICIENT_LIQUIDITY: null,
  INVALID_ALIAS: 'unknown_payee',
  INVALID_ACCOUNT: 'unknown_payee',
  INVALID_IBAN: 'unknown_payee',
  INVALID_PARTY: 'unknown_payee',
  PARTY_NOT_FOUND: 'unknown_payee',
  ALIAS_NOT_FOUND: null,
  ALIAS_TAKEN: null,
  ACCOUNT_NOT_AT_PARTICIPANT: null,
  // Foreign exchange and in-bound payments (issue 17) are REST only: a bank host never sends them.
  NOT_FX_PROVIDER: null,
  NOT_INBOUND_PSP: null,
  FX_SAME_CURRENCY: null,
  FX_RATE_UNAVAILABLE: null,
  FX_QUOTE_NOT_FOUND: null,
  FX_QUOTE_EXPIRED: null,
  FX_QUOTE_USED: null,
  FX_QUOTE_MISMATCH: null,
  MERCHANT_NOT_INBOUND: null,
  PURPOSE_CODE_UNKNOWN: null,
  PURPOSE_CODE_NOT_ALLOWED: null,
  PAYER_NOT_ABROAD: null,
  INBOUND_PAYMENT_REFUSED: null,
  INBOUND_PAYMENT_NOT_FOUND: null,
  INBOUND_PAYMENT_CONFLICT: null,
  INBOUND_PAYMENT_FAILED: null,
  INBOUND_PAYMENT_NOT_COMPLETED: null,
  CURRENCY_NOT_HELD: null,
  CURRENCY_NOT_SUPPORTED: 'unsupported_currency',
  LEDGER_NOT_STARTED: null,
  LEDGER_UNAVAILABLE: null,
  LEDGER_STOPPED: null,
  LEDGER_WRITE_FAILED: null,
  LEDGER_ALREADY_STARTED: null,
  INVALID_BATCH: null,
  BATCH_TOO_LARGE: null,
  TRANSFER_NOT_FOUND: null,
  MERCHANT_NOT_FOUND: 'unknown_payee',
  MERCHANT_EXISTS: null,
  MERCHANT_INACTIVE: 'not_permitted',
  SESSION_NOT_FOUND: 'not_permitted',
  SESSION_NOT_OPEN: 'not_permitted',
  SESSION_AMOUNT_MISMATCH: 'invalid_amount',
  SESSION_MERCHANT_MISMATCH: 'not_permitted',
  RTP_NOT_FOUND: null,
  RTP_ATTEMPTS_EXHAUSTED: null,
  SESSION_NOT_PAID: null,
  REFUND_EXCEEDS_PAYMENT: null,
  REFUND_NOT_FOUND: null,
  REFUND_LIMIT_REACHED: null,
  TRANSFER_EXISTS: null,
  TRANSFER_IN_FLIGHT: null,
  TRANSFER_NOT_IN_FLIGHT: null,
  TRANSFER_NOT_COMMITTED: null,
  // Only a 0420 meets it, and the reversal handler answers it 12 itself.
  TRANSFER_GIVEN_BACK: 'invalid_transaction',
  // Only a 0420 meets it, and the reversal handler answers it 96 (not yet: the bank repeats the 0420 as 0421).
  TRANSFER_REFUND_PENDING: null,
  PAYEE_IS_PAYER: 'invalid_transaction',
  LEDGER_REFUSED: null,
  WINDOW_NOT_FOUND: null,
  NO_OPEN_WINDOW: null,
  TOO_MANY_UNSETTLED_WINDOWS: null,
  WINDOW_SEQUENCE_EXHAUSTED: null,
  WINDOW_NOT_CLOSED: null,
  WINDOW_ALREADY_SETTLED: null,
  INVALID_SETTLEMENT_SCHEDULE: null,
  CONCURRENT_UPDATE: null,
  EVENT_STORE_OVERLOADED: null,
  STORE_UNAVAILABLE: null,
  NOT_WRITER: null,
  PROJECTION_WAIT_TIMEOUT: null,
  PROJECTION_WAITERS_FULL: null,
  PROJECTION_RUNNER_FAILED: null,
  PROJECTION_RUNNER_STOPPED: null,
  UNKNOWN_PROJECTION: null,
  PROJECTION_INVALID_ARGUMENT: null,
  INVALID_IDEMPOTENCY_KEY: null,
  IDEMPOTENCY_KEY_REQUIRED: null,
  IDEMPOTENCY_CONFLICT: 'duplicate_with_different_fields',
  CHANNEL_UNAVAILABLE: null,
  OUTBOX_FULL: null,
  OUTBOX_STOPPED: null,
  OUTBOX_UNAVAILABLE: null,
  DELIVERY_CONFLICT: null,
  DELIVERY_NOT_PENDING: null,
  INVALID_DELIVERY: null,
  // DE102 names another participant's customer (an IBAN of its bank code): do not honour, nothing recorded.
  PAYER_NOT_OWNED: 'not_permitted',
  TRANSFER_ID_AMBIGUOUS: null,
  SIGNING_SECRET_LIMIT_REACHED: null,
  SIGNING_KEY_NOT_FOUND: null,
  SIGNING_KEY_EXISTS: null,
  SIGNING_KEY_LIMIT_REACHED: null,
  SIGNING_KEY_REQUIRED: null,
  JWS_MISSING: null,
  JWS_MALFORMED: null,
  JWS_KEY_UNKNOWN: null,
  JWS_MISMATCH: null,
  JWS_STALE: null,
  JWS_SIGNATURE_INVALID: null,
  JWS_REPLAYED: null,
  // Merchant webhooks never arise from a bank's message.
  INVALID_WEBHOOK_EVENT: null,
  // Disputes are opened over REST only: a bank never hears these on a transfer.
  DISPUTE_NOT_FOUND: null,
  DISPUTE_EXISTS: null,
  DISPUTE_STATE: null,
  DISPUTE_ACTION_NOT_APPLICABLE: null,
  AMOUNT_EXCEEDS_TRANSFER: null,
  ABOVE_ODR_CAP: null,
  CLAIM_WINDOW_CLOSED: null,
  WEBHOOK_EVENT_NOT_FOUND: null,
  // Erasure is an operator action over HTTP: no payment from a bank can raise it.
  INVALID_DATA_SUBJECT: null,
};

/** A refusal answers its category's DE39; every other code is a system error: 96. */
export function responseCodeForError(code: DomainErrorCode): string {
  return responseCodeForOutcome(errorCategories[code] ?? 'system_error');
}

/**
 * The refusals with a category are thrown before a transfer is recorded (or, for IDEMPOTENCY_CONFLICT, about
 * another request's record), so their answer is final. After any other failure the transfer may be recorded and
 * still finish; its answer must then come from its record.
 */
export function isRefusalBeforeRecording(code: DomainErrorCode): boolean {
  return errorCategories[code] !== null;
}
