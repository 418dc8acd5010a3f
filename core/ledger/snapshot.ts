import { assert } from '../assert';
import type { JsonObject } from '../eventstore/event';
import type { CurrencyCode } from '../money';
import type { AccountCode } from './account-codes';
import type { UserDataJson } from './events';
import { creditsPendingLane, creditsPostedLane, debitsPendingLane, debitsPostedLane } from './account-balances';
import { addAccount, initialState, type AccountRecord, type LedgerState } from './ledger-state';
import type { LedgerTunables } from './ledger-limits';
import { pendingTransferRecords } from './transfer-records';
import type { TransferCode } from './transfer-codes';

/**
 * Snapshots: the accounts and the pending transfers at one ledger event count, written as a few
 * `LedgerSnapshotChunk` events in one append to `snapshot-ledger-<currency>`. Resolved transfers are not in
 * it: the log itself holds them; start-up reads the idempotency window from the window segments written beside
 * the snapshot (transfer-id-window-segment.ts), or re-reads the window's part of the log when they cannot serve.
 * Rows are arrays, not objects, to keep the chunks small; every amount is a decimal string.
 */
export const snapshotChunkType = 'LedgerSnapshotChunk';

/**
 * Rows per chunk, so that a chunk stays below the store's 1 MiB event limit whatever its rows hold (a chunk over
 * it would fail the whole snapshot). An account row is at most ~330 bytes (ids are ASCII). A pending row is at
 * most ~6,750 bytes: its userData may hold 8 values of 128 characters that JSON escapes to up to 6 bytes each
 * (control characters), beside three ids of 64. At the default maxima (1,000,000 accounts and pending transfers)
 * a snapshot is 500 + 6,667 chunks, within the store's 10,000 events per append.
 */
const accountRowsPerChunk = 2000;
const pendingRowsPerChunk = 150;

export type AccountRow = [string, AccountCode, string, boolean, boolean, string | null, string | null, string, string, string, string];

/** An account as one row of plain values: what a snapshot stores, and what the canonical state compares. */
export function accountRow(account: AccountRecord): AccountRow {
  return [
    account.id,
    account.code,
    account.owner,
    account.debitsMustNotExceedCredits,
    account.creditsMustNotExceedDebits,
    optionalMinor(account.debitLimitMinor),
    optionalMinor(account.openingDebitLimitMinor),
    account.debitsPendingMinor.toString(),
    account.debitsPostedMinor.toString(),
    account.creditsPendingMinor.toString(),
    account.creditsPostedMinor.toString(),
  ];
}
type PendingRow = [string, string, string, string, TransferCode, number, number, number, UserDataJson | null];

export type SnapshotChunk = {
  ledger: CurrencyCode;
  /** The ledger facts the snapshot includes: it is the state after fact number eventCount - 1. */
  eventCount: number;
  /** The ledger stream's records it includes; absent in snapshots written before batch records (one per fact). */
  recordCount?: number;
  chunkIndex: number;
  chunkCount: number;
  accounts: AccountRow[];
  pending: PendingRow[];
};

export function snapshotChunks(state: LedgerState): JsonObject[] {
  const accountRows: AccountRow[] = [];
  for (const account of state.accounts.values()) accountRows.push(accountRow(account));
  const pendingRows: PendingRow[] = [];
  for (const transfer of pendingTransferRecords(state)) {
    pendingRows.push([
      transfer.id,
      transfer.debitAccountId,
      transfer.creditAccountId,
      transfer.amountMinor.toString(),
      transfer.code,
      transfer.timeoutMs as number,
      transfer.expiresAtMs as number,
      transfer.createdAtEvent,
      transfer.userData,
    ]);
  }
  assert(pendingRows.length === state.pending.count, 'the pending count matches the pending transfers held');
  const chunkCount = Math.max(1, Math.ceil(accountRows.length / accountRowsPerChunk) + Math.ceil(pendingRows.length / pendingRowsPerChunk));
  const chunks: SnapshotChunk[] = [];
  for (let start = 0; start < accountRows.length; start += accountRowsPerChunk) {
    chunks.push(chunk(state, chunks.length, chunkCount, accountRows.slice(start, start + accountRowsPerChunk), []));
  }
  for (let start = 0; start < pendingRows.length; start += pendingRowsPerChunk) {
    chunks.push(chunk(state, chunks.length, chunkCount, [], pendingRows.slice(start, start + pendingRowsPerChunk)));
  }
  if (chunks.length === 0) chunks.push(chunk(state, 0, 1, [], []));
  assert(chunks.length === chunkCount, 'snapshot chunk count is as announced');
  return chunks;
}

function chunk(state: LedgerState, chunkIndex: number, chunkCount: number, accounts: AccountRow[], pending: PendingRow[]): SnapshotChunk {
  return { ledger: state.ledger, eventCount: state.eventCount, recordCount: state.recordCount, chunkIndex, chunkCount, accounts, pending };
}

/**
 * A state from a whole snapshot (its chunks in order). The idempotency window's ids are missing until the caller
 * replays the log from `rememberedFromEvent(state)` with `rememberFromLog`.
 */
export function restoreSnapshot(chunks: readonly SnapshotChunk[], ledger: CurrencyCode, tunables: LedgerTunables): LedgerState {
  const first = chunks[0];
  assert(first !== undefined && chunks.length === first.chunkCount, 'a snapshot is read whole');
  const state = initialState(ledger, tunables);
  state.eventCount = first.eventCount;
  state.recordCount = first.recordCount ?? first.eventCount;
  chunks.forEach((part, index) => {
    assert(
      part.ledger === ledger && part.eventCount === first.eventCount && part.chunkIndex === index,
      'snapshot chunks belong together, in order',
    );
    for (const row of part.accounts) restoreAccount(state, row);
    for (const row of part.pending) restorePending(state, row);
  });
  return state;
}

function restoreAccount(state: LedgerState, row: AccountRow): void {
  const [
    id,
    code,
    owner,
    debitsMustNotExceedCredits,
    creditsMustNotExceedDebits,
    debitLimit,
    openingDebitLimit,
    debitsPending,
    debitsPosted,
    creditsPending,
    creditsPosted,
  ] = row;
  const account = addAccount(state, {
    id,
    code,
    owner,
    debitsMustNotExceedCredits,
    creditsMustNotExceedDebits,
    debitLimitMinor: debitLimit === null ? null : BigInt(debitLimit),
    openingDebitLimitMinor: openingDebitLimit === null ? null : BigInt(openingDebitLimit),
  });
  state.balances.write(account.index, debitsPendingLane, BigInt(debitsPending));
  state.balances.write(account.index, debitsPostedLane, BigInt(debitsPosted));
  state.balances.write(account.index, creditsPendingLane, BigInt(creditsPending));
  state.balances.write(account.index, creditsPostedLane, BigInt(creditsPosted));
}

/**
 * A pending row, as snapshots have always written it (account ids, the amount as decimal text): the state holds it
 * in `state.pending` by account index and in words. Its id window entry comes from replaying the window's part of the
 * log (rememberFromLog) or the window segments, in creation order.
 */
function restorePending(state: LedgerState, row: PendingRow): void {
  const [id, debitAccountId, creditAccountId, amount, code, timeoutMs, expiresAtMs, createdAtEvent, userData] = row;
  const debit = state.accounts.get(debitAccountId);
  const credit = state.accounts.get(creditAccountId);
  // A snapshot writes its account chunks before its pending ones, and restores them in that order.
  assert(debit !== undefined && credit !== undefined, `the accounts of pending transfer ${id} are in the snapshot`);
  state.balances.splitText(amount);
  state.pending.add(
    id,
    debit.index,
    credit.index,
    state.balances.low,
    state.balances.high,
    code,
    timeoutMs,
    expiresAtMs,
    createdAtEvent,
    userData,
  );
}

export function optionalMinor(value: bigint | null): string | null {
  return value === null ? null : value.toString();
}
