import type { LedgerEvent } from './events';
import { resolvedStatus } from './evolve';
import { postedTransferRecord, reservedTransferRecord } from './transfer-records';
import type { LedgerState } from './ledger-state';
import type { Transfer } from './transfer';

/**
 * Replays one event that precedes the snapshot, for memory only: the snapshot already holds its effect on
 * balances, but resolved transfers inside the idempotency window come only from the log. `eventNumber` is
 * the event's stream revision. Events must come in log order, from rememberedFromEvent(state) up to the
 * snapshot's event count.
 */
export function rememberFromLog(state: LedgerState, event: LedgerEvent, eventNumber: number): void {
  switch (event.type) {
    case 'LedgerAccountOpened':
    case 'LedgerDebitLimitChanged':
      return;
    case 'LedgerTransferPosted': {
      const data = event.data;
      queue(state, postedTransferRecord(data, BigInt(data.amountMinor), eventNumber));
      return;
    }
    case 'LedgerTransferReserved': {
      const data = event.data;
      const held = state.transfers.get(data.transferId);
      // Still pending at the snapshot: the snapshot's record is the live one; queue it in its creation place.
      if (held !== undefined && held.createdAtEvent === eventNumber) {
        state.creationOrder.push(held);
        return;
      }
      // Resolved before the snapshot (it is not among the snapshot's pending transfers): a later event says how.
      queue(state, reservedTransferRecord(data, BigInt(data.amountMinor), Date.parse(data.expiresAt), eventNumber));
      return;
    }
    case 'LedgerPendingPosted':
    case 'LedgerPendingVoided':
    case 'LedgerPendingExpired': {
      const pending = state.transfers.get(event.data.pendingId);
      // The snapshot's pending transfers are still pending, so an event before the snapshot resolves only a
      // record replayed here. A snapshot record with the same id (an id reused after the old one was
      // forgotten) was created after this event, which is how it is told apart.
      if (pending !== undefined && pending.pendingStatus === 'pending' && pending.createdAtEvent < eventNumber) {
        pending.pendingStatus = resolvedStatus(event.type);
      }
      if (event.type === 'LedgerPendingExpired') return;
      const data = event.data;
      queue(state, {
        id: data.transferId,
        kind: event.type === 'LedgerPendingPosted' ? 'post_pending' : 'void_pending',
        debitAccountId: data.debitAccountId,
        creditAccountId: data.creditAccountId,
        amountMinor: BigInt(data.amountMinor),
        code: data.code,
        pendingId: data.pendingId,
        timeoutMs: null,
        expiresAtMs: null,
        pendingStatus: null,
        requestedAmountMinor:
          event.type === 'LedgerPendingPosted' && event.data.requestedAmountMinor !== null ? BigInt(event.data.requestedAmountMinor) : null,
        userData: data.userData,
        createdAtEvent: eventNumber,
      });
      return;
    }
  }
}

function queue(state: LedgerState, transfer: Transfer): void {
  state.transfers.set(transfer.id, transfer);
  state.creationOrder.push(transfer);
}
