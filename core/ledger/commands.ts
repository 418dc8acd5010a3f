import type { CurrencyCode } from '../money';
import type { AccountCode } from './account-codes';
import type { TransferCode } from './transfer-codes';

/**
 * Small attribution data stored with a transfer and carried on its events, so projections can tell what it
 * was (e.g. `{ transferId: "…", purpose: "P2P" }`). At most 8 entries; keys 1-32 characters of A-Z a-z 0-9 _;
 * values strings of at most 128 characters.
 */
export type UserData = Readonly<Record<string, string>>;

/**
 * Opens an account. Limits: at most one of the two flags or a debit limit.
 * - `debitsMustNotExceedCredits`: debitsPending + debitsPosted + amount <= creditsPosted;
 * - `creditsMustNotExceedDebits`: creditsPending + creditsPosted + amount <= debitsPosted;
 * - `debitLimitMinor` (the net debit cap): debitsPending + debitsPosted + amount <= creditsPosted + limit.
 */
export type CreateAccountCommand = {
  type: 'create_account';
  id: string;
  ledger: CurrencyCode;
  code: AccountCode;
  /** Who the account belongs to: a participant id, a merchant id, or `hub`. */
  owner: string;
  debitsMustNotExceedCredits?: boolean;
  creditsMustNotExceedDebits?: boolean;
  /** The net debit cap in minor units; absent or null: no debit limit. */
  debitLimitMinor?: bigint | null;
  linked?: boolean;
};

/**
 * Sets (or with null removes) an account's debit limit: the operator changing a participant's net debit cap.
 * Lowering it below what is already used is allowed; it refuses new debits until the account is back within it.
 * Answers `ok` even when the limit is unchanged (the command is idempotent by nature).
 */
export type ChangeDebitLimitCommand = {
  type: 'change_debit_limit';
  accountId: string;
  debitLimitMinor: bigint | null;
  linked?: boolean;
};

/** Moves `amountMinor` from the debit account to the credit account at once (single phase). */
export type TransferCommand = {
  type: 'transfer';
  /** Client-chosen, unique across all transfers of the ledger: the idempotency key. */
  id: string;
  ledger: CurrencyCode;
  debitAccountId: string;
  creditAccountId: string;
  amountMinor: bigint;
  code: TransferCode;
  userData?: UserData;
  /** Applied only if every command of its chain is (see LedgerEngine). */
  linked?: boolean;
};

/** Reserves `amountMinor` (debitsPending / creditsPending) until posted, voided or `timeoutMs` has passed. */
export type PendingTransferCommand = Omit<TransferCommand, 'type'> & {
  type: 'pending_transfer';
  timeoutMs: number;
};

/** Posts a pending transfer: all of it when `amountMinor` is absent, or part of it (the rest is released). */
export type PostPendingCommand = {
  type: 'post_pending';
  /** The post's own transfer id (idempotency key), distinct from the pending transfer's. */
  id: string;
  pendingId: string;
  amountMinor?: bigint;
  userData?: UserData;
  linked?: boolean;
};

/** Voids a pending transfer: its whole reservation is released. */
export type VoidPendingCommand = {
  type: 'void_pending';
  id: string;
  pendingId: string;
  userData?: UserData;
  linked?: boolean;
};

export type LedgerCommand =
  CreateAccountCommand | ChangeDebitLimitCommand | TransferCommand | PendingTransferCommand | PostPendingCommand | VoidPendingCommand;
