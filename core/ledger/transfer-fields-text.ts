import type { UserData } from './commands';
import type { LedgerTransferPosted, LedgerTransferReserved } from './events';
import type { TransferKind } from './transfer';

/**
 * The fields that decide `exists` against `exists_with_different_fields` for a repeated transfer id, as one text
 * that the idempotency window digests (TransferIdWindow). A command and the event it became must give the same
 * text, so both sides build it here. Every field is length-prefixed, so no value can pass for another.
 * A transfer or pending transfer: its kind, accounts, amount, code, timeout and user data.
 */
export function transferFieldsText(
  kind: TransferKind,
  debitAccountId: string,
  creditAccountId: string,
  amountMinorText: string,
  code: string,
  timeoutMs: number | null,
  userData: UserData | null,
): string {
  return (
    field(kind) +
    field(debitAccountId) +
    field(creditAccountId) +
    field(amountMinorText) +
    field(code) +
    field(timeoutMs === null ? '-' : String(timeoutMs)) +
    userDataText(userData)
  );
}

/** The fields text of a posted transfer's event, as its command gave it: what evolve and the log replay insert. */
export function postedTransferFieldsText(data: LedgerTransferPosted['data']): string {
  return transferFieldsText('transfer', data.debitAccountId, data.creditAccountId, data.amountMinor, data.code, null, data.userData);
}

/** The fields text of a reserved (pending) transfer's event. */
export function reservedTransferFieldsText(data: LedgerTransferReserved['data']): string {
  return transferFieldsText(
    'pending_transfer',
    data.debitAccountId,
    data.creditAccountId,
    data.amountMinor,
    data.code,
    data.timeoutMs,
    data.userData,
  );
}

/** A post or void of a pending transfer: its kind, the pending transfer, the amount asked for and user data. */
export function resolutionFieldsText(
  kind: TransferKind,
  pendingId: string,
  requestedAmountMinorText: string | null,
  userData: UserData | null,
): string {
  return field(kind) + field(pendingId) + field(requestedAmountMinorText ?? '-') + userDataText(userData);
}

/** User data by sorted key (a repeat with its keys in another order is the same), or one mark for none. */
function userDataText(userData: UserData | null): string {
  if (userData === null) return field('-');
  const keys = Object.keys(userData).sort();
  let text = field(String(keys.length));
  for (const key of keys) text += field(key) + field(userData[key] as string);
  return text;
}

function field(value: string): string {
  return `${value.length}:${value}`;
}
