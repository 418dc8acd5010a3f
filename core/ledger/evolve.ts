import { AssertionError, assertNever } from '../assert';
import type {
  LedgerAccountOpened,
  LedgerDebitLimitChanged,
  LedgerEvent,
  LedgerPendingExpired,
  LedgerPendingPosted,
  LedgerPendingVoided,
  LedgerTransferPosted,
  LedgerTransferReserved,
  UserDataJson,
} from './events';
import {
  creditsPendingLane as creditsPendingLaneExport,
  creditsPostedLane as creditsPostedLaneExport,
  debitsPendingLane as debitsPendingLaneExport,
  debitsPostedLane as debitsPostedLaneExport,
  isGreater,
  type AccountBalances,
} from './account-balances';
import { msFromIso } from './instant-text';
import { addAccount, type AccountRecord, type LedgerState } from './ledger-state';
import {
  digestResolutionFields,
  digestTransferBetween,
  fieldsDigest as fieldsDigestExport,
  noRequestedAmount,
} from './transfer-fields-digest';
import type { TransferCode } from './transfer-codes';
import type { PendingStatus } from './transfer';

// Module constants of their own: under tsx an imported binding is read through a getter on every use, and these
// are read for every transfer.
const creditsPendingLane = creditsPendingLaneExport;
const creditsPostedLane = creditsPostedLaneExport;
const debitsPendingLane = debitsPendingLaneExport;
const debitsPostedLane = debitsPostedLaneExport;
const fieldsDigest = fieldsDigestExport;

/**
 * Applies one ledger event to the state, in place (see LedgerState), and returns it. Asserts the invariants an
 * event must keep: both accounts exist, no balance goes negative or past the maximum (AccountBalances checks
 * both as it adds and subtracts), a pending transfer is resolved at most once. A failed assertion means the log or the decider is wrong: crash, do not go on.
 */
export function evolve(state: LedgerState, event: LedgerEvent): LedgerState {
  switch (event.type) {
    case 'LedgerAccountOpened':
      openAccount(state, event);
      break;
    case 'LedgerDebitLimitChanged':
      changeDebitLimit(state, event);
      break;
    case 'LedgerTransferPosted':
      postTransfer(state, event);
      break;
    case 'LedgerTransferReserved':
      reserveTransfer(state, event);
      break;
    case 'LedgerPendingPosted':
    case 'LedgerPendingVoided':
    case 'LedgerPendingExpired':
      resolvePending(state, event);
      break;
    default:
      return assertNever(event);
  }
  state.eventCount += 1;
  return state;
}

function openAccount(state: LedgerState, event: LedgerAccountOpened): void {
  const data = event.data;
  if (state.accounts.has(data.accountId)) throw new AssertionError(`account ${data.accountId} is opened once`);
  if (data.ledger !== state.ledger) throw new AssertionError(`account ${data.accountId} belongs to ledger ${state.ledger}`);
  const debitLimitMinor = data.debitLimitMinor === null ? null : BigInt(data.debitLimitMinor);
  addAccount(state, {
    id: data.accountId,
    code: data.code,
    owner: data.owner,
    debitsMustNotExceedCredits: data.debitsMustNotExceedCredits,
    creditsMustNotExceedDebits: data.creditsMustNotExceedDebits,
    debitLimitMinor,
    openingDebitLimitMinor: debitLimitMinor,
  });
}

function changeDebitLimit(state: LedgerState, event: LedgerDebitLimitChanged): void {
  const account = existingAccount(state, event.data.accountId);
  state.balances.setLimit(account.index, event.data.debitLimitMinor === null ? null : BigInt(event.data.debitLimitMinor));
}

function postTransfer(state: LedgerState, event: LedgerTransferPosted): void {
  const data = event.data;
  const debitIndex = existingAccount(state, data.debitAccountId).index;
  const creditIndex = existingAccount(state, data.creditAccountId).index;
  const balances = state.balances;
  balances.splitText(data.amountMinor);
  evolvePostedTransfer(state, debitIndex, creditIndex, balances.low, balances.high, data.code, data.userData);
  state.window.insert(data.transferId, state.eventCount, 'transfer', null, fieldsDigest[0] as number, fieldsDigest[1] as number);
}

/**
 * The balances and the fields digest of a posted transfer, given its accounts by index and its amount in words:
 * what `evolve` and the start-up replay (replay-ledger-record.ts, straight from a batch record's row) share. The
 * caller inserts the id into the window with the digest left in `fieldsDigest`.
 */
export function evolvePostedTransfer(
  state: LedgerState,
  debitIndex: number,
  creditIndex: number,
  amountLow: number,
  amountHigh: number,
  code: TransferCode,
  userData: UserDataJson | null,
): void {
  const balances = state.balances;
  balances.add(debitIndex, debitsPostedLane, amountLow, amountHigh);
  balances.add(creditIndex, creditsPostedLane, amountLow, amountHigh);
  digestPostedTransfer(state, debitIndex, creditIndex, amountLow, amountHigh, code, userData);
}

/** The fields digest of a posted transfer, into `fieldsDigest` (also what replaying the window before a snapshot takes). */
export function digestPostedTransfer(
  state: LedgerState,
  debitIndex: number,
  creditIndex: number,
  amountLow: number,
  amountHigh: number,
  code: TransferCode,
  userData: UserDataJson | null,
): void {
  digestTransferBetween(state.balances.words, 'transfer', debitIndex, creditIndex, amountLow, amountHigh, code, -1, userData);
}

function reserveTransfer(state: LedgerState, event: LedgerTransferReserved): void {
  const data = event.data;
  const debitIndex = existingAccount(state, data.debitAccountId).index;
  const creditIndex = existingAccount(state, data.creditAccountId).index;
  const expiresAtMs = msFromIso(data.expiresAt);
  const balances = state.balances;
  balances.splitText(data.amountMinor);
  evolveReservedTransfer(
    state,
    data.transferId,
    debitIndex,
    creditIndex,
    balances.low,
    balances.high,
    data.code,
    data.timeoutMs,
    expiresAtMs,
    data.userData,
  );
}

/**
 * A reservation, given its accounts by index and its amount in words: what `evolve` of LedgerTransferReserved and
 * the engine's decider writing the record's row straight from its decision (decide-into-record.ts) share.
 */
export function evolveReservedTransfer(
  state: LedgerState,
  transferId: string,
  debitIndex: number,
  creditIndex: number,
  amountLow: number,
  amountHigh: number,
  code: TransferCode,
  timeoutMs: number,
  expiresAtMs: number,
  userData: UserDataJson | null,
): void {
  if (!Number.isFinite(expiresAtMs)) throw new AssertionError(`pending transfer ${transferId} has a valid expiry`);
  const balances = state.balances;
  balances.add(debitIndex, debitsPendingLane, amountLow, amountHigh);
  balances.add(creditIndex, creditsPendingLane, amountLow, amountHigh);
  // The decider refuses a remembered id, so the table asserts that a pending id is never held twice.
  state.pending.add(transferId, debitIndex, creditIndex, amountLow, amountHigh, code, timeoutMs, expiresAtMs, state.eventCount, userData);
  digestTransferBetween(balances.words, 'pending_transfer', debitIndex, creditIndex, amountLow, amountHigh, code, timeoutMs, userData);
  state.window.insert(transferId, state.eventCount, 'pending_transfer', 'pending', fieldsDigest[0] as number, fieldsDigest[1] as number);
}

function resolvePending(state: LedgerState, event: LedgerPendingPosted | LedgerPendingVoided | LedgerPendingExpired): void {
  const data = event.data;
  const slot = state.pending.find(data.pendingId);
  if (slot === -1) throw new AssertionError(`${event.type} resolves a pending transfer the ledger holds (${data.pendingId})`);
  const status = resolvedStatus(event.type);
  const balances = state.balances;
  if (event.type === 'LedgerPendingPosted') balances.splitText(event.data.amountMinor);
  releasePending(state, slot, status, balances.low, balances.high);
  if (event.type === 'LedgerPendingExpired') return;
  const kind = event.type === 'LedgerPendingPosted' ? 'post_pending' : 'void_pending';
  const requestedAmountMinor = event.type === 'LedgerPendingPosted' ? event.data.requestedAmountMinor : null;
  digestResolution(state.balances, kind, data.pendingId, requestedAmountMinor, event.data.userData);
  state.window.insert(event.data.transferId, state.eventCount, kind, null, fieldsDigest[0] as number, fieldsDigest[1] as number);
}

/**
 * Resolves the pending transfer at `slot` of `state.pending`: releases its reservation, posts `postedLow`/`postedHigh`
 * (an amount in words, read only when `status` is 'posted'), records in its window entry how it ended, and lets go
 * of it. The post's or void's own id is the caller's to insert. Shared by `evolve` and the decider writing the
 * record's row (decide-into-record.ts).
 */
export function releasePending(state: LedgerState, slot: number, status: PendingStatus, postedLow: number, postedHigh: number): void {
  const pending = state.pending;
  const pendingId = pending.idOf(slot);
  if (status === 'pending') throw new AssertionError(`pending transfer ${pendingId} is resolved to an end`);
  const debitIndex = pending.debitIndexOf(slot);
  const creditIndex = pending.creditIndexOf(slot);
  const amountLow = pending.amountLowOf(slot);
  const amountHigh = pending.amountHighOf(slot);
  const balances = state.balances;
  balances.subtract(debitIndex, debitsPendingLane, amountLow, amountHigh);
  balances.subtract(creditIndex, creditsPendingLane, amountLow, amountHigh);
  if (status === 'posted') {
    if ((postedLow === 0 && postedHigh === 0) || isGreater(postedHigh, postedLow, amountHigh, amountLow))
      throw new AssertionError(`a post of ${pendingId} is within its pending amount`);
    balances.add(debitIndex, debitsPostedLane, postedLow, postedHigh);
    balances.add(creditIndex, creditsPostedLane, postedLow, postedHigh);
  }
  // Resolved, it is held whole no more: its window entry (if it is still inside the window) records how it ended.
  const createdAtFact = pending.createdAtFactOf(slot);
  pending.remove(slot);
  const place = state.window.find(pendingId, state.eventCount);
  if (place !== -1) {
    if (state.window.eventNumberAt(place, state.eventCount) !== createdAtFact)
      throw new AssertionError(`the window entry of ${pendingId} is the pending transfer's own`);
    state.window.setStatus(place, status);
  }
}

/** The fields digest of a post or void, into `fieldsDigest`, from its event's fields (the requested amount as text). */
export function digestResolution(
  balances: AccountBalances,
  kind: 'post_pending' | 'void_pending',
  pendingId: string,
  requestedAmountMinorText: string | null,
  userData: UserDataJson | null,
): void {
  if (requestedAmountMinorText === null) {
    digestResolutionFields(kind, pendingId, 0, noRequestedAmount, userData);
    return;
  }
  balances.splitText(requestedAmountMinorText);
  digestResolutionFields(kind, pendingId, balances.low, balances.high, userData);
}

/** The status a resolution event leaves its pending transfer in. */
export function resolvedStatus(
  type: LedgerPendingPosted['type'] | LedgerPendingVoided['type'] | LedgerPendingExpired['type'],
): PendingStatus {
  if (type === 'LedgerPendingPosted') return 'posted';
  if (type === 'LedgerPendingVoided') return 'voided';
  return 'expired';
}

export function existingAccount(state: LedgerState, accountId: string): AccountRecord {
  const account = state.accounts.get(accountId);
  if (account === undefined) throw new AssertionError(`account ${accountId} exists`);
  return account;
}
