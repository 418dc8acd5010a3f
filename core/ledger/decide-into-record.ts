import { assert } from '../assert';
import type { LedgerCommand, PendingTransferCommand, PostPendingCommand, TransferCommand } from './commands';
import { checkedResolution as checkedResolutionExport, checkResolution } from './decide-resolution';
import { checkedTransfer as checkedTransferExport, checkTransfer } from './decide-transfer';
import type { DecideContext } from './decision';
import { evolvePostedTransfer, evolveReservedTransfer, releasePending } from './evolve';
import { flagThirdNull as flagThirdNullExport, kinds } from './ledger-record';
import type { LedgerRecordEncoder } from './ledger-record-encoder';
import type { UserDataJson } from './events';
import { accountAtIndex, type AccountRecord, type LedgerState } from './ledger-state';
import type { LedgerResultCode } from './result-codes';
import {
  digestResolutionFields,
  fieldsDigest as fieldsDigestExport,
  noRequestedAmount as noRequestedAmountExport,
} from './transfer-fields-digest';

// Module constants of their own: under tsx an imported binding is read through a getter on every use, and these
// are read for every transfer.
const checkedTransfer = checkedTransferExport;
const checkedResolution = checkedResolutionExport;
const fieldsDigest = fieldsDigestExport;
const flagThirdNull = flagThirdNullExport;
const noRequestedAmount = noRequestedAmountExport;
const postedKind = kinds.indexOf('LedgerTransferPosted') + 1;
const reservedKind = kinds.indexOf('LedgerTransferReserved') + 1;
const pendingPostedKind = kinds.indexOf('LedgerPendingPosted') + 1;
/** The latest instant a Date holds (ECMAScript's time clip): an expiry past it has no ISO text. */
const instantMsMax = 8.64e15;

/**
 * The engine's hot path (issue 18 item 3): decides one transfer, pending transfer or post that is not part of a
 * linked chain, and when it is accepted applies it to the state and writes its row into the tick's record at once,
 * with no event object, amount text or Decision in between. It makes exactly the checks of `decide` (the same
 * `checkTransfer` / `checkResolution`) and leaves exactly the state and the fact that `decide`, `evolve` and the
 * encoder's `addFact` of the event would: the log stays the truth, and replaying the row gives this state (tested
 * side by side in the decider's property test). Returns the result, or null for a command it does not take (the
 * caller decides it through events).
 */
export function decideIntoRecord(
  command: LedgerCommand,
  state: LedgerState,
  context: DecideContext,
  encoder: LedgerRecordEncoder,
): LedgerResultCode | null {
  switch (command.type) {
    case 'transfer':
      return postedIntoRecord(command, state, encoder);
    case 'pending_transfer':
      return reservedIntoRecord(command, state, context, encoder);
    case 'post_pending':
      return pendingPostedIntoRecord(command, state, context, encoder);
    case 'void_pending':
    case 'create_account':
    case 'change_debit_limit':
      return null;
    default: {
      // An untyped caller's unknown command: `decide` refuses it.
      const unknown: never = command;
      void unknown;
      return null;
    }
  }
}

function postedIntoRecord(command: TransferCommand, state: LedgerState, encoder: LedgerRecordEncoder): LedgerResultCode {
  const refusal = checkTransfer(command, state);
  if (refusal !== null) return refusal;
  const checked = checkedTransfer;
  const debit = checked.debitAccount as AccountRecord;
  const credit = checked.creditAccount as AccountRecord;
  const userData = checked.userData;
  evolvePostedTransfer(state, debit.index, credit.index, checked.amountLow, checked.amountHigh, command.code, userData);
  state.window.insert(command.id, state.eventCount, 'transfer', null, fieldsDigest[0] as number, fieldsDigest[1] as number);
  writeTransferRow(encoder, postedKind, 0, command.id, null, debit, credit, command.code, userData, checked.amountLow, checked.amountHigh);
  state.eventCount += 1;
  return 'ok';
}

function reservedIntoRecord(
  command: PendingTransferCommand,
  state: LedgerState,
  context: DecideContext,
  encoder: LedgerRecordEncoder,
): LedgerResultCode {
  const refusal = checkTransfer(command, state);
  if (refusal !== null) return refusal;
  const checked = checkedTransfer;
  const debit = checked.debitAccount as AccountRecord;
  const credit = checked.creditAccount as AccountRecord;
  const userData = checked.userData;
  // What the event's ISO text of the expiry parses back to: a Date holds whole milliseconds (ECMAScript's time clip).
  const expiresAtMs = Math.trunc(context.nowMs + command.timeoutMs);
  assert(Math.abs(expiresAtMs) <= instantMsMax, 'a pending transfer expires at an instant a Date can hold');
  const amountLow = checked.amountLow;
  const amountHigh = checked.amountHigh;
  evolveReservedTransfer(
    state,
    command.id,
    debit.index,
    credit.index,
    amountLow,
    amountHigh,
    command.code,
    command.timeoutMs,
    expiresAtMs,
    userData,
  );
  writeTransferRow(encoder, reservedKind, 0, command.id, null, debit, credit, command.code, userData, amountLow, amountHigh);
  encoder.milliseconds(1, command.timeoutMs);
  encoder.milliseconds(2, expiresAtMs);
  state.eventCount += 1;
  return 'ok';
}

function pendingPostedIntoRecord(
  command: PostPendingCommand,
  state: LedgerState,
  context: DecideContext,
  encoder: LedgerRecordEncoder,
): LedgerResultCode {
  const refusal = checkResolution(command, state, context);
  if (refusal !== null) return refusal;
  const checked = checkedResolution;
  const slot = checked.pendingSlot;
  const postedLow = checked.postedLow;
  const postedHigh = checked.postedHigh;
  const requestedAmountMinor = checked.requestedAmountMinor;
  const userData = checked.userData;
  // What the row needs of the pending transfer, read before releasePending lets go of its slot.
  const pending = state.pending;
  const pendingId = pending.idOf(slot);
  const debit = accountAtIndex(state, pending.debitIndexOf(slot));
  const credit = accountAtIndex(state, pending.creditIndexOf(slot));
  const code = pending.codeOf(slot);
  const pendingLow = pending.amountLowOf(slot);
  const pendingHigh = pending.amountHighOf(slot);
  releasePending(state, slot, 'posted', postedLow, postedHigh);
  const balances = state.balances;
  if (requestedAmountMinor === null) digestResolutionFields('post_pending', pendingId, 0, noRequestedAmount, userData);
  else {
    balances.split(requestedAmountMinor);
    digestResolutionFields('post_pending', pendingId, balances.low, balances.high, userData);
  }
  state.window.insert(command.id, state.eventCount, 'post_pending', null, fieldsDigest[0] as number, fieldsDigest[1] as number);
  const flags = requestedAmountMinor === null ? flagThirdNull : 0;
  writeTransferRow(encoder, pendingPostedKind, flags, command.id, pendingId, debit, credit, code, userData, postedLow, postedHigh);
  encoder.amount(1, pendingLow, pendingHigh);
  if (requestedAmountMinor !== null) {
    balances.split(requestedAmountMinor);
    encoder.amount(2, balances.low, balances.high);
  }
  state.eventCount += 1;
  return 'ok';
}

/**
 * The row every accepted transfer writes, with its first amount (what moved). Positional arguments rather than an
 * object: this runs once per transfer on the engine's hot path.
 */
function writeTransferRow(
  encoder: LedgerRecordEncoder,
  kind: number,
  flags: number,
  transferId: string,
  pendingId: string | null,
  debit: AccountRecord,
  credit: AccountRecord,
  code: string,
  userData: UserDataJson | null,
  amountLow: number,
  amountHigh: number,
): void {
  encoder.transferRow(kind, flags, transferId, pendingId, debit, credit, code, userData === null ? null : JSON.stringify(userData));
  encoder.amount(0, amountLow, amountHigh);
}
