import type { CurrencyCode } from '../money';
import type { AccountCode } from './account-codes';
import type { TransferCode } from './transfer-codes';

/**
 * The ledger's events, appended only by the engine to the stream `ledger-<currency>`. Every event carries what
 * a projection needs without looking anything up (both accounts, the amount, the code, the userData).
 *
 * Encoding: event data is JSON; every amount is a decimal integer string of minor units ("150050" is
 * PKR 1500.50), parse it with BigInt(). Instants are ISO-8601 strings; the instant an event was decided is
 * its metadata `at`. An absent userData is null.
 */
export type UserDataJson = { [key: string]: string };

export type LedgerAccountOpened = {
  type: 'LedgerAccountOpened';
  data: {
    accountId: string;
    ledger: CurrencyCode;
    code: AccountCode;
    owner: string;
    debitsMustNotExceedCredits: boolean;
    creditsMustNotExceedDebits: boolean;
    debitLimitMinor: string | null;
  };
};

export type LedgerDebitLimitChanged = {
  type: 'LedgerDebitLimitChanged';
  data: { accountId: string; debitLimitMinor: string | null; previousDebitLimitMinor: string | null };
};

/** A single-phase transfer: the debit and credit are posted at once. */
export type LedgerTransferPosted = {
  type: 'LedgerTransferPosted';
  data: {
    transferId: string;
    debitAccountId: string;
    creditAccountId: string;
    amountMinor: string;
    code: TransferCode;
    userData: UserDataJson | null;
  };
};

/** A pending transfer: the amount is reserved (debitsPending, creditsPending) until resolved or expired. */
export type LedgerTransferReserved = {
  type: 'LedgerTransferReserved';
  data: {
    transferId: string;
    debitAccountId: string;
    creditAccountId: string;
    amountMinor: string;
    code: TransferCode;
    timeoutMs: number;
    expiresAt: string;
    userData: UserDataJson | null;
  };
};

/** A pending transfer posted (wholly or partly): amountMinor is posted, the rest of pendingAmountMinor released. */
export type LedgerPendingPosted = {
  type: 'LedgerPendingPosted';
  data: {
    transferId: string;
    pendingId: string;
    debitAccountId: string;
    creditAccountId: string;
    amountMinor: string;
    pendingAmountMinor: string;
    /** The amount the post command asked for, or null when it asked for all of the pending amount. */
    requestedAmountMinor: string | null;
    code: TransferCode;
    userData: UserDataJson | null;
  };
};

/** A pending transfer voided: its whole reservation (amountMinor) released. */
export type LedgerPendingVoided = {
  type: 'LedgerPendingVoided';
  data: {
    transferId: string;
    pendingId: string;
    debitAccountId: string;
    creditAccountId: string;
    amountMinor: string;
    code: TransferCode;
    userData: UserDataJson | null;
  };
};

/** A pending transfer past its timeout: its whole reservation released. userData is the pending transfer's. */
export type LedgerPendingExpired = {
  type: 'LedgerPendingExpired';
  data: {
    pendingId: string;
    debitAccountId: string;
    creditAccountId: string;
    amountMinor: string;
    code: TransferCode;
    userData: UserDataJson | null;
  };
};

export type LedgerEvent =
  | LedgerAccountOpened
  | LedgerDebitLimitChanged
  | LedgerTransferPosted
  | LedgerTransferReserved
  | LedgerPendingPosted
  | LedgerPendingVoided
  | LedgerPendingExpired;

export type LedgerEventType = LedgerEvent['type'];

export const ledgerEventTypes: readonly LedgerEventType[] = [
  'LedgerAccountOpened',
  'LedgerDebitLimitChanged',
  'LedgerTransferPosted',
  'LedgerTransferReserved',
  'LedgerPendingPosted',
  'LedgerPendingVoided',
  'LedgerPendingExpired',
];

/** The ledger stream of a currency: written only by that currency's engine. */
export function ledgerStreamName(ledger: CurrencyCode): string {
  return `ledger-${ledger}`;
}

/**
 * Where the engine keeps its snapshots (events too). A separate stream, named so that a projection filtering
 * on the prefix `ledger-` never sees them.
 */
export function ledgerSnapshotStreamName(ledger: CurrencyCode): string {
  return `snapshot-ledger-${ledger}`;
}
