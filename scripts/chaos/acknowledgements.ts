import type { WalletSimulator } from '../../simulators/wallet/wallet-simulator';

/**
 * Everything the switch acknowledged to the campaign's clients (a 2xx answer, or 39=00 over ISO 8583), as the
 * clients saw it. The checks hold the switch to each of these after every restart.
 */
export type AcknowledgedTransfer = {
  payerParticipant: string;
  /** The id the payer knows the transfer by. */
  id: string;
  state: 'COMMITTED' | 'ABORTED' | 'IN_FLIGHT';
  via: 'wallet' | 'batch' | 'iso8583';
};

export type AcknowledgedDispute = { id: string; transferId: string; accepted: boolean };

/** A refund as its 201 answer gave it: SUCCEEDED or FAILED is final and must stand; PENDING may end either way. */
export type AcknowledgedRefund = { id: string; sessionId: string; status: string };

/** Bounded: far above what 100 kills produce, so a runaway load fails loudly instead of eating memory. */
const acknowledgementsMax = 2_000_000;

export class Acknowledgements {
  private readonly transfersSent: AcknowledgedTransfer[] = [];
  readonly sessions: string[] = [];
  readonly refunds: AcknowledgedRefund[] = [];
  readonly disputes: AcknowledgedDispute[] = [];
  readonly closedWindows: string[] = [];
  /** Windows whose settle the operator's call had answered 200: each must stay SETTLED. */
  readonly settledWindows: string[] = [];

  recordTransfer(transfer: AcknowledgedTransfer): void {
    this.assertRoom();
    this.transfersSent.push(transfer);
  }

  recordSession(sessionId: string): void {
    this.assertRoom();
    this.sessions.push(sessionId);
  }

  /**
   * The transfers acknowledged so far: those the load recorded plus every transfer a wallet simulator sent and
   * got a 2xx answer for (its customers' P2P payments and the checkout payments its customers approved).
   */
  transfers(wallets: readonly WalletSimulator[]): AcknowledgedTransfer[] {
    const fromWallets = wallets.flatMap((wallet) =>
      wallet
        .sentTransfers()
        .filter((sent) => sent.httpStatus !== null && sent.httpStatus >= 200 && sent.httpStatus <= 299)
        .map((sent): AcknowledgedTransfer => ({
          payerParticipant: wallet.participantId,
          id: sent.id,
          state: sent.outcome === 'COMMITTED' || sent.outcome === 'ABORTED' ? sent.outcome : 'IN_FLIGHT',
          via: 'wallet',
        })),
    );
    return [...this.transfersSent, ...fromWallets];
  }

  private assertRoom(): void {
    if (this.transfersSent.length + this.sessions.length >= acknowledgementsMax)
      throw new Error(`the campaign holds at most ${acknowledgementsMax} acknowledgements`);
  }
}
