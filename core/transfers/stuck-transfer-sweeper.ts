import { assert } from '../assert';
import type { TransferReader } from './transfer-reader';
import type { TransferService } from './transfer-service';
import type { TransferView } from './transfer-view';

export type StuckTransferSweeperOptions = {
  service: TransferService;
  reader: TransferReader;
  now: () => Date;
  /** A transfer in flight longer than this, and not being executed by this process, is stuck. */
  stuckAfterMs: number;
  /** Transfers finished per sweep at most; the rest wait for the next sweep. */
  transfersPerSweepMax: number;
  onFinished?: (view: TransferView) => void;
  onError?: (transferId: string, error: unknown) => void;
};

/**
 * Finishes transfers that stayed in flight past their deadline while the switch kept running: their execution
 * failed half-way (the ledger refused a write, the process ran out of something), and the caller got an error.
 * Each is finished from the ledger's own record, exactly as after a restart (TransferService.recover), so none
 * stays in between for longer than the deadline plus one sweep.
 */
export class StuckTransferSweeper {
  constructor(private readonly options: StuckTransferSweeperOptions) {
    assert(options.stuckAfterMs > 0 && options.transfersPerSweepMax > 0, 'the sweeper has a positive age and batch');
  }

  /** One sweep; resolves with how many transfers it finished. */
  async sweep(): Promise<number> {
    const createdBefore = new Date(this.options.now().getTime() - this.options.stuckAfterMs).toISOString();
    const candidates = this.options.reader.listInFlight(createdBefore, this.options.transfersPerSweepMax);
    let finished = 0;
    for (const transferId of candidates) {
      if (this.options.service.isExecuting(transferId)) continue;
      try {
        const view = await this.options.service.recover(transferId);
        finished += 1;
        this.options.onFinished?.(view);
      } catch (error) {
        // The next sweep tries again; one stuck transfer must not keep the others from being finished.
        this.options.onError?.(transferId, error);
      }
    }
    return finished;
  }
}
