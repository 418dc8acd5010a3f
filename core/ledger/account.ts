import type { CurrencyCode } from '../money';
import type { AccountCode } from './account-codes';

/** An account as the engine holds it (lookupAccount returns a copy). Balances are integer minor units. */
export type Account = {
  id: string;
  ledger: CurrencyCode;
  code: AccountCode;
  owner: string;
  debitsMustNotExceedCredits: boolean;
  creditsMustNotExceedDebits: boolean;
  /** The net debit cap, or null for none. */
  debitLimitMinor: bigint | null;
  debitsPendingMinor: bigint;
  debitsPostedMinor: bigint;
  creditsPendingMinor: bigint;
  creditsPostedMinor: bigint;
};
