import type { Delivery } from '../core/outbox/delivery';
import type { DeliveryAttemptOptions, DeliveryAttemptResult, DeliveryTransport } from '../core/outbox/delivery-transport';
import type { TransferReader } from '../core/transfers/transfer-reader';
import type { TransferView } from '../core/transfers/transfer-view';

const readYourWritesDeliveryLimits = {
  /**
   * How long an attempt waits for the read models to show how the transfer ended. The end is recorded moments
   * after the delivery is queued; past this (the switch stopped in between, and recovery records the end later)
   * the delivery goes out all the same, since the payee must hear of it. Well under the outbox's attempt deadline.
   */
  settleTimeoutMs: 1_000,
  /** How often the transfer's row is looked at again while the read models have caught up but not with its end. */
  pollIntervalMs: 5,
  /**
   * The most of an attempt's deadline the wait may take. The wait comes out of that deadline (the outbox stops
   * waiting for an attempt shortly after it and counts it as a failure of the destination, so every delivery to
   * that payee backs off): the payee always gets the rest, at least half.
   */
  deadlineShareMax: 0.5,
} as const;

export type ReadYourWritesTransportOptions = {
  reader: TransferReader;
  /** Resolves once the read models show every write so far; rejects past its own bound. */
  awaitReadModels: () => Promise<void>;
};

/**
 * A delivery tells the payee how a transfer ended (a reversal, a credit advice), and the payee may read the
 * transfer back the moment it arrives. The transfer service queues the delivery just before it records the end
 * (so that a crash in between still delivers it), so without this the payee could be told of a reversal that
 * GET does not show yet. Each attempt waits, bounded (and out of its own deadline, the rest going to the payee),
 * until the read models show the transfer as the delivery says; any other delivery waits for the read models to reach the log's head.
 */
export class ReadYourWritesTransport implements DeliveryTransport {
  constructor(
    private readonly transport: DeliveryTransport,
    private readonly options: ReadYourWritesTransportOptions,
  ) {}

  async deliver(delivery: Delivery, options: DeliveryAttemptOptions): Promise<DeliveryAttemptResult> {
    const startedAtMs = Date.now();
    const waitMs = Math.min(
      readYourWritesDeliveryLimits.settleTimeoutMs,
      Math.floor(options.deadlineMs * readYourWritesDeliveryLimits.deadlineShareMax),
    );
    await this.untilShown(delivery, startedAtMs + waitMs);
    // The payee gets what is left of the attempt's deadline, so that the attempt ends when the outbox expects it to.
    const leftMs = Math.max(1, options.deadlineMs - (Date.now() - startedAtMs));
    return this.transport.deliver(delivery, { ...options, deadlineMs: leftMs });
  }

  private async untilShown(delivery: Delivery, waitEndsAtMs: number): Promise<void> {
    const transferId = delivery.payload['transferId'];
    const pollsMax = Math.ceil(readYourWritesDeliveryLimits.settleTimeoutMs / readYourWritesDeliveryLimits.pollIntervalMs);
    for (let poll = 0; poll <= pollsMax; poll += 1) {
      // Read models lagging past the wait's end (their own bound is longer): the delivery goes out all the same.
      if (!(await this.readModelsCaughtUp(waitEndsAtMs))) return;
      // A dispute's chargeback credit names the chargeback's ledger id, which has no transfer stream to show: the
      // read models at the head (above) already show the dispute it belongs to.
      if (typeof transferId !== 'string' || typeof delivery.payload['disputeId'] === 'string') return;
      if (shows(this.options.reader.findTransfer(transferId), delivery.kind)) return;
      if (Date.now() >= waitEndsAtMs) return;
      await new Promise((resolve) => setTimeout(resolve, readYourWritesDeliveryLimits.pollIntervalMs));
    }
  }

  /** False when the read models did not catch up before `waitEndsAtMs`, or could not. */
  private async readModelsCaughtUp(waitEndsAtMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const waitEnd = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, waitEndsAtMs - Date.now()));
    });
    try {
      return await Promise.race([
        this.options.awaitReadModels().then(
          () => true,
          () => false,
        ),
        waitEnd,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function shows(view: TransferView | null, kind: string): boolean {
  if (view === null) return false;
  if (kind === 'REVERSAL') return view.state === 'ABORTED' || view.reversed;
  if (kind === 'CREDIT_ADVICE') return view.state === 'COMMITTED';
  return true;
}
