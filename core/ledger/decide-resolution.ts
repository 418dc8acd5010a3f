import { AssertionError } from '../assert';
import type { PostPendingCommand, VoidPendingCommand } from './commands';
import { isPositiveAmount, isValidId, isValidUserData, userDataForEvent } from './command-validation';
import { accept, refuse, type DecideContext, type Decision, type RefusalCode } from './decision';
import { amountText } from './amount-text';
import { rememberedTransfer, type LedgerState } from './ledger-state';
import type { Transfer } from './transfer';
import { creditsPostedLane, debitsPostedLane } from './account-balances';
import { digestResolutionFields, fieldsDigest, noRequestedAmount } from './transfer-fields-digest';

/** Posts (wholly or partly) or voids a pending transfer, which must still be pending and not past its timeout. */
export function decideResolution(command: PostPendingCommand | VoidPendingCommand, state: LedgerState, context: DecideContext): Decision {
  if (!isValidId(command.id) || !isValidId(command.pendingId)) return refuse('invalid_id');
  if (!isValidUserData(command.userData)) return refuse('invalid_user_data');
  const requestedAmountMinor = command.type === 'post_pending' && command.amountMinor !== undefined ? command.amountMinor : null;
  if (requestedAmountMinor !== null && !isPositiveAmount(requestedAmountMinor)) return refuse('amount_must_be_positive');
  const userData = userDataForEvent(command.userData);

  const existing = rememberedTransfer(state, command.id);
  if (existing !== undefined) {
    if (existing.kind !== command.type) return refuse('exists_with_different_fields');
    if (requestedAmountMinor === null) digestResolutionFields(command.type, command.pendingId, 0, noRequestedAmount, userData);
    else {
      state.balances.split(requestedAmountMinor);
      digestResolutionFields(command.type, command.pendingId, state.balances.low, state.balances.high, userData);
    }
    const same = existing.sameFields(fieldsDigest[0] as number, fieldsDigest[1] as number);
    return refuse(same ? 'exists' : 'exists_with_different_fields');
  }

  // A transfer still pending is held whole (the usual case, read without building a RememberedTransfer).
  const pending = state.transfers.get(command.pendingId);
  if (pending === undefined) return refuse(notPendingRefusal(state, command.pendingId));
  if (pending.kind !== 'pending_transfer' || pending.pendingStatus !== 'pending')
    throw new AssertionError(`the ledger holds whole only pending transfers still pending (${pending.id})`);
  if ((pending.expiresAtMs as number) <= context.nowMs) return refuse('pending_expired');

  if (command.type === 'void_pending') {
    return accept({
      type: 'LedgerPendingVoided',
      data: {
        transferId: command.id,
        pendingId: pending.id,
        debitAccountId: pending.debitAccountId,
        creditAccountId: pending.creditAccountId,
        amountMinor: pending.amountMinor.toString(),
        code: pending.code,
        userData,
      },
    });
  }
  const postedMinor = requestedAmountMinor ?? pending.amountMinor;
  if (postedMinor > pending.amountMinor) return refuse('post_exceeds_pending_amount');
  if (postedOverflows(state, pending, postedMinor)) return refuse('overflow');
  return accept({
    type: 'LedgerPendingPosted',
    data: {
      transferId: command.id,
      pendingId: pending.id,
      debitAccountId: pending.debitAccountId,
      creditAccountId: pending.creditAccountId,
      amountMinor: amountText(postedMinor),
      pendingAmountMinor: pending.amountMinor.toString(),
      requestedAmountMinor: requestedAmountMinor === null ? null : requestedAmountMinor.toString(),
      code: pending.code,
      userData,
    },
  });
}

/** Why a transfer the ledger does not hold as pending cannot be resolved: unknown, or how it ended. */
function notPendingRefusal(state: LedgerState, pendingId: string): RefusalCode {
  const remembered = rememberedTransfer(state, pendingId);
  if (remembered === undefined || remembered.kind !== 'pending_transfer') return 'pending_not_found';
  if (remembered.pendingStatus === 'posted') return 'pending_already_posted';
  if (remembered.pendingStatus === 'voided') return 'pending_already_voided';
  if (remembered.pendingStatus === 'expired') return 'pending_expired';
  throw new AssertionError(`pending transfer ${pendingId} is held whole while it is pending`);
}

/** Posting moves an amount from pending to posted; the posted side alone can still pass the maximum. */
function postedOverflows(state: LedgerState, pending: Transfer, postedMinor: bigint): boolean {
  const debitAccount = state.accounts.get(pending.debitAccountId);
  const creditAccount = state.accounts.get(pending.creditAccountId);
  if (debitAccount === undefined || creditAccount === undefined)
    throw new AssertionError(`pending transfer ${pending.id} refers to accounts the ledger holds`);
  const balances = state.balances;
  balances.split(postedMinor);
  const postedLow = balances.low;
  const postedHigh = balances.high;
  return (
    balances.passesMaximum(debitAccount.index, debitsPostedLane, postedLow, postedHigh) ||
    balances.passesMaximum(creditAccount.index, creditsPostedLane, postedLow, postedHigh)
  );
}
