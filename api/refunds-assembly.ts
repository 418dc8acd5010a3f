import type Database from 'better-sqlite3';
import { SqliteMerchantViewsReader } from '../adapters/readmodel-sqlite/projections/merchant-views-read-model';
import type { DirectoryReader } from '../core/directory/directory-reader';
import type { EventStore } from '../core/eventstore/event-store';
import type { CheckoutService } from '../core/gateway/checkout-service';
import type { MerchantReader } from '../core/gateway/merchant-reader';
import { TransferChargebacks } from '../core/disputes/charged-back-amounts';
import { RefundService, type RefundedAmountReader, type RefundTransfers } from '../core/gateway/refund-service';
import type { WebhookPublisher } from '../core/webhooks/webhook-publisher';
import { assemble, type Assembled, type StartedParts } from './assembly';
import type { Logger } from './logger';
import type { RouteModule } from './route-kit';
import { refundRoutes } from './routes/refunds';

/** How often refunds a stopped process left PENDING are looked for, how old they must be, and how many per sweep. */
const refundSweepIntervalMs = 5_000;
/** Past the longest payee deadline: a refund this old is no longer being run by the request that asked for it. */
export const refundResumeAgeMsDefault = 90_000;
const refundsPerSweepMax = 100;

export type RefundsAssemblyInput = {
  store: EventStore;
  readModelDatabase: Database.Database;
  now: () => Date;
  logger: Logger;
  checkout: CheckoutService;
  merchantReader: MerchantReader;
  directory: DirectoryReader;
  transfers: RefundTransfers;
  publisher: Pick<WebhookPublisher, 'publish'>;
};

export type RefundsAssembly = {
  service: RefundService;
  /** The amount refunded per payment transfer: the port the dispute module caps chargebacks with. */
  refundedAmounts: RefundedAmountReader;
  /** Finishes PENDING refunds at least `minAgeMs` old now (tests; the switch sweeps every 5 s by itself). */
  sweepPendingRefunds: (minAgeMs?: number) => Promise<number>;
  routeModule: RouteModule;
};

/**
 * Refunds of paid checkout sessions (issue 11). Built after transfers (a refund is a transfer) and webhooks (its
 * outcome is told as refund.succeeded or refund.failed, once durable). A sweeper finishes refunds a stopped process
 * left PENDING, so that each ends and is told without the merchant having to ask again.
 */
export function assembleRefunds(input: RefundsAssemblyInput): Promise<Assembled<RefundsAssembly>> {
  return assemble(input.logger, (parts) => startRefunds(input, parts));
}

async function startRefunds(input: RefundsAssemblyInput, parts: StartedParts): Promise<RefundsAssembly> {
  const service = new RefundService({
    store: input.store,
    checkout: input.checkout,
    directory: input.directory,
    transfers: input.transfers,
    now: input.now,
    // Chargebacks are read from the store, not from the disputes module, which is built after refunds (it reads them).
    chargebacks: new TransferChargebacks(input.store),
    notify: async (merchantId, refund) => {
      await input.publisher.publish({
        merchantId,
        type: refund.status === 'SUCCEEDED' ? 'refund.succeeded' : 'refund.failed',
        object: refund,
        sourceId: refund.id,
      });
    },
  });
  const views = new SqliteMerchantViewsReader(input.readModelDatabase);
  const sweep = async (minAgeMs: number): Promise<number> => {
    let finished = 0;
    for (const refundId of views.pendingRefundIds(refundsPerSweepMax)) {
      try {
        const view = await service.resume(refundId, minAgeMs);
        if (view !== null && view.status !== 'PENDING') finished += 1;
      } catch (error) {
        input.logger.error({ refundId, err: error }, 'could not finish a pending refund');
      }
    }
    return finished;
  };
  let running: Promise<number> | null = null;
  // One sweep at a time: a slow one finishes rather than sweeps piling up.
  const sweepOnce = (minAgeMs: number = refundResumeAgeMsDefault): Promise<number> =>
    (running ??= sweep(minAgeMs).finally(() => (running = null)));
  const timer = setInterval(() => void sweepOnce(), refundSweepIntervalMs);
  timer.unref();
  parts.onStop('pending refund sweeper', async () => {
    clearInterval(timer);
    await running;
  });
  return {
    service,
    refundedAmounts: service,
    sweepPendingRefunds: sweepOnce,
    routeModule: refundRoutes({ refunds: service, merchantReader: input.merchantReader }),
  };
}
