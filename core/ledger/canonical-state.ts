import type { LedgerState } from './ledger-state';
import { accountRow, optionalMinor } from './snapshot';
import { pendingTransferRecords } from './transfer-records';

/**
 * The ledger state as one deterministic JSON string: every account and every pending transfer, sorted by id,
 * amounts as strings, and the idempotency window's live entries in creation order (the event that created each,
 * its kind and pending status: the log at those events is what the hashes were taken of, and the hashes are
 * seeded per process). Two states are the same ledger exactly when their canonical forms are equal, which is how
 * tests and `npm run verify` prove that replaying the log reproduces the engine's state.
 * Internal bookkeeping (slots and expiry order of pending transfers, window entries already outside the window but not yet removed) is left
 * out: it never changes a decision.
 */
export function canonicalState(state: LedgerState): string {
  const accounts = [...state.accounts.values()]
    .sort((a, b) => compareIds(a.id, b.id))
    .map((account) => {
      const [id, ...balancesAndLimits] = accountRow(account);
      return [id, account.ledger, ...balancesAndLimits];
    });
  // Pending transfers as the engine once held them whole (a Transfer each): the same rows, so a canonical form
  // written before they moved off the object heap (the old-log fixture's) still compares.
  const transfers = pendingTransferRecords(state)
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
  const window = state.window.aliveEntries(state.eventCount);
  return JSON.stringify({
    ledger: state.ledger,
    eventCount: state.eventCount,
    pendingCount: state.pending.count,
    accounts,
    transfers,
    window,
  });
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
