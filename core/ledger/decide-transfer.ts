import {
  creditsPendingLane as creditsPendingLaneExport,
  creditsPostedLane as creditsPostedLaneExport,
  debitLimitLane as debitLimitLaneExport,
  debitsPendingLane as debitsPendingLaneExport,
  debitsPostedLane as debitsPostedLaneExport,
  highWordMax as highWordMaxExport,
  isGreater,
  wordsPerAccount as wordsPerAccountExport,
  type AccountBalances,
} from './account-balances';
import type { AccountRecord, LedgerState } from './ledger-state';
import { rememberedTransfer, type RememberedTransfer } from './ledger-state';
import type { PendingTransferCommand, TransferCommand } from './commands';
import { isPositiveAmount, isValidId, isValidUserData, userDataForEvent } from './command-validation';
import { accept, refuse, type DecideContext, type Decision, type RefusalCode } from './decision';
import { amountText } from './amount-text';
import { isoFromMs } from './instant-text';
import { balanceMinorMax as balanceMinorMaxExport } from './ledger-limits';
import type { UserDataJson } from './events';
import { digestTransferBetween, fieldsDigest as fieldsDigestExport } from './transfer-fields-digest';
import { isLimitExempt, isTransferCode } from './transfer-codes';

// Module constants of their own: under tsx an imported binding is read through a getter on every use, and these
// are read for every transfer.
const balanceMinorMax = balanceMinorMaxExport;
const creditsPendingLane = creditsPendingLaneExport;
const creditsPostedLane = creditsPostedLaneExport;
const debitLimitLane = debitLimitLaneExport;
const debitsPendingLane = debitsPendingLaneExport;
const debitsPostedLane = debitsPostedLaneExport;
const highWordMax = highWordMaxExport;
const wordsPerAccount = wordsPerAccountExport;
const fieldsDigest = fieldsDigestExport;

/** What `checkTransfer` found for a transfer it accepts: read at once, the next check overwrites it. */
export const checkedTransfer: {
  debitAccount: AccountRecord | null;
  creditAccount: AccountRecord | null;
  amountLow: number;
  amountHigh: number;
  userData: UserDataJson | null;
} = { debitAccount: null, creditAccount: null, amountLow: 0, amountHigh: 0, userData: null };

/** A single-phase transfer (posted at once) or a pending one (reserved until posted, voided or expired). */
export function decideTransfer(command: TransferCommand | PendingTransferCommand, state: LedgerState, context: DecideContext): Decision {
  const refusal = checkTransfer(command, state);
  if (refusal !== null) return refuse(refusal);
  const debitAccount = checkedTransfer.debitAccount as AccountRecord;
  const creditAccount = checkedTransfer.creditAccount as AccountRecord;
  const userData = checkedTransfer.userData;
  // What both kinds of transfer record, in the order their events have always been written.
  const moved = {
    transferId: command.id,
    debitAccountId: debitAccount.id,
    creditAccountId: creditAccount.id,
    amountMinor: amountText(command.amountMinor),
    code: command.code,
  };
  if (command.type === 'transfer') return accept({ type: 'LedgerTransferPosted', data: { ...moved, userData } });
  return accept({
    type: 'LedgerTransferReserved',
    data: { ...moved, timeoutMs: command.timeoutMs, expiresAt: isoFromMs(context.nowMs + command.timeoutMs), userData },
  });
}

/**
 * Every check a transfer must pass, in the order the result codes are reported: null when it is accepted, with its
 * accounts, its amount in words and its user data left in `checkedTransfer` (what the event and the record's row
 * are made of); else the refusal. Changes nothing.
 */
export function checkTransfer(command: TransferCommand | PendingTransferCommand, state: LedgerState): RefusalCode | null {
  // Each account looked up once: the shape check takes a held id as valid (it was checked when the account opened).
  const debitAccount = state.accounts.get(command.debitAccountId);
  const creditAccount = state.accounts.get(command.creditAccountId);
  const refusal = checkTransferShape(command, state, debitAccount !== undefined, creditAccount !== undefined);
  if (refusal !== null) return refusal;
  const userData = userDataForEvent(command.userData);

  const existing = rememberedTransfer(state, command.id);
  if (existing !== undefined) return sameTransfer(state, existing, command, userData) ? 'exists' : 'exists_with_different_fields';

  if (debitAccount === undefined || creditAccount === undefined) return 'account_not_found';
  if (command.type === 'pending_transfer' && state.pending.count >= state.tunables.pendingTransfersMax) return 'ledger_full';

  // The sums in 32-bit words (AccountBalances): no bigint arithmetic, which allocates, for every transfer.
  const balances = state.balances;
  balances.split(command.amountMinor);
  const amountLow = balances.low;
  const amountHigh = balances.high;
  // Low words signed (`| 0`; isGreater compares them unsigned): passed to checkLimits, an unsigned word above 2^31
  // would be boxed into a heap number, garbage per transfer.
  balances.total(debitAccount.index, debitsPendingLane, debitsPostedLane, amountLow, amountHigh);
  const debitsAfterHigh = balances.high;
  const debitsAfterLow = balances.low | 0;
  balances.total(creditAccount.index, creditsPendingLane, creditsPostedLane, amountLow, amountHigh);
  const creditsAfterHigh = balances.high;
  const creditsAfterLow = balances.low | 0;
  if (!isLimitExempt(command.code)) {
    const limitRefusal = checkLimits(
      balances,
      debitAccount,
      creditAccount,
      debitsAfterHigh,
      debitsAfterLow,
      creditsAfterHigh,
      creditsAfterLow,
    );
    if (limitRefusal !== null) return limitRefusal;
  }
  // Past 2^63 - 1 exactly when the high word passes 0x7fffffff (the low word is below 2^32).
  if (debitsAfterHigh > highWordMax || creditsAfterHigh > highWordMax) return 'overflow';

  const checked = checkedTransfer;
  checked.debitAccount = debitAccount;
  checked.creditAccount = creditAccount;
  checked.amountLow = amountLow;
  checked.amountHigh = amountHigh;
  checked.userData = userData;
  return null;
}

/** Everything that can be checked without looking at balances, in the order the result codes are reported. */
function checkTransferShape(
  command: TransferCommand | PendingTransferCommand,
  state: LedgerState,
  debitAccountHeld: boolean,
  creditAccountHeld: boolean,
): RefusalCode | null {
  if (
    !isValidId(command.id) ||
    (!debitAccountHeld && !isValidId(command.debitAccountId)) ||
    (!creditAccountHeld && !isValidId(command.creditAccountId))
  )
    return 'invalid_id';
  if (!isValidUserData(command.userData)) return 'invalid_user_data';
  if (!isTransferCode(command.code)) return 'invalid_code';
  if (command.ledger !== state.ledger) return 'ledger_mismatch';
  if (!isPositiveAmount(command.amountMinor)) return 'amount_must_be_positive';
  if (command.amountMinor > balanceMinorMax) return 'overflow';
  if (command.type === 'pending_transfer') {
    const timeoutMs = command.timeoutMs;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > state.tunables.timeoutMsMax) return 'invalid_timeout';
  }
  if (command.debitAccountId === command.creditAccountId) return 'accounts_must_be_different';
  return null;
}

/**
 * The account limits. Pending debits count against the debit side (a reservation is as good as spent), while
 * only posted credits count in the account's favour (a reserved credit may still be voided).
 */
function checkLimits(
  balances: AccountBalances,
  debitAccount: AccountRecord,
  creditAccount: AccountRecord,
  debitsAfterHigh: number,
  debitsAfterLow: number,
  creditsAfterHigh: number,
  creditsAfterLow: number,
): RefusalCode | null {
  const words = balances.words;
  const debitBase = debitAccount.index * wordsPerAccount;
  if (
    debitAccount.debitsMustNotExceedCredits &&
    isGreater(
      debitsAfterHigh,
      debitsAfterLow,
      words[debitBase + creditsPostedLane + 1] as number,
      words[debitBase + creditsPostedLane] as number,
    )
  )
    return 'exceeds_credits';
  if (balances.hasLimit(debitAccount.index)) {
    balances.total(debitAccount.index, creditsPostedLane, debitLimitLane, 0, 0);
    if (isGreater(debitsAfterHigh, debitsAfterLow, balances.high, balances.low)) return 'exceeds_net_debit_cap';
  }
  const creditBase = creditAccount.index * wordsPerAccount;
  if (
    creditAccount.creditsMustNotExceedDebits &&
    isGreater(
      creditsAfterHigh,
      creditsAfterLow,
      words[creditBase + debitsPostedLane + 1] as number,
      words[creditBase + debitsPostedLane] as number,
    )
  )
    return 'exceeds_debits';
  return null;
}

function sameTransfer(
  state: LedgerState,
  existing: RememberedTransfer,
  command: TransferCommand | PendingTransferCommand,
  userData: UserDataJson | null,
): boolean {
  if (existing.kind !== command.type) return false;
  const debitAccount = state.accounts.get(command.debitAccountId);
  const creditAccount = state.accounts.get(command.creditAccountId);
  // A transfer names accounts the ledger held, and accounts are never removed: a command naming another is not it.
  if (debitAccount === undefined || creditAccount === undefined) return false;
  const balances = state.balances;
  balances.split(command.amountMinor);
  digestTransferBetween(
    balances.words,
    command.type,
    debitAccount.index,
    creditAccount.index,
    balances.low,
    balances.high,
    command.code,
    command.type === 'pending_transfer' ? command.timeoutMs : -1,
    userData,
  );
  // Read before the comparison, which may compute a digest of its own into the same place.
  const digestFirst = fieldsDigest[0] as number;
  const digestSecond = fieldsDigest[1] as number;
  return existing.sameFields(digestFirst, digestSecond);
}
