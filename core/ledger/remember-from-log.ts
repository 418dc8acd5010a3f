import { assert } from '../assert';
import type { LedgerTransferPosted, LedgerTransferReserved, LedgerEvent } from './events';
import { digestResolution, resolvedStatus } from './evolve';
import type { LedgerState } from './ledger-state';
import { digestTransferBetween, fieldsDigest } from './transfer-fields-digest';

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
      digestTransferFact(state, event.data, -1);
      window.insert(event.data.transferId, eventNumber, 'transfer', null, fieldsDigest[0] as number, fieldsDigest[1] as number);
      return;
    }
    case 'LedgerTransferReserved': {
      digestTransferFact(state, event.data, event.data.timeoutMs);
      // Pending for now: a later event of this replay says how it ended, if it ended before the snapshot.
      window.insert(
        event.data.transferId,
        eventNumber,
        'pending_transfer',
        'pending',
        fieldsDigest[0] as number,
        fieldsDigest[1] as number,
      );
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
      digestResolution(state.balances, kind, event.data.pendingId, requestedAmountMinor, event.data.userData);
      window.insert(event.data.transferId, eventNumber, kind, null, fieldsDigest[0] as number, fieldsDigest[1] as number);
      return;
    }
  }
}

/** The fields digest of a transfer or pending transfer fact (`timeoutMs` -1 for none), into `fieldsDigest`. */
function digestTransferFact(
  state: LedgerState,
  data: LedgerTransferPosted['data'] | LedgerTransferReserved['data'],
  timeoutMs: number,
): void {
  const debit = state.accounts.get(data.debitAccountId);
  const credit = state.accounts.get(data.creditAccountId);
  // Accounts are opened before any transfer names them, and a snapshot holds every account opened before it.
  assert(debit !== undefined && credit !== undefined, `the accounts of transfer ${data.transferId} are in the snapshot`);
  const balances = state.balances;
  balances.splitText(data.amountMinor);
  digestTransferBetween(
    balances.words,
    timeoutMs < 0 ? 'transfer' : 'pending_transfer',
    debit.index,
    credit.index,
    balances.low,
    balances.high,
    data.code,
    timeoutMs,
    data.userData,
  );
}
