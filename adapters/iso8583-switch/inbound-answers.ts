import type { AbortReason } from '../../core/transfers/transfer-events';
import type { TransferView } from '../../core/transfers/transfer-view';
import { authorizationCodeFor, responseCodeForOutcome, responseCodes, type TransferOutcomeCategory } from '../iso8583/mapping';
import type { InboundAnswer } from '../iso8583/inbound-financial-handler';

/**
 * The 0210 a bank gets for the transfer it sent (issue 5): 00 with an approval code once committed, otherwise
 * the DE39 of why it was not. A payee that refused to credit is a decline (05, do not honour) rather than 91:
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
};

export function answerForTransfer(view: TransferView): InboundAnswer {
  if (view.state === 'COMMITTED') return { responseCode: responseCodes.approved, authorizationCode: authorizationCodeFor(view.id) };
  if (view.state === 'IN_FLIGHT') return { responseCode: responseCodes.systemError };
  const category = abortCategories[view.abortReason as AbortReason] as TransferOutcomeCategory | undefined;
  return { responseCode: responseCodeForOutcome(category ?? 'system_error') };
}

/** The domain's refusals (thrown before anything is recorded) in DE39 terms. */
const errorCategories: Readonly<Record<string, TransferOutcomeCategory>> = {
  IDEMPOTENCY_CONFLICT: 'duplicate_with_different_fields',
  PARTY_NOT_FOUND: 'unknown_payee',
  INVALID_PARTY: 'unknown_payee',
  INVALID_ALIAS: 'unknown_payee',
  INVALID_IBAN: 'unknown_payee',
  INVALID_ACCOUNT: 'unknown_payee',
  PAYEE_IS_PAYER: 'invalid_transaction',
  INVALID_AMOUNT: 'invalid_amount',
  UNKNOWN_CURRENCY: 'unsupported_currency',
  CURRENCY_NOT_SUPPORTED: 'unsupported_currency',
  PARTICIPANT_INACTIVE: 'not_permitted',
  // DE102 names another participant's customer (an IBAN of its bank code): do not honour, nothing recorded.
  PAYER_NOT_OWNED: 'not_permitted',
  VALIDATION_FAILED: 'format_error',
};

/** Anything not listed (an overloaded ledger, a full outbox, a transfer still in flight) is a system error: 96. */
export function responseCodeForError(code: string): string {
  return responseCodeForOutcome(errorCategories[code] ?? 'system_error');
}

/**
 * The listed refusals are thrown before a transfer is recorded (or, for IDEMPOTENCY_CONFLICT, about another
 * request's record), so their answer is final. After any other failure the transfer may be recorded and still
 * finish; its answer must then come from its record.
 */
export function isRefusalBeforeRecording(code: string): boolean {
  return Object.hasOwn(errorCategories, code);
}
