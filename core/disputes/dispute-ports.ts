import type { CommandContext } from '../eventstore/decider-stream';
import type { StreamAppend } from '../eventstore/event-store';
import type { TransferInitiated } from '../transfers/transfer-events';
import type { PresentDispute } from './dispute-decider';

/**
 * What the gateway will fill once refunds exist (issue 11's refunds are on another branch): how much of a transfer
 * has been refunded, so that a dispute never claims and a chargeback never takes more than is still disputable.
 */
export interface RefundedAmounts {
  refundedMinor(transferId: string): Promise<bigint>;
  /**
   * What refunds hold as a chargeback reads them, and the write that records the chargeback against them (null: no
   * refunds to meet). The write expects the refunds as read, so a refund held since makes the chargeback decide again,
   * and a refund decided on a read from before the chargeback meets the chargeback's write and decides again too.
   */
  forChargeback(transferId: string): Promise<{
    refundedMinor: bigint;
    /** Refunds held that are still PENDING: the chargeback waits for them to end, since one may fail and give back. */
    pendingCount: number;
    /**
     * Whether the payer's bank reversed the transfer in full, recorded on the refunds stream that the chargeback's
     * write expects: a reversal since the transfer was read makes the chargeback decide again and take nothing.
     */
    payerReversed: boolean;
    chargebackWrite(
      chargeback: { disputeId: string; amountMinor: bigint; chargedBackMinor: bigint },
      context: CommandContext,
    ): StreamAppend | null;
  }>;
}

/** No refunds exist yet: every transfer has had nothing refunded. */
export const noRefunds: RefundedAmounts = {
  refundedMinor: () => Promise.resolve(0n),
  forChargeback: () => Promise.resolve({ refundedMinor: 0n, pendingCount: 0, payerReversed: false, chargebackWrite: () => null }),
};

/**
 * The merchant a transfer paid, for a P2M payment: it may answer the dispute with its own key and receives the
 * dispute webhooks. Null for a transfer that paid no merchant (and, until P2M payments record their merchant, for all).
 */
export interface MerchantOfTransfer {
  merchantOf(transfer: TransferInitiated['data']): string | null;
}

export const noMerchants: MerchantOfTransfer = { merchantOf: () => null };

/** The switch's record of transfers, searched for the earlier original of a claimed DUPLICATE. */
export interface DuplicateTransferFinder {
  /**
   * The switch id of a COMMITTED transfer the same payer participant sent before `transfer`, from the same payer
   * account to the same payee for the same amount, created at most `windowMs` before it; the latest such, or null.
   */
  findEarlierDuplicate(transfer: TransferInitiated['data'], windowMs: number): string | null;
}

/** Tells the merchant of a P2M payment that a dispute opened or resolved (dispute.opened, dispute.resolved webhooks). */
export interface DisputeNotifier {
  disputeChanged(dispute: PresentDispute, change: 'opened' | 'resolved'): Promise<void>;
}

export const noNotifications: DisputeNotifier = { disputeChanged: () => Promise.resolve() };
