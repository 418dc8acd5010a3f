import type { AccountRecord, LedgerState } from './ledger-state';
import { rememberedTransfer, type RememberedTransfer } from './ledger-state';
import type { PendingTransferCommand, TransferCommand } from './commands';
import { isPositiveAmount, isValidId, isValidUserData, userDataForEvent } from './command-validation';
import { accept, refuse, type DecideContext, type Decision, type RefusalCode } from './decision';
import { amountText } from './amount-text';
import { isoFromMs } from './instant-text';
import { balanceMinorMax as balanceMinorMaxExport } from './ledger-limits';
import type { UserDataJson } from './events';
import { transferFieldsText } from './transfer-fields-text';
import { isLimitExempt, isTransferCode } from './transfer-codes';

// A module's own constant: an imported binding is read through a getter on every use, and this runs per transfer.
const balanceMinorMax = balanceMinorMaxExport;

/** A single-phase transfer (posted at once) or a pending one (reserved until posted, voided or expired). */
export function decideTransfer(command: TransferCommand | PendingTransferCommand, state: LedgerState, context: DecideContext): Decision {
  const refusal = checkTransferShape(command, state);
  if (refusal !== null) return refuse(refusal);
  const userData = userDataForEvent(command.userData);

  const existing = rememberedTransfer(state, command.id);
  if (existing !== undefined) return refuse(sameTransfer(existing, command, userData) ? 'exists' : 'exists_with_different_fields');

  const debitAccount = state.accounts.get(command.debitAccountId);
  const creditAccount = state.accounts.get(command.creditAccountId);
  if (debitAccount === undefined || creditAccount === undefined) return refuse('account_not_found');
  if (command.type === 'pending_transfer' && state.pendingCount >= state.tunables.pendingTransfersMax) return refuse('ledger_full');

  const amountMinor = command.amountMinor;
  // Each sum once: bigint arithmetic allocates, and this runs for every transfer.
  const debitsAfterMinor = debitAccount.debitsPendingMinor + debitAccount.debitsPostedMinor + amountMinor;
  const creditsAfterMinor = creditAccount.creditsPendingMinor + creditAccount.creditsPostedMinor + amountMinor;
  if (!isLimitExempt(command.code)) {
    const limitRefusal = checkLimits(debitAccount, creditAccount, debitsAfterMinor, creditsAfterMinor);
    if (limitRefusal !== null) return refuse(limitRefusal);
  }
  if (debitsAfterMinor > balanceMinorMax || creditsAfterMinor > balanceMinorMax) return refuse('overflow');

  const amountMinorText = amountText(amountMinor);
  if (command.type === 'transfer') {
    return accept({
      type: 'LedgerTransferPosted',
      data: {
        transferId: command.id,
        debitAccountId: debitAccount.id,
        creditAccountId: creditAccount.id,
        amountMinor: amountMinorText,
        code: command.code,
        userData,
      },
    });
  }
  return accept({
    type: 'LedgerTransferReserved',
    data: {
      transferId: command.id,
      debitAccountId: debitAccount.id,
      creditAccountId: creditAccount.id,
      amountMinor: amountMinorText,
      code: command.code,
      timeoutMs: command.timeoutMs,
      expiresAt: isoFromMs(context.nowMs + command.timeoutMs),
      userData,
    },
  });
}

/** Everything that can be checked without looking at balances, in the order the result codes are reported. */
function checkTransferShape(command: TransferCommand | PendingTransferCommand, state: LedgerState): RefusalCode | null {
  if (
    !isValidId(command.id) ||
    !isKnownOrValidAccountId(state, command.debitAccountId) ||
    !isKnownOrValidAccountId(state, command.creditAccountId)
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

/** An id the ledger holds was checked when its account was opened: a map lookup is cheaper than the pattern. */
function isKnownOrValidAccountId(state: LedgerState, accountId: string): boolean {
  return state.accounts.has(accountId) || isValidId(accountId);
}

/**
 * The account limits. Pending debits count against the debit side (a reservation is as good as spent), while
 * only posted credits count in the account's favour (a reserved credit may still be voided).
 */
function checkLimits(
  debitAccount: AccountRecord,
  creditAccount: AccountRecord,
  debitsAfterMinor: bigint,
  creditsAfterMinor: bigint,
): RefusalCode | null {
  if (debitAccount.debitsMustNotExceedCredits && debitsAfterMinor > debitAccount.creditsPostedMinor) return 'exceeds_credits';
  if (debitAccount.debitLimitMinor !== null && debitsAfterMinor > debitAccount.creditsPostedMinor + debitAccount.debitLimitMinor) {
    return 'exceeds_net_debit_cap';
  }
  if (creditAccount.creditsMustNotExceedDebits && creditsAfterMinor > creditAccount.debitsPostedMinor) return 'exceeds_debits';
  return null;
}

function sameTransfer(
  existing: RememberedTransfer,
  command: TransferCommand | PendingTransferCommand,
  userData: UserDataJson | null,
): boolean {
  if (existing.kind !== command.type) return false;
  const timeoutMs = command.type === 'pending_transfer' ? command.timeoutMs : null;
  const amountMinorText = command.amountMinor.toString();
  return existing.sameFields(
    transferFieldsText(command.type, command.debitAccountId, command.creditAccountId, amountMinorText, command.code, timeoutMs, userData),
  );
}
