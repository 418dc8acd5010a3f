import type { DisputeReader } from './dispute-reader';
import type { DisputeService } from './dispute-service';

export type OverdueDisputeSweeperOptions = {
  disputes: DisputeService;
  reader: DisputeReader;
  now: () => Date;
  /** Disputes resolved or charged back per sweep at most: a bound on one sweep's work. */
  disputesPerSweepMax: number;
  onError?: (disputeId: string, error: unknown) => void;
};

/**
 * Decides every OPEN dispute whose respondent missed `respondBy` for the claimant (issue 12: within 60 s of the
 * deadline; the switch sweeps every 5 s), and finishes any chargeback a crash left between the resolution and
 * the posting, so that each is posted exactly once.
 */
export class OverdueDisputeSweeper {
  constructor(private readonly options: OverdueDisputeSweeperOptions) {}

  /** One sweep; resolves with how many disputes it resolved or charged back. */
  async sweep(): Promise<number> {
    const { reader, disputes, disputesPerSweepMax } = this.options;
    let changed = 0;
    for (const disputeId of reader.listOverdueOpen(this.options.now().toISOString(), disputesPerSweepMax)) {
      try {
        const receipt = await disputes.resolveMissedDeadline(disputeId, this.options.now());
        if (receipt.position !== null) changed += 1;
      } catch (error) {
        this.options.onError?.(disputeId, error);
      }
    }
    for (const disputeId of reader.listChargebacksDue(disputesPerSweepMax)) {
      try {
        await disputes.settleChargeback(disputeId);
        changed += 1;
      } catch (error) {
        this.options.onError?.(disputeId, error);
      }
    }
    for (const disputeId of reader.listNotificationsDue(disputesPerSweepMax)) {
      try {
        await disputes.notifyMerchant(disputeId);
        changed += 1;
      } catch (error) {
        this.options.onError?.(disputeId, error);
      }
    }
    return changed;
  }
}
