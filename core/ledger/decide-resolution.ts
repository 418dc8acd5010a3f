import { AssertionError } from '../assert';
import { balanceMinorMax as balanceMinorMaxExport } from './ledger-limits';
import type { PostPendingCommand, VoidPendingCommand } from './commands';
import { isPositiveAmount, isValidId, isValidUserData, userDataForEvent } from './command-validation';
import { accept, refuse, type DecideContext, type Decision, type RefusalCode } from './decision';
import { amountTextOfWords } from './amount-text';
import { accountAtIndex, rememberedTransfer, type LedgerState } from './ledger-state';
import type { UserDataJson } from './events';
import { creditsPostedLane as creditsPostedLaneExport, debitsPostedLane as debitsPostedLaneExport, isGreater } from './account-balances';
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
const balanceMinorMax = balanceMinorMaxExport;

/** What `checkResolution` found for a post or void it accepts: read at once, the next check overwrites it. */
export const checkedResolution: {
  /** The pending transfer's slot in `state.pending`. */
  pendingSlot: number;
  /** A post: the amount it posts in words (all of the pending amount unless it asked for less); a void: 0. */
  postedLow: number;
  postedHigh: number;
  requestedAmountMinor: bigint | null;
  userData: UserDataJson | null;
} = { pendingSlot: -1, postedLow: 0, postedHigh: 0, requestedAmountMinor: null, userData: null };

/** Posts (wholly or partly) or voids a pending transfer, which must still be pending and not past its timeout. */
export function decideResolution(command: PostPendingCommand | VoidPendingCommand, state: LedgerState, context: DecideContext): Decision {
  const refusal = checkResolution(command, state, context);
  if (refusal !== null) return refuse(refusal);
  const slot = checkedResolution.pendingSlot;
  const pending = state.pending;
  const userData = checkedResolution.userData;
  const pendingId = pending.idOf(slot);
  const debitAccountId = accountAtIndex(state, pending.debitIndexOf(slot)).id;
  const creditAccountId = accountAtIndex(state, pending.creditIndexOf(slot)).id;
  const pendingAmountMinor = amountTextOfWords(pending.amountLowOf(slot), pending.amountHighOf(slot));
  if (command.type === 'void_pending') {
    return accept({
      type: 'LedgerPendingVoided',
      data: {
        transferId: command.id,
        pendingId,
        debitAccountId,
        creditAccountId,
        amountMinor: pendingAmountMinor,
        code: pending.codeOf(slot),
        userData,
      },
    });
  }
  const requestedAmountMinor = checkedResolution.requestedAmountMinor;
  return accept({
    type: 'LedgerPendingPosted',
    data: {
      transferId: command.id,
      pendingId,
      debitAccountId,
      creditAccountId,
      amountMinor: amountTextOfWords(checkedResolution.postedLow, checkedResolution.postedHigh),
      pendingAmountMinor,
      requestedAmountMinor: requestedAmountMinor === null ? null : requestedAmountMinor.toString(),
      code: pending.codeOf(slot),
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
  const pending = state.pending;
  const slot = pending.find(command.pendingId);
  if (slot === -1) return notPendingRefusal(state, command.pendingId);
  if (pending.expiresAtMsOf(slot) <= context.nowMs) return 'pending_expired';

  let postedLow = 0;
  let postedHigh = 0;
  if (command.type === 'post_pending') {
    const pendingLow = pending.amountLowOf(slot);
    const pendingHigh = pending.amountHighOf(slot);
    if (requestedAmountMinor === null) {
      postedLow = pendingLow;
      postedHigh = pendingHigh;
    } else {
      // Past the largest amount a balance holds, it is past every pending amount: words need not hold it.
      if (requestedAmountMinor > balanceMinorMax) return 'post_exceeds_pending_amount';
      const balances = state.balances;
      balances.split(requestedAmountMinor);
      postedLow = balances.low;
      postedHigh = balances.high;
      if (isGreater(postedHigh, postedLow, pendingHigh, pendingLow)) return 'post_exceeds_pending_amount';
    }
    if (postedOverflows(state, slot, postedLow, postedHigh)) return 'overflow';
  }
  const checked = checkedResolution;
  checked.pendingSlot = slot;
  checked.postedLow = postedLow;
  checked.postedHigh = postedHigh;
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
function postedOverflows(state: LedgerState, slot: number, postedLow: number, postedHigh: number): boolean {
  const balances = state.balances;
  return (
    balances.passesMaximum(state.pending.debitIndexOf(slot), debitsPostedLane, postedLow, postedHigh) ||
    balances.passesMaximum(state.pending.creditIndexOf(slot), creditsPostedLane, postedLow, postedHigh)
  );
}
