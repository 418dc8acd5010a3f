import { assert } from '../assert';
import type { InboundPaymentFound } from './inbound-payment-decider';
import type { InboundPaymentService } from './inbound-payment-service';

/** The recorded payments not yet known to be final, oldest first: a projection of the in-bound payment events. */
export interface UnfinishedInboundPayments {
  listUnfinished(recordedBefore: string, limit: number): string[];
}

export type InboundPaymentSweeperOptions = {
  service: Pick<InboundPaymentService, 'finishRecorded'>;
  unfinished: UnfinishedInboundPayments;
  now: () => Date;
  /** Payments finished per sweep at most; the rest wait for the next sweep. */
  paymentsPerSweepMax: number;
  onFinished?: (payment: InboundPaymentFound) => void;
  onError?: (paymentId: string, error: unknown) => void;
};

/**
 * Finishes in-bound payments that a crash (or a ledger that refused to write) left recorded with their legs still
 * reserved, without waiting for the PSP to retry: each is posted and its merchant told, or, when its reservations
 * ran out while the switch was down, released and marked FAILED (InboundPaymentService.finishRecorded). The switch
 * sweeps once before it serves and then periodically; a payment the request is still finishing is serialised with
 * it and found final.
 */
export class InboundPaymentSweeper {
  constructor(private readonly options: InboundPaymentSweeperOptions) {
    assert(options.paymentsPerSweepMax > 0, 'a sweep finishes at least one payment');
  }

  /** One sweep over payments recorded at least `minAgeMs` ago; resolves with how many it found final. */
  async sweep(minAgeMs: number): Promise<number> {
    assert(minAgeMs >= 0, 'an age is not negative');
    const now = this.options.now();
    const recordedBefore = new Date(now.getTime() - minAgeMs).toISOString();
    let finished = 0;
    for (const paymentId of this.options.unfinished.listUnfinished(recordedBefore, this.options.paymentsPerSweepMax)) {
      try {
        const found = await this.options.service.finishRecorded(paymentId, {
          now: this.options.now(),
          actor: 'switch:inbound-sweeper',
          correlationId: paymentId,
        });
        if (found !== null && found.status !== 'recorded') {
          finished += 1;
          this.options.onFinished?.(found);
        }
      } catch (error) {
        // The next sweep tries again; one payment that cannot be finished now must not hold up the others.
        this.options.onError?.(paymentId, error);
      }
    }
    return finished;
  }
}
