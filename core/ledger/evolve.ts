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
} from './events';
import { amountValue } from './amount-text';
import { msFromIso } from './instant-text';
import { balanceMinorMax } from './ledger-limits';
import { rememberedFromEvent, type AccountRecord, type LedgerState } from './ledger-state';
import { postedTransferRecord, reservedTransferRecord } from './transfer-records';
import type { PendingStatus, Transfer } from './transfer';

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
  const amountMinor = amountValue(data.amountMinor);
  const debitAccount = existingAccount(state, data.debitAccountId);
  const creditAccount = existingAccount(state, data.creditAccountId);
  debitAccount.debitsPostedMinor += amountMinor;
  creditAccount.creditsPostedMinor += amountMinor;
  assertWithinMaximum(debitAccount, creditAccount);
  remember(state, postedTransferRecord(data, amountMinor, state.eventCount));
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
  remember(state, transfer);
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
  pending.pendingStatus = resolvedStatus(event.type);
  // What the resolution moved: the posted amount for a post, the released reservation otherwise.
  let resolvedMinor = pending.amountMinor;
  if (event.type === 'LedgerPendingPosted') {
    const postedMinor = amountValue(event.data.amountMinor);
    resolvedMinor = postedMinor;
    if (postedMinor <= 0n || postedMinor > pending.amountMinor)
      throw new AssertionError(`a post of ${pending.id} is within its pending amount`);
    debitAccount.debitsPostedMinor += postedMinor;
    creditAccount.creditsPostedMinor += postedMinor;
    assertWithinMaximum(debitAccount, creditAccount);
  }
  // A pending transfer that outlived the idempotency window is forgotten once resolved (see rememberedTransfer).
  if (pending.createdAtEvent < rememberedFromEvent(state)) state.transfers.delete(pending.id);
  if (event.type === 'LedgerPendingExpired') return;
  const resolution = event.data;
  remember(state, {
    id: resolution.transferId,
    kind: event.type === 'LedgerPendingPosted' ? 'post_pending' : 'void_pending',
    debitAccountId: pending.debitAccountId,
    creditAccountId: pending.creditAccountId,
    amountMinor: resolvedMinor,
    code: pending.code,
    pendingId: pending.id,
    timeoutMs: null,
    expiresAtMs: null,
    pendingStatus: null,
    requestedAmountMinor:
      event.type === 'LedgerPendingPosted' && event.data.requestedAmountMinor !== null ? BigInt(event.data.requestedAmountMinor) : null,
    userData: resolution.userData,
    createdAtEvent: state.eventCount,
  });
}

/** The status a resolution event leaves its pending transfer in. */
export function resolvedStatus(
  type: LedgerPendingPosted['type'] | LedgerPendingVoided['type'] | LedgerPendingExpired['type'],
): PendingStatus {
  if (type === 'LedgerPendingPosted') return 'posted';
  if (type === 'LedgerPendingVoided') return 'voided';
  return 'expired';
}

function remember(state: LedgerState, transfer: Transfer): void {
  // The decider refuses a remembered id, so an id seen here again is one the ledger had already forgotten.
  state.transfers.set(transfer.id, transfer);
  state.creationOrder.push(transfer);
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
