import type { LedgerCommand } from './commands';
import { decideChangeDebitLimit, decideCreateAccount } from './decide-account';
import { decideResolution } from './decide-resolution';
import { decideTransfer } from './decide-transfer';
import { accept, refuse, type DecideContext, type Decision } from './decision';
import type { LedgerPendingExpired } from './events';
import type { LedgerState } from './ledger-state';

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
 * The pending transfers whose timeout has passed at `nowMs`, oldest expiry first, at most `max`. Only decides:
 * the caller applies each event (evolve) before asking again. Pops stale heap entries as it goes.
 */
export function decideExpiry(state: LedgerState, context: DecideContext): Decision | null {
  for (;;) {
    const next = state.expiries.peek();
    if (next === undefined || (next.expiresAtMs as number) > context.nowMs) return null;
    state.expiries.pop();
    // Skip entries for transfers already resolved, rolled back or replaced: only a live pending one expires.
    if (next.pendingStatus !== 'pending' || state.transfers.get(next.id) !== next) continue;
    const event: LedgerPendingExpired = {
      type: 'LedgerPendingExpired',
      data: {
        pendingId: next.id,
        debitAccountId: next.debitAccountId,
        creditAccountId: next.creditAccountId,
        amountMinor: next.amountMinor.toString(),
        code: next.code,
        userData: next.userData === null ? null : { ...next.userData },
      },
    };
    return accept(event);
  }
}
