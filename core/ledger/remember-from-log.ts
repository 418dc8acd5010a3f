import type { LedgerEvent } from './events';
import { resolvedStatus } from './evolve';
import type { LedgerState } from './ledger-state';
import { resolutionFieldsText, postedTransferFieldsText, reservedTransferFieldsText } from './transfer-fields-text';

/**
 * Replays one event that precedes the snapshot, for the idempotency window only: the snapshot already holds its
 * effect on balances and every transfer still pending, but the window's ids come only from the log.
 * `eventNumber` is the event's stream revision. Events must come in log order, from rememberedFromEvent(state)
 * up to the snapshot's event count.
 */
export function rememberFromLog(state: LedgerState, event: LedgerEvent, eventNumber: number): void {
  const window = state.window;
  switch (event.type) {
    case 'LedgerAccountOpened':
    case 'LedgerDebitLimitChanged':
      return;
    case 'LedgerTransferPosted': {
      const data = event.data;
      const fieldsText = postedTransferFieldsText(data);
      window.insert(data.transferId, eventNumber, 'transfer', null, fieldsText);
      return;
    }
    case 'LedgerTransferReserved': {
      const data = event.data;
      const fieldsText = reservedTransferFieldsText(data);
      // Pending for now: a later event of this replay says how it ended, if it ended before the snapshot.
      window.insert(data.transferId, eventNumber, 'pending_transfer', 'pending', fieldsText);
      return;
    }
    case 'LedgerPendingPosted':
    case 'LedgerPendingVoided':
    case 'LedgerPendingExpired': {
      // Only entries created before this event are in the window yet, so a match is the transfer it resolves (a
      // pending transfer created before the window's start is not replayed, and then nothing matches).
      const place = window.find(event.data.pendingId, state.eventCount);
      if (place !== -1 && window.statusAt(place) === 'pending') window.setStatus(place, resolvedStatus(event.type));
      if (event.type === 'LedgerPendingExpired') return;
      const kind = event.type === 'LedgerPendingPosted' ? 'post_pending' : 'void_pending';
      const requestedAmountMinor = event.type === 'LedgerPendingPosted' ? event.data.requestedAmountMinor : null;
      window.insert(
        event.data.transferId,
        eventNumber,
        kind,
        null,
        resolutionFieldsText(kind, event.data.pendingId, requestedAmountMinor, event.data.userData),
      );
      return;
    }
  }
}
