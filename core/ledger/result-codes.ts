/**
 * The answer for each submitted command, in order. Result codes, not exceptions: a refused item changes
 * nothing and the rest of the batch goes on (unless it is linked to the refused one).
 */
export const ledgerResultCodes = [
  /** Done: its events are durable. */
  'ok',
  /** The same id with the same fields was done before: an idempotent success, nothing new happened. */
  'exists',
  /** The id was used before for something else. */
  'exists_with_different_fields',
  /** An id is 1 to 64 characters of A-Z a-z 0-9 . _ : - */
  'invalid_id',
  /** Unknown account or transfer code. */
  'invalid_code',
  /** userData: at most 8 entries, keys 1-32 of A-Z a-z 0-9 _, string values of at most 128 characters. */
  'invalid_user_data',
  /** timeoutMs of a pending transfer: a whole number from 1 to the engine's timeoutMsMax. */
  'invalid_timeout',
  /** A debit limit is a bigint from 0 to the balance maximum, or null for none. */
  'invalid_debit_limit',
  /** An account has at most one of debitsMustNotExceedCredits, creditsMustNotExceedDebits and a debit limit. */
  'flags_are_mutually_exclusive',
  'amount_must_be_positive',
  'accounts_must_be_different',
  'account_not_found',
  /** The command's ledger (currency) is not this engine's. */
  'ledger_mismatch',
  /** The debit would take the account past its net debit cap (its debit limit). */
  'exceeds_net_debit_cap',
  /** debitsMustNotExceedCredits: the debit would exceed the account's posted credits. */
  'exceeds_credits',
  /** creditsMustNotExceedDebits: the credit would exceed the account's posted debits. */
  'exceeds_debits',
  /** No pending transfer has that id (or the transfer with that id is not a pending one). */
  'pending_not_found',
  'pending_already_posted',
  'pending_already_voided',
  /** The pending transfer's timeout has passed: its reservation is (or is about to be) released. */
  'pending_expired',
  'post_exceeds_pending_amount',
  /** Another command of the same linked chain failed, so this one was not applied either. */
  'linked_event_failed',
  /** The last command of a submit has `linked: true`: a chain must be closed inside one submit. */
  'linked_event_chain_open',
  /** A balance or an amount would pass the ledger's maximum (2^63 - 1 minor units). */
  'overflow',
  /** The engine holds its maximum of accounts or of pending transfers. */
  'ledger_full',
  /** The engine's queue is full: nothing was done, try again later. */
  'overloaded',
] as const;

export type LedgerResultCode = (typeof ledgerResultCodes)[number];
