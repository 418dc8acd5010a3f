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
import { amountValue } from './amount-text';
import { msFromIso } from './instant-text';
import { balanceMinorMax as balanceMinorMaxExport } from './ledger-limits';
import type { AccountRecord, LedgerState } from './ledger-state';
import { reservedTransferRecord } from './transfer-records';
import { resolutionFieldsText, reservedTransferFieldsText, transferFieldsText } from './transfer-fields-text';
import type { TransferCode } from './transfer-codes';
import type { PendingStatus } from './transfer';

// A module's own constant: an imported binding is read through a getter on every use, and this runs per transfer.
const balanceMinorMax = balanceMinorMaxExport;

/**
 * Applies one ledger event to the state, in place (see LedgerState), and returns it. Asserts the invariants an
 * event must keep: both accounts exist, no balance goes negative or past the maximum, a pending transfer is
 * resolved at most once. A failed assertion means the log or the decider is wrong: crash, do not go on.
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
      // It counts the event itself (evolveTransferPosted is also called alone).
      postTransfer(state, event);
      return state;
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
  const account: AccountRecord = {
    id: data.accountId,
    ledger: data.ledger,
    code: data.code,
    owner: data.owner,
    debitsMustNotExceedCredits: data.debitsMustNotExceedCredits,
    creditsMustNotExceedDebits: data.creditsMustNotExceedDebits,
    debitLimitMinor,
    debitsPendingMinor: 0n,
    debitsPostedMinor: 0n,
    creditsPendingMinor: 0n,
    creditsPostedMinor: 0n,
    openingDebitLimitMinor: debitLimitMinor,
  };
  state.accounts.set(account.id, account);
}

function changeDebitLimit(state: LedgerState, event: LedgerDebitLimitChanged): void {
  const account = existingAccount(state, event.data.accountId);
  account.debitLimitMinor = event.data.debitLimitMinor === null ? null : BigInt(event.data.debitLimitMinor);
}

function postTransfer(state: LedgerState, event: LedgerTransferPosted): void {
  const data = event.data;
  evolveTransferPosted(state, data.transferId, data.debitAccountId, data.creditAccountId, data.amountMinor, data.code, data.userData);
}

/**
 * `evolve` of a LedgerTransferPosted given its fields rather than the event: the start-up replay applies the bulk
 * of a log, posted transfers, straight from the batch record this way (visitLedgerRecord), with no event object.
 */
export function evolveTransferPosted(
  state: LedgerState,
  transferId: string,
  debitAccountId: string,
  creditAccountId: string,
  amountMinorText: string,
  code: TransferCode,
  userData: UserDataJson | null,
): void {
  const amountMinor = amountValue(amountMinorText);
  const debitAccount = existingAccount(state, debitAccountId);
  const creditAccount = existingAccount(state, creditAccountId);
  debitAccount.debitsPostedMinor += amountMinor;
  creditAccount.creditsPostedMinor += amountMinor;
  assertWithinMaximum(debitAccount, creditAccount);
  const fieldsText = transferFieldsText('transfer', debitAccountId, creditAccountId, amountMinorText, code, null, userData);
  state.window.insert(transferId, state.eventCount, 'transfer', null, fieldsText);
  state.eventCount += 1;
}

function reserveTransfer(state: LedgerState, event: LedgerTransferReserved): void {
  const data = event.data;
  const amountMinor = amountValue(data.amountMinor);
  const debitAccount = existingAccount(state, data.debitAccountId);
  const creditAccount = existingAccount(state, data.creditAccountId);
  debitAccount.debitsPendingMinor += amountMinor;
  creditAccount.creditsPendingMinor += amountMinor;
  assertWithinMaximum(debitAccount, creditAccount);
  const expiresAtMs = msFromIso(data.expiresAt);
  if (!Number.isFinite(expiresAtMs)) throw new AssertionError(`pending transfer ${data.transferId} has a valid expiry`);
  const transfer = reservedTransferRecord(data, amountMinor, expiresAtMs, state.eventCount);
  // The decider refuses a remembered id, so an id seen here again is one the ledger had already forgotten.
  state.transfers.set(transfer.id, transfer);
  const fieldsText = reservedTransferFieldsText(data);
  state.window.insert(data.transferId, state.eventCount, 'pending_transfer', 'pending', fieldsText);
  state.pendingCount += 1;
  state.expiries.push(transfer);
}

function resolvePending(state: LedgerState, event: LedgerPendingPosted | LedgerPendingVoided | LedgerPendingExpired): void {
  const data = event.data;
  const pending = state.transfers.get(data.pendingId);
  if (pending === undefined || pending.kind !== 'pending_transfer')
    throw new AssertionError(`${event.type} resolves a pending transfer the ledger holds (${data.pendingId})`);
  if (pending.pendingStatus !== 'pending')
    throw new AssertionError(`pending transfer ${pending.id} is resolved at most once (it is ${String(pending.pendingStatus)})`);
  const debitAccount = existingAccount(state, pending.debitAccountId);
  const creditAccount = existingAccount(state, pending.creditAccountId);
  debitAccount.debitsPendingMinor -= pending.amountMinor;
  creditAccount.creditsPendingMinor -= pending.amountMinor;
  if (debitAccount.debitsPendingMinor < 0n || creditAccount.creditsPendingMinor < 0n)
    throw new AssertionError(`pending balances stay non-negative (${pending.id})`);
  state.pendingCount -= 1;
  const status = resolvedStatus(event.type);
  pending.pendingStatus = status;
  if (event.type === 'LedgerPendingPosted') {
    const postedMinor = amountValue(event.data.amountMinor);
    if (postedMinor <= 0n || postedMinor > pending.amountMinor)
      throw new AssertionError(`a post of ${pending.id} is within its pending amount`);
    debitAccount.debitsPostedMinor += postedMinor;
    creditAccount.creditsPostedMinor += postedMinor;
    assertWithinMaximum(debitAccount, creditAccount);
  }
  // Resolved, it is held whole no more: its window entry (if it is still inside the window) records how it ended.
  state.transfers.delete(pending.id);
  const place = state.window.find(pending.id, state.eventCount);
  if (place !== -1) {
    if (state.window.eventNumberAt(place, state.eventCount) !== pending.createdAtEvent)
      throw new AssertionError(`the window entry of ${pending.id} is the pending transfer's own`);
    state.window.setStatus(place, status);
  }
  if (event.type === 'LedgerPendingExpired') return;
  const kind = event.type === 'LedgerPendingPosted' ? 'post_pending' : 'void_pending';
  const requestedAmountMinor = event.type === 'LedgerPendingPosted' ? event.data.requestedAmountMinor : null;
  const fieldsText = resolutionFieldsText(kind, pending.id, requestedAmountMinor, event.data.userData);
  state.window.insert(event.data.transferId, state.eventCount, kind, null, fieldsText);
}

/** The status a resolution event leaves its pending transfer in. */
export function resolvedStatus(
  type: LedgerPendingPosted['type'] | LedgerPendingVoided['type'] | LedgerPendingExpired['type'],
): PendingStatus {
  if (type === 'LedgerPendingPosted') return 'posted';
  if (type === 'LedgerPendingVoided') return 'voided';
  return 'expired';
}

function existingAccount(state: LedgerState, accountId: string): AccountRecord {
  const account = state.accounts.get(accountId);
  if (account === undefined) throw new AssertionError(`account ${accountId} exists`);
  return account;
}

/**
 * Each balance field fits the maximum. The decider refuses any transfer whose sums would pass it; this checks
 * the fields one by one, without the bigint additions (which allocate) the sums would cost on every event.
 */
function assertWithinMaximum(debitAccount: AccountRecord, creditAccount: AccountRecord): void {
  if (debitAccount.debitsPendingMinor > balanceMinorMax || debitAccount.debitsPostedMinor > balanceMinorMax) {
    throw new AssertionError(`debits of ${debitAccount.id} stay within the maximum`);
  }
  if (creditAccount.creditsPendingMinor > balanceMinorMax || creditAccount.creditsPostedMinor > balanceMinorMax) {
    throw new AssertionError(`credits of ${creditAccount.id} stay within the maximum`);
  }
}
