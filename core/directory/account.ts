import { DomainError } from '../errors';
import { parseIban } from './iban';

export const accountTypes = ['WALLET', 'IBAN'] as const;
export type AccountType = (typeof accountTypes)[number];

/** Where an alias's money goes: a wallet account number or an IBAN, at the participant that owns the alias. */
export type Account = { type: AccountType; value: string };

export const walletAccountPattern = /^[A-Za-z0-9]{4,34}$/;

/** Checks an account reference; IBANs are normalised (upper case, no spaces) and must pass their check digits. */
export function parseAccount(type: AccountType, value: string): Account {
  switch (type) {
    case 'IBAN':
      return { type, value: parseIban(value).value };
    case 'WALLET':
      if (!walletAccountPattern.test(value)) {
        throw new DomainError('INVALID_ACCOUNT', 'a wallet account number is 4 to 34 letters or digits', [{ path: ['value'] }]);
      }
      return { type, value };
  }
}
