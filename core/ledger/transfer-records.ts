import type { LedgerEvent, LedgerTransferPosted, UserDataJson } from './events';
import { accountAtIndex, type LedgerState } from './ledger-state';
import type { TransferCode } from './transfer-codes';
import type { PendingStatus, Transfer } from './transfer';

/**
 * The Transfer record a single-phase transfer event describes (for a lookup). `eventNumber` is the ledger event
 * that created it (its place in the idempotency window).
 */
export function postedTransferRecord(data: LedgerTransferPosted['data'], amountMinor: bigint, eventNumber: number): Transfer {
  return {
    id: data.transferId,
    kind: 'transfer',
    debitAccountId: data.debitAccountId,
    creditAccountId: data.creditAccountId,
    amountMinor,
    code: data.code,
    pendingId: null,
    timeoutMs: null,
    expiresAtMs: null,
    pendingStatus: null,
    requestedAmountMinor: null,
    userData: data.userData,
    createdAtEvent: eventNumber,
  };
}

/** The Transfer record a reservation leaves: pending until a later fact resolves it. */
export function reservedTransferRecord(
  transferId: string,
  debitAccountId: string,
  creditAccountId: string,
  amountMinor: bigint,
  code: TransferCode,
  timeoutMs: number,
  expiresAtMs: number,
  userData: UserDataJson | null,
  eventNumber: number,
): Transfer {
  return {
    id: transferId,
    kind: 'pending_transfer',
    debitAccountId,
    creditAccountId,
    amountMinor,
    code,
    pendingId: null,
    timeoutMs,
    expiresAtMs,
    pendingStatus: 'pending',
    requestedAmountMinor: null,
    userData,
    createdAtEvent: eventNumber,
  };
}

/** The Transfer record of the pending transfer at `slot` of `state.pending` (a lookup's copy, off the hot path). */
export function pendingTransferRecord(state: LedgerState, slot: number): Transfer {
  const pending = state.pending;
  const userData = pending.userDataOf(slot);
  return reservedTransferRecord(
    pending.idOf(slot),
    accountAtIndex(state, pending.debitIndexOf(slot)).id,
    accountAtIndex(state, pending.creditIndexOf(slot)).id,
    pending.amountMinorOf(slot),
    pending.codeOf(slot),
    pending.timeoutMsOf(slot),
    pending.expiresAtMsOf(slot),
    userData === null ? null : { ...userData },
    pending.createdAtFactOf(slot),
  );
}

/** Every pending transfer the state holds, as Transfer records, in slot order: for snapshots and the canonical state. */
export function pendingTransferRecords(state: LedgerState): Transfer[] {
  const records: Transfer[] = [];
  for (let slot = 0; slot < state.pending.slotsEverUsed; slot += 1)
    if (state.pending.holds(slot)) records.push(pendingTransferRecord(state, slot));
  return records;
}

/**
 * The Transfer record the event that created a transfer describes, for a lookup of a resolved transfer (the
 * engine keeps only its id window entry: the event number and, for a pending transfer, how it ended). Undefined
 * when the event creates no transfer or another id (the window matched a hash, and the log is the judge).
 */
export function transferFromEvent(
  event: LedgerEvent,
  eventNumber: number,
  transferId: string,
  pendingStatus: PendingStatus | null,
): Transfer | undefined {
  switch (event.type) {
    case 'LedgerAccountOpened':
    case 'LedgerDebitLimitChanged':
    case 'LedgerPendingExpired':
      return undefined;
    case 'LedgerTransferPosted':
      return event.data.transferId === transferId
        ? postedTransferRecord(event.data, BigInt(event.data.amountMinor), eventNumber)
        : undefined;
    case 'LedgerTransferReserved': {
      if (event.data.transferId !== transferId) return undefined;
      const data = event.data;
      const transfer = reservedTransferRecord(
        data.transferId,
        data.debitAccountId,
        data.creditAccountId,
        BigInt(data.amountMinor),
        data.code,
        data.timeoutMs,
        Date.parse(data.expiresAt),
        data.userData,
        eventNumber,
      );
      transfer.pendingStatus = pendingStatus;
      return transfer;
    }
    case 'LedgerPendingPosted':
    case 'LedgerPendingVoided': {
      const data = event.data;
      if (data.transferId !== transferId) return undefined;
      const requested = event.type === 'LedgerPendingPosted' ? event.data.requestedAmountMinor : null;
      return {
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
        requestedAmountMinor: requested === null ? null : BigInt(requested),
        userData: data.userData,
        createdAtEvent: eventNumber,
      };
    }
  }
}
