import { assert } from '../assert';
import { eventStoreLimits } from '../eventstore/limits';
import type { CurrencyCode } from '../money';
import type { Account } from './account';
import { amountText } from './amount-text';
import { ExpiryHeap } from './expiry-heap';
import { defaultTunables, type LedgerTunables } from './ledger-limits';
import type { PendingStatus, Transfer, TransferKind } from './transfer';
import { transferFieldsText } from './transfer-fields-text';
import { TransferIdWindow } from './transfer-id-window';

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
  /** Every pending transfer, whole (posting or voiding it needs its fields), for as long as it is pending. */
  transfers: Map<string, Transfer>;
  pendingCount: number;
  /** The ids of the transfers created inside the idempotency window, pending or resolved, off the object heap. */
  window: TransferIdWindow;
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
    // The margin covers the events of one tick, which the engine decides before it forgets the expired ids.
    window: new TransferIdWindow(tunables.transfersRememberedEvents, eventStoreLimits.eventsPerAppendMax),
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

/** What the ledger remembers of a transfer id: enough to decide a repeat of it, and a pending transfer whole. */
export type RememberedTransfer = {
  kind: TransferKind;
  pendingStatus: PendingStatus | null;
  /** The transfer itself while it is pending; null once resolved (the window keeps only a digest of it). */
  pending: Transfer | null;
  /** Whether a command's fields (transfer-fields-text.ts) are those the transfer was created with. */
  sameFields(fieldsText: string): boolean;
};

/**
 * The transfer with that id if the ledger still remembers it: a pending one (whatever its age) or one created
 * inside the idempotency window. Allocates only when the id is found, which is the rare case (a repeat).
 */
export function rememberedTransfer(state: LedgerState, transferId: string): RememberedTransfer | undefined {
  const pending = state.transfers.get(transferId);
  if (pending !== undefined) {
    return {
      kind: pending.kind,
      pendingStatus: pending.pendingStatus,
      pending,
      sameFields: (fieldsText) => fieldsText === pendingFieldsText(pending),
    };
  }
  const window = state.window;
  const place = window.find(transferId, state.eventCount);
  if (place === -1) return undefined;
  return {
    kind: window.kindAt(place),
    pendingStatus: window.statusAt(place),
    pending: null,
    sameFields: (fieldsText) => window.sameFields(place, fieldsText),
  };
}

/** Where the log holds a resolved transfer still inside the window, and its pending status: what a lookup reads. */
export function windowedTransfer(
  state: LedgerState,
  transferId: string,
): { eventNumber: number; pendingStatus: PendingStatus | null } | undefined {
  const place = state.window.find(transferId, state.eventCount);
  if (place === -1) return undefined;
  return { eventNumber: state.window.eventNumberAt(place, state.eventCount), pendingStatus: state.window.statusAt(place) };
}

function pendingFieldsText(pending: Transfer): string {
  assert(pending.kind === 'pending_transfer', 'only pending transfers are held whole');
  return transferFieldsText(
    pending.kind,
    pending.debitAccountId,
    pending.creditAccountId,
    amountText(pending.amountMinor),
    pending.code,
    pending.timeoutMs,
    pending.userData,
  );
}

/** Removes the ids that have left the idempotency window, at most `stepsMax` of them (a bounded step). */
export function forgetOldTransfers(state: LedgerState, stepsMax: number): number {
  return state.window.forgetExpired(state.eventCount, stepsMax);
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
