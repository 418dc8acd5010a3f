import { rememberedTransfer, type LedgerState } from './ledger-state';
import { accountRow, optionalMinor } from './snapshot';

/**
 * The ledger state as one deterministic JSON string: every account and every remembered transfer, sorted by
 * id, amounts as strings. Two states are the same ledger exactly when their canonical forms are equal, which
 * is how tests and `npm run verify` prove that replaying the log reproduces the engine's state.
 * Internal bookkeeping (queue and heap order, transfers already outside the idempotency window but not yet
 * dropped) is left out: it never changes a decision.
 */
export function canonicalState(state: LedgerState): string {
  const accounts = [...state.accounts.values()]
    .sort((a, b) => compareIds(a.id, b.id))
    .map((account) => {
      const [id, ...balancesAndLimits] = accountRow(account);
      return [id, account.ledger, ...balancesAndLimits];
    });
  const transfers = [...state.transfers.keys()]
    .map((id) => rememberedTransfer(state, id))
    .filter((transfer) => transfer !== undefined)
    .sort((a, b) => compareIds(a.id, b.id))
    .map((transfer) => [
      transfer.id,
      transfer.kind,
      transfer.debitAccountId,
      transfer.creditAccountId,
      transfer.amountMinor.toString(),
      transfer.code,
      transfer.pendingId,
      transfer.timeoutMs,
      transfer.expiresAtMs,
      transfer.pendingStatus,
      optionalMinor(transfer.requestedAmountMinor),
      transfer.userData,
      transfer.createdAtEvent,
    ]);
  return JSON.stringify({ ledger: state.ledger, eventCount: state.eventCount, pendingCount: state.pendingCount, accounts, transfers });
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
