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

/**
 * The signed posted balance from the debit side: debitsPosted - creditsPosted. Over a ledger these sum to zero.
 * A participant's position account is positive when it owes the hub.
 */
export function netDebitPostedMinor(account: Account): bigint {
  return account.debitsPostedMinor - account.creditsPostedMinor;
}
