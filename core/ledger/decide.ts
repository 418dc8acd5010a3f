import type { LedgerCommand } from './commands';
import { decideChangeDebitLimit, decideCreateAccount } from './decide-account';
import { decideResolution } from './decide-resolution';
import { decideTransfer } from './decide-transfer';
import { accept, refuse, type DecideContext, type Decision } from './decision';
import type { LedgerPendingExpired } from './events';
import { accountAtIndex, type LedgerState } from './ledger-state';
import { amountTextOfWords } from './amount-text';

/**
 * The ledger decider: one command against the current state. It never throws for bad input (a batch item
 * gets a result code instead); it throws only on a broken invariant.
 */
export function decide(command: LedgerCommand, state: LedgerState, context: DecideContext): Decision {
  switch (command.type) {
    case 'transfer':
    case 'pending_transfer':
      return decideTransfer(command, state, context);
    case 'post_pending':
    case 'void_pending':
      return decideResolution(command, state, context);
    case 'create_account':
      return decideCreateAccount(command, state);
    case 'change_debit_limit':
      return decideChangeDebitLimit(command, state);
    default: {
      // Compile-time exhaustiveness; at run time an untyped caller's unknown command is refused like bad input.
      const unknown: never = command;
      void unknown;
      return refuse('invalid_code');
    }
  }
}

/**
 * The pending transfer whose timeout has passed at `nowMs` and which expires first (the earliest created among
 * equals), or null. Only decides: the caller applies the event (evolve), which lets go of the transfer, before asking
 * again.
 */
export function decideExpiry(state: LedgerState, context: DecideContext): Decision | null {
  const pending = state.pending;
  const slot = pending.firstExpiry();
  if (slot === -1 || pending.expiresAtMsOf(slot) > context.nowMs) return null;
  const userData = pending.userDataOf(slot);
  const event: LedgerPendingExpired = {
    type: 'LedgerPendingExpired',
    data: {
      pendingId: pending.idOf(slot),
      debitAccountId: accountAtIndex(state, pending.debitIndexOf(slot)).id,
      creditAccountId: accountAtIndex(state, pending.creditIndexOf(slot)).id,
      amountMinor: amountTextOfWords(pending.amountLowOf(slot), pending.amountHighOf(slot)),
      code: pending.codeOf(slot),
      userData: userData === null ? null : { ...userData },
    },
  };
  return accept(event);
}
