import { isAccountCode } from './account-codes';
import type { ChangeDebitLimitCommand, CreateAccountCommand } from './commands';
import { isFlag, isValidId } from './command-validation';
import { accept, refuse, type Decision } from './decision';
import { balanceMinorMax } from './ledger-limits';
import type { LedgerState } from './ledger-state';

function isValidDebitLimit(value: unknown): value is bigint | null | undefined {
  return value === undefined || value === null || (typeof value === 'bigint' && value >= 0n && value <= balanceMinorMax);
}

export function decideCreateAccount(command: CreateAccountCommand, state: LedgerState): Decision {
  if (!isValidId(command.id) || !isValidId(command.owner)) return refuse('invalid_id');
  if (!isAccountCode(command.code)) return refuse('invalid_code');
  if (command.ledger !== state.ledger) return refuse('ledger_mismatch');
  if (!isFlag(command.debitsMustNotExceedCredits) || !isFlag(command.creditsMustNotExceedDebits))
    return refuse('flags_are_mutually_exclusive');
  if (!isValidDebitLimit(command.debitLimitMinor)) return refuse('invalid_debit_limit');
  const debitsMustNotExceedCredits = command.debitsMustNotExceedCredits === true;
  const creditsMustNotExceedDebits = command.creditsMustNotExceedDebits === true;
  const debitLimitMinor = command.debitLimitMinor ?? null;
  const limitsSet = Number(debitsMustNotExceedCredits) + Number(creditsMustNotExceedDebits) + Number(debitLimitMinor !== null);
  if (limitsSet > 1) return refuse('flags_are_mutually_exclusive');

  const existing = state.accounts.get(command.id);
  if (existing !== undefined) {
    const same =
      existing.code === command.code &&
      existing.owner === command.owner &&
      existing.debitsMustNotExceedCredits === debitsMustNotExceedCredits &&
      existing.creditsMustNotExceedDebits === creditsMustNotExceedDebits &&
      existing.openingDebitLimitMinor === debitLimitMinor;
    return refuse(same ? 'exists' : 'exists_with_different_fields');
  }
  if (state.accounts.size >= state.tunables.accountsMax) return refuse('ledger_full');
  return accept({
    type: 'LedgerAccountOpened',
    data: {
      accountId: command.id,
      ledger: state.ledger,
      code: command.code,
      owner: command.owner,
      debitsMustNotExceedCredits,
      creditsMustNotExceedDebits,
      debitLimitMinor: debitLimitMinor === null ? null : debitLimitMinor.toString(),
    },
  });
}

export function decideChangeDebitLimit(command: ChangeDebitLimitCommand, state: LedgerState): Decision {
  if (!isValidId(command.accountId)) return refuse('invalid_id');
  if (command.debitLimitMinor === undefined || !isValidDebitLimit(command.debitLimitMinor)) return refuse('invalid_debit_limit');
  const account = state.accounts.get(command.accountId);
  if (account === undefined) return refuse('account_not_found');
  if (command.debitLimitMinor !== null && (account.debitsMustNotExceedCredits || account.creditsMustNotExceedDebits)) {
    return refuse('flags_are_mutually_exclusive');
  }
  return accept({
    type: 'LedgerDebitLimitChanged',
    data: {
      accountId: account.id,
      debitLimitMinor: command.debitLimitMinor === null ? null : command.debitLimitMinor.toString(),
      previousDebitLimitMinor: account.debitLimitMinor === null ? null : account.debitLimitMinor.toString(),
    },
  });
}
