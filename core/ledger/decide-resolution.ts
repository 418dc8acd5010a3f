import { AssertionError } from '../assert';
import type { PostPendingCommand, VoidPendingCommand } from './commands';
import { isPositiveAmount, isValidId, isValidUserData, userDataForEvent } from './command-validation';
import { accept, refuse, type DecideContext, type Decision, type RefusalCode } from './decision';
import { amountText } from './amount-text';
import { rememberedTransfer, type LedgerState } from './ledger-state';
import type { Transfer } from './transfer';
import type { UserDataJson } from './events';
import { creditsPostedLane as creditsPostedLaneExport, debitsPostedLane as debitsPostedLaneExport } from './account-balances';
import {
  digestResolutionFields,
  fieldsDigest as fieldsDigestExport,
  noRequestedAmount as noRequestedAmountExport,
} from './transfer-fields-digest';

// Module constants of their own: under tsx an imported binding is read through a getter on every use, and these
// are read for every post.
const creditsPostedLane = creditsPostedLaneExport;
const debitsPostedLane = debitsPostedLaneExport;
const fieldsDigest = fieldsDigestExport;
const noRequestedAmount = noRequestedAmountExport;

/** What `checkResolution` found for a post or void it accepts: read at once, the next check overwrites it. */
export const checkedResolution: {
  pending: Transfer | null;
  /** A post: the amount it posts (all of the pending amount unless it asked for less); a void: null. */
  postedMinor: bigint | null;
  requestedAmountMinor: bigint | null;
  userData: UserDataJson | null;
} = { pending: null, postedMinor: null, requestedAmountMinor: null, userData: null };

/** Posts (wholly or partly) or voids a pending transfer, which must still be pending and not past its timeout. */
export function decideResolution(command: PostPendingCommand | VoidPendingCommand, state: LedgerState, context: DecideContext): Decision {
  const refusal = checkResolution(command, state, context);
  if (refusal !== null) return refuse(refusal);
  const pending = checkedResolution.pending as Transfer;
  const userData = checkedResolution.userData;
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
  const requestedAmountMinor = checkedResolution.requestedAmountMinor;
  return accept({
    type: 'LedgerPendingPosted',
    data: {
      transferId: command.id,
      pendingId: pending.id,
      debitAccountId: pending.debitAccountId,
      creditAccountId: pending.creditAccountId,
      amountMinor: amountText(checkedResolution.postedMinor as bigint),
      pendingAmountMinor: pending.amountMinor.toString(),
      requestedAmountMinor: requestedAmountMinor === null ? null : requestedAmountMinor.toString(),
      code: pending.code,
      userData,
    },
  });
}

/**
 * Every check a post or void must pass, in the order the result codes are reported: null when it is accepted, with
 * the pending transfer, the amount posted and the user data left in `checkedResolution`; else the refusal. Changes
 * nothing.
 */
export function checkResolution(
  command: PostPendingCommand | VoidPendingCommand,
  state: LedgerState,
  context: DecideContext,
): RefusalCode | null {
  if (!isValidId(command.id) || !isValidId(command.pendingId)) return 'invalid_id';
  if (!isValidUserData(command.userData)) return 'invalid_user_data';
  const requestedAmountMinor = command.type === 'post_pending' && command.amountMinor !== undefined ? command.amountMinor : null;
  if (requestedAmountMinor !== null && !isPositiveAmount(requestedAmountMinor)) return 'amount_must_be_positive';
  const userData = userDataForEvent(command.userData);

  const existing = rememberedTransfer(state, command.id);
  if (existing !== undefined) {
    if (existing.kind !== command.type) return 'exists_with_different_fields';
    if (requestedAmountMinor === null) digestResolutionFields(command.type, command.pendingId, 0, noRequestedAmount, userData);
    else {
      state.balances.split(requestedAmountMinor);
      digestResolutionFields(command.type, command.pendingId, state.balances.low, state.balances.high, userData);
    }
    const same = existing.sameFields(fieldsDigest[0] as number, fieldsDigest[1] as number);
    return same ? 'exists' : 'exists_with_different_fields';
  }

  // A transfer still pending is held whole (the usual case, read without building a RememberedTransfer).
  const pending = state.transfers.get(command.pendingId);
  if (pending === undefined) return notPendingRefusal(state, command.pendingId);
  if (pending.kind !== 'pending_transfer' || pending.pendingStatus !== 'pending')
    throw new AssertionError(`the ledger holds whole only pending transfers still pending (${pending.id})`);
  if ((pending.expiresAtMs as number) <= context.nowMs) return 'pending_expired';

  let postedMinor: bigint | null = null;
  if (command.type === 'post_pending') {
    postedMinor = requestedAmountMinor ?? pending.amountMinor;
    if (postedMinor > pending.amountMinor) return 'post_exceeds_pending_amount';
    if (postedOverflows(state, pending, postedMinor)) return 'overflow';
  }
  const checked = checkedResolution;
  checked.pending = pending;
  checked.postedMinor = postedMinor;
  checked.requestedAmountMinor = requestedAmountMinor;
  checked.userData = userData;
  return null;
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
