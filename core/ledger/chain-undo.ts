import type { LedgerEvent } from './events';
import type { AccountRecord, LedgerState } from './ledger-state';
import type { PendingStatus } from './transfer';
import type { SavedPendingTransfer } from './pending-transfers';

/** An account the event names: absent before (opened by it), or its balance words before. */
type AccountBefore = { id: string; record: AccountRecord | undefined; words: Uint32Array | undefined };
/** A transfer id the event names: whether it was pending before, and if so all of it. */
type TransferBefore = { id: string; pending: SavedPendingTransfer | null };
type StepBefore = {
  eventCount: number;
  accountCount: number;
  windowEnd: number;
  /** The window entry of the pending transfer a resolution event resolves, and its status before. */
  windowStatus: { place: number; status: PendingStatus } | null;
  accounts: AccountBefore[];
  transfers: TransferBefore[];
};

/**
 * Lets a linked chain be applied tentatively: before each event of the chain, `record` saves what `evolve`
 * may change (the accounts and transfers the event names, the counters, the id window's end and the status of
 * the pending transfer it resolves); `undo` puts all of it back when a
 * later command of the chain fails. Only chains pay for this; unlinked commands are applied directly.
 * A pending transfer is held again with its own expiry and creating fact, so the expiry order is as it was.
 */
export class ChainUndo {
  private readonly steps: StepBefore[] = [];

  constructor(private readonly state: LedgerState) {}

  record(event: LedgerEvent): void {
    const state = this.state;
    const accountIds: string[] = [];
    const transferIds: string[] = [];
    switch (event.type) {
      case 'LedgerAccountOpened':
      case 'LedgerDebitLimitChanged':
        accountIds.push(event.data.accountId);
        break;
      case 'LedgerTransferPosted':
      case 'LedgerTransferReserved':
        accountIds.push(event.data.debitAccountId, event.data.creditAccountId);
        transferIds.push(event.data.transferId);
        break;
      case 'LedgerPendingPosted':
      case 'LedgerPendingVoided':
        accountIds.push(event.data.debitAccountId, event.data.creditAccountId);
        transferIds.push(event.data.transferId, event.data.pendingId);
        break;
      case 'LedgerPendingExpired':
        accountIds.push(event.data.debitAccountId, event.data.creditAccountId);
        transferIds.push(event.data.pendingId);
        break;
    }
    let windowStatus: StepBefore['windowStatus'] = null;
    if (event.type === 'LedgerPendingPosted' || event.type === 'LedgerPendingVoided' || event.type === 'LedgerPendingExpired') {
      const place = state.window.find(event.data.pendingId, state.eventCount);
      const status = place === -1 ? null : state.window.statusAt(place);
      if (status !== null) windowStatus = { place, status };
    }
    this.steps.push({
      eventCount: state.eventCount,
      accountCount: state.balances.count,
      windowEnd: state.window.end,
      windowStatus,
      accounts: accountIds.map((id) => {
        const record = state.accounts.get(id);
        return { id, record, words: record === undefined ? undefined : state.balances.save(record.index) };
      }),
      transfers: transferIds.map((id) => ({ id, pending: pendingBefore(state, id) })),
    });
  }

  /** Restores the state as it was before the first recorded event, newest step first. */
  undo(): void {
    const state = this.state;
    for (let index = this.steps.length - 1; index >= 0; index -= 1) {
      const step = this.steps[index] as StepBefore;
      state.eventCount = step.eventCount;
      state.window.truncate(step.windowEnd);
      if (step.windowStatus !== null) state.window.setStatus(step.windowStatus.place, step.windowStatus.status);
      for (const before of step.accounts) {
        if (before.record === undefined) state.accounts.delete(before.id);
        else if (before.words !== undefined) state.balances.restore(before.record.index, before.words);
      }
      // Accounts the chain opened took the last indexes: give them back.
      state.balances.truncate(step.accountCount);
      state.accountsByIndex.length = step.accountCount;
      for (const before of step.transfers) {
        const now = state.pending.find(before.id);
        if (now !== -1) state.pending.remove(now);
        if (before.pending !== null) state.pending.restore(before.id, before.pending);
      }
    }
    this.steps.length = 0;
  }

  /** The chain succeeded: forget what was saved. */
  clear(): void {
    this.steps.length = 0;
  }
}

/** All of the pending transfer `id`, or null when the ledger holds none by that id. */
function pendingBefore(state: LedgerState, id: string): SavedPendingTransfer | null {
  const slot = state.pending.find(id);
  return slot === -1 ? null : state.pending.saved(slot);
}
