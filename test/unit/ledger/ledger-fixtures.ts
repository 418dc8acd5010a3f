import type { CreateAccountCommand, LedgerCommand, PendingTransferCommand, TransferCommand } from '../../../core/ledger/commands';
import type {
  LedgerAccountOpened,
  LedgerPendingExpired,
  LedgerPendingPosted,
  LedgerPendingVoided,
  LedgerTransferPosted,
  LedgerTransferReserved,
} from '../../../core/ledger/events';
import type { TransferCode } from '../../../core/ledger/transfer-codes';

/** Builders for ledger commands and events in decider specs: defaults for everything a case does not vary. */
export const nowMs = Date.parse('2026-01-01T00:00:00.000Z');

type AccountLimits = { debitLimitMinor?: bigint; debitsMustNotExceedCredits?: boolean; creditsMustNotExceedDebits?: boolean };

export function opened(accountId: string, limits: AccountLimits = {}): LedgerAccountOpened {
  return {
    type: 'LedgerAccountOpened',
    data: {
      accountId,
      ledger: 'PKR',
      code: 'POSITION',
      owner: `owner-${accountId}`,
      debitsMustNotExceedCredits: limits.debitsMustNotExceedCredits === true,
      creditsMustNotExceedDebits: limits.creditsMustNotExceedDebits === true,
      debitLimitMinor: limits.debitLimitMinor === undefined ? null : limits.debitLimitMinor.toString(),
    },
  };
}

export function createAccount(id: string, overrides: Partial<CreateAccountCommand> = {}): CreateAccountCommand {
  return { type: 'create_account', id, ledger: 'PKR', code: 'POSITION', owner: `owner-${id}`, ...overrides };
}

export function transfer(
  id: string,
  debitAccountId: string,
  creditAccountId: string,
  amountMinor: bigint,
  overrides: Partial<TransferCommand> = {},
): TransferCommand {
  return { type: 'transfer', id, ledger: 'PKR', debitAccountId, creditAccountId, amountMinor, code: 'P2P', ...overrides };
}

export function pendingTransfer(
  id: string,
  debitAccountId: string,
  creditAccountId: string,
  amountMinor: bigint,
  overrides: Partial<PendingTransferCommand> = {},
): PendingTransferCommand {
  return {
    type: 'pending_transfer',
    id,
    ledger: 'PKR',
    debitAccountId,
    creditAccountId,
    amountMinor,
    code: 'P2P',
    timeoutMs: 10_000,
    ...overrides,
  };
}

export function posted(
  transferId: string,
  debitAccountId: string,
  creditAccountId: string,
  amountMinor: bigint,
  code: TransferCode = 'P2P',
): LedgerTransferPosted {
  return {
    type: 'LedgerTransferPosted',
    data: { transferId, debitAccountId, creditAccountId, amountMinor: amountMinor.toString(), code, userData: null },
  };
}

export function reserved(
  transferId: string,
  debitAccountId: string,
  creditAccountId: string,
  amountMinor: bigint,
  timeoutMs = 10_000,
  atMs = nowMs,
): LedgerTransferReserved {
  return {
    type: 'LedgerTransferReserved',
    data: {
      transferId,
      debitAccountId,
      creditAccountId,
      amountMinor: amountMinor.toString(),
      code: 'P2P',
      timeoutMs,
      expiresAt: new Date(atMs + timeoutMs).toISOString(),
      userData: null,
    },
  };
}

export function pendingPosted(
  transferId: string,
  pendingId: string,
  debitAccountId: string,
  creditAccountId: string,
  amountMinor: bigint,
  pendingAmountMinor: bigint,
  requested: bigint | null = null,
): LedgerPendingPosted {
  return {
    type: 'LedgerPendingPosted',
    data: {
      transferId,
      pendingId,
      debitAccountId,
      creditAccountId,
      amountMinor: amountMinor.toString(),
      pendingAmountMinor: pendingAmountMinor.toString(),
      requestedAmountMinor: requested === null ? null : requested.toString(),
      code: 'P2P',
      userData: null,
    },
  };
}

export function pendingVoided(
  transferId: string,
  pendingId: string,
  debitAccountId: string,
  creditAccountId: string,
  amountMinor: bigint,
): LedgerPendingVoided {
  return {
    type: 'LedgerPendingVoided',
    data: { transferId, pendingId, debitAccountId, creditAccountId, amountMinor: amountMinor.toString(), code: 'P2P', userData: null },
  };
}

export function pendingExpired(
  pendingId: string,
  debitAccountId: string,
  creditAccountId: string,
  amountMinor: bigint,
): LedgerPendingExpired {
  return {
    type: 'LedgerPendingExpired',
    data: { pendingId, debitAccountId, creditAccountId, amountMinor: amountMinor.toString(), code: 'P2P', userData: null },
  };
}

export function post(id: string, pendingId: string, amountMinor?: bigint): LedgerCommand {
  return amountMinor === undefined ? { type: 'post_pending', id, pendingId } : { type: 'post_pending', id, pendingId, amountMinor };
}

export function voidPending(id: string, pendingId: string): LedgerCommand {
  return { type: 'void_pending', id, pendingId };
}
