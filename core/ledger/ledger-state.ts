import type { CurrencyCode } from '../money';
import type { Account } from './account';
import { ExpiryHeap } from './expiry-heap';
import { defaultTunables, type LedgerTunables } from './ledger-limits';
import type { Transfer } from './transfer';
import { TransferQueue } from './transfer-queue';

/** An account plus what only the engine needs: the limit it was opened with (for `exists` on a retry). */
export type AccountRecord = Account & { openingDebitLimitMinor: bigint | null };

/**
 * The ledger's state. Unlike most deciders' state it is mutable: `evolve` updates it in place, because the
 * engine applies up to 8190 events per tick and copying maps per event would cost more than deciding them.
 * The engine never shares it; on a failed append it throws it away and rebuilds it from the log.
 */
export type LedgerState = {
  readonly ledger: CurrencyCode;
  readonly tunables: LedgerTunables;
  /**
   * Ledger facts (events.ts) applied so far: the next fact's number, which places a transfer in the idempotency
   * window. Logs before batch records hold one event per fact; since, one record holds a tick's facts.
   */
  eventCount: number;
  /** Records of the ledger stream the state includes: the next record's stream revision. */
  recordCount: number;
  accounts: Map<string, AccountRecord>;
  /** Every pending transfer and the resolved ones still inside the idempotency window. */
  transfers: Map<string, Transfer>;
  pendingCount: number;
  creationOrder: TransferQueue;
  expiries: ExpiryHeap;
};

export function initialState(ledger: CurrencyCode, tunables: LedgerTunables = defaultTunables): LedgerState {
  return {
    ledger,
    tunables,
    eventCount: 0,
    recordCount: 0,
    accounts: new Map(),
    transfers: new Map(),
    pendingCount: 0,
    creationOrder: new TransferQueue(),
    expiries: new ExpiryHeap(),
  };
}

/**
 * The first ledger event number whose transfers are still remembered: a resolved transfer created before it
 * is treated as unknown, whether or not it has been dropped from memory yet. Decisions therefore depend only
 * on the log, never on when the engine got round to forgetting.
 */
export function rememberedFromEvent(state: LedgerState): number {
  return state.eventCount - state.tunables.transfersRememberedEvents;
}

/** The transfer with that id if the ledger still remembers it. */
export function rememberedTransfer(state: LedgerState, transferId: string): Transfer | undefined {
  const transfer = state.transfers.get(transferId);
  if (transfer === undefined) return undefined;
  if (transfer.pendingStatus === 'pending' || transfer.createdAtEvent >= rememberedFromEvent(state)) return transfer;
  return undefined;
}

/** Drops resolved transfers that have left the idempotency window, looking at most at `stepsMax` (a bounded step). */
export function forgetOldTransfers(state: LedgerState, stepsMax: number): number {
  const boundary = rememberedFromEvent(state);
  let forgotten = 0;
  for (let step = 0; step < stepsMax; step += 1) {
    const oldest = state.creationOrder.peek();
    if (oldest === undefined || oldest.createdAtEvent >= boundary) break;
    state.creationOrder.shift();
    // A pending transfer leaves the queue but stays; evolve forgets it when it is resolved out of the window.
    if (oldest.pendingStatus !== 'pending' && state.transfers.get(oldest.id) === oldest) {
      state.transfers.delete(oldest.id);
      forgotten += 1;
    }
  }
  return forgotten;
}

/**
 * Posted and voided pending transfers leave stale entries in the expiry heap until their timeout. When those
 * outnumber the live ones by far, drop them, so the heap stays proportional to the pending transfers held.
 */
export function compactExpiries(state: LedgerState): boolean {
  if (state.expiries.size <= 2 * state.pendingCount + 65_536) return false;
  state.expiries.retain((transfer) => transfer.pendingStatus === 'pending' && state.transfers.get(transfer.id) === transfer);
  return true;
}
