import type { LedgerTransferPosted, LedgerTransferReserved } from './events';
import type { Transfer } from './transfer';

/**
 * The Transfer record a single-phase transfer event leaves, for `evolve` and for the memory replay before a
 * snapshot alike. `eventNumber` is the ledger event that created it (its place in the idempotency window).
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

/** The Transfer record a reservation event leaves: pending until a later event resolves it. */
export function reservedTransferRecord(
  data: LedgerTransferReserved['data'],
  amountMinor: bigint,
  expiresAtMs: number,
  eventNumber: number,
): Transfer {
  return {
    id: data.transferId,
    kind: 'pending_transfer',
    debitAccountId: data.debitAccountId,
    creditAccountId: data.creditAccountId,
    amountMinor,
    code: data.code,
    pendingId: null,
    timeoutMs: data.timeoutMs,
    expiresAtMs,
    pendingStatus: 'pending',
    requestedAmountMinor: null,
    userData: data.userData,
    createdAtEvent: eventNumber,
  };
}
