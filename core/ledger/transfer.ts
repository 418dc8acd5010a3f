import type { UserData } from './commands';
import type { TransferCode } from './transfer-codes';

/** How a transfer came about: the command that created it. */
export type TransferKind = 'transfer' | 'pending_transfer' | 'post_pending' | 'void_pending';

/** A pending transfer's life: it is resolved at most once. */
export type PendingStatus = 'pending' | 'posted' | 'voided' | 'expired';

/** A transfer as a lookup returns it (the engine holds pending ones in PendingTransfers, resolved ones in the log). */
export type Transfer = {
  id: string;
  kind: TransferKind;
  debitAccountId: string;
  creditAccountId: string;
  /** single/pending: the amount; post: the amount posted; void: the amount released. */
  amountMinor: bigint;
  code: TransferCode;
  /** post/void: the pending transfer it resolves; otherwise null. */
  pendingId: string | null;
  /** pending: its timeout and the instant it expires (epoch milliseconds); otherwise null. */
  timeoutMs: number | null;
  expiresAtMs: number | null;
  /** pending: where it is in its life; otherwise null. */
  pendingStatus: PendingStatus | null;
  /** The amount the command asked to post (post commands only; null when it asked for all). */
  requestedAmountMinor: bigint | null;
  userData: UserData | null;
  /** Ledger event number (stream revision) that created it: fixes its place in the idempotency window. */
  createdAtEvent: number;
};
