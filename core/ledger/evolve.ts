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
  type AccountBalances,
} from './account-balances';
import { amountValue } from './amount-text';
import { msFromIso } from './instant-text';
import { addAccount, type AccountRecord, type LedgerState } from './ledger-state';
import { reservedTransferRecord } from './transfer-records';
import {
  digestResolutionFields,
  digestTransferBetween,
  fieldsDigest as fieldsDigestExport,
  noRequestedAmount,
} from './transfer-fields-digest';
import type { TransferCode } from './transfer-codes';
import type { PendingStatus, Transfer } from './transfer';

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
  const amountMinor = amountValue(data.amountMinor);
  const debitAccount = existingAccount(state, data.debitAccountId);
  const creditAccount = existingAccount(state, data.creditAccountId);
  const expiresAtMs = msFromIso(data.expiresAt);
  state.balances.split(amountMinor);
  evolveReservedTransfer(
    state,
    data.transferId,
    debitAccount,
    creditAccount,
    amountMinor,
    state.balances.low,
    state.balances.high,
    data.code,
    data.timeoutMs,
    expiresAtMs,
    data.userData,
  );
}

/**
 * A reservation, given its accounts and its amount (also in words): what `evolve` of LedgerTransferReserved and the
 * engine's decider writing the record's row straight from its decision (decide-into-record.ts) share.
 */
export function evolveReservedTransfer(
  state: LedgerState,
  transferId: string,
  debitAccount: AccountRecord,
  creditAccount: AccountRecord,
  amountMinor: bigint,
  amountLow: number,
  amountHigh: number,
  code: TransferCode,
  timeoutMs: number,
  expiresAtMs: number,
  userData: UserDataJson | null,
): void {
  if (!Number.isFinite(expiresAtMs)) throw new AssertionError(`pending transfer ${transferId} has a valid expiry`);
  const balances = state.balances;
  balances.add(debitAccount.index, debitsPendingLane, amountLow, amountHigh);
  balances.add(creditAccount.index, creditsPendingLane, amountLow, amountHigh);
  const transfer = reservedTransferRecord(
    transferId,
    debitAccount.id,
    creditAccount.id,
    amountMinor,
    code,
    timeoutMs,
    expiresAtMs,
    userData,
    state.eventCount,
  );
  // The decider refuses a remembered id, so an id seen here again is one the ledger had already forgotten.
  state.transfers.set(transfer.id, transfer);
  digestTransferBetween(
    balances.words,
    'pending_transfer',
    debitAccount.index,
    creditAccount.index,
    amountLow,
    amountHigh,
    code,
    timeoutMs,
    userData,
  );
  state.window.insert(transferId, state.eventCount, 'pending_transfer', 'pending', fieldsDigest[0] as number, fieldsDigest[1] as number);
  state.pendingCount += 1;
  state.expiries.push(transfer);
}

function resolvePending(state: LedgerState, event: LedgerPendingPosted | LedgerPendingVoided | LedgerPendingExpired): void {
  const data = event.data;
  const pending = state.transfers.get(data.pendingId);
  if (pending === undefined || pending.kind !== 'pending_transfer')
    throw new AssertionError(`${event.type} resolves a pending transfer the ledger holds (${data.pendingId})`);
  const debitIndex = existingAccount(state, pending.debitAccountId).index;
  const creditIndex = existingAccount(state, pending.creditAccountId).index;
  const status = resolvedStatus(event.type);
  releasePending(
    state,
    pending,
    debitIndex,
    creditIndex,
    status,
    event.type === 'LedgerPendingPosted' ? amountValue(event.data.amountMinor) : null,
  );
  if (event.type === 'LedgerPendingExpired') return;
  const kind = event.type === 'LedgerPendingPosted' ? 'post_pending' : 'void_pending';
  const requestedAmountMinor = event.type === 'LedgerPendingPosted' ? event.data.requestedAmountMinor : null;
  digestResolution(state.balances, kind, pending.id, requestedAmountMinor, event.data.userData);
  state.window.insert(event.data.transferId, state.eventCount, kind, null, fieldsDigest[0] as number, fieldsDigest[1] as number);
}

/**
 * Resolves a pending transfer held whole (its accounts at `debitIndex`, `creditIndex`): releases its reservation,
 * posts `postedMinor` when it is a post, and records in its window entry how it ended. The post's or void's own id
 * is the caller's to insert. Shared by `evolve` and the decider writing the record's row (decide-into-record.ts).
 */
export function releasePending(
  state: LedgerState,
  pending: Transfer,
  debitIndex: number,
  creditIndex: number,
  status: PendingStatus,
  postedMinor: bigint | null,
): void {
  if (pending.pendingStatus !== 'pending')
    throw new AssertionError(`pending transfer ${pending.id} is resolved at most once (it is ${String(pending.pendingStatus)})`);
  const balances = state.balances;
  balances.split(pending.amountMinor);
  balances.subtract(debitIndex, debitsPendingLane, balances.low, balances.high);
  balances.subtract(creditIndex, creditsPendingLane, balances.low, balances.high);
  state.pendingCount -= 1;
  pending.pendingStatus = status;
  if (postedMinor !== null) {
    if (postedMinor <= 0n || postedMinor > pending.amountMinor)
      throw new AssertionError(`a post of ${pending.id} is within its pending amount`);
    balances.split(postedMinor);
    balances.add(debitIndex, debitsPostedLane, balances.low, balances.high);
    balances.add(creditIndex, creditsPostedLane, balances.low, balances.high);
  }
  // Resolved, it is held whole no more: its window entry (if it is still inside the window) records how it ended.
  state.transfers.delete(pending.id);
  const place = state.window.find(pending.id, state.eventCount);
  if (place !== -1) {
    if (state.window.eventNumberAt(place, state.eventCount) !== pending.createdAtEvent)
      throw new AssertionError(`the window entry of ${pending.id} is the pending transfer's own`);
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
