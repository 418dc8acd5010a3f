import type { RefundedAmounts } from '../core/disputes/dispute-ports';
import type { SealedTextOpener } from '../core/personal-data/sealed-text';
import type Database from 'better-sqlite3';
import { SqliteSessionMerchantOfTransfer } from '../adapters/readmodel-sqlite/projections/checkout-sessions-read-model';
import { SqliteDisputeReader } from '../adapters/readmodel-sqlite/projections/disputes-read-model';
import { SqliteDuplicateTransferFinder } from '../adapters/readmodel-sqlite/projections/duplicate-transfer-finder';
import type { DisputeNotifier } from '../core/disputes/dispute-ports';
import type { DisputeReader } from '../core/disputes/dispute-reader';
import { DisputeService } from '../core/disputes/dispute-service';
import { disputeWebhookObject } from '../core/disputes/dispute-view';
import { OverdueDisputeSweeper } from '../core/disputes/overdue-dispute-sweeper';
import type { EventStore } from '../core/eventstore/event-store';
import type { LedgerEngine } from '../core/ledger/ledger-engine';
import type { PayeeDeliveryQueue } from '../core/transfers/transfer-ports';
import type { WebhookPublisher } from '../core/webhooks/webhook-publisher';
import { assemble, type Assembled, type StartedParts } from './assembly';
import type { DisputeSettings } from './config';
import type { Logger } from './logger';
import type { RouteModule } from './route-kit';
import { disputeRoutes } from './routes/disputes';

/**
 * How often the sweeper looks for missed deadlines and unfinished chargebacks. Issue 12 resolves a missed deadline
 * within 60 s of it; every 5 s keeps well inside that while costing one indexed query.
 */
export const disputeSweepIntervalMs = 5_000;
const disputesPerSweepMax = 500;

export type DisputesAssemblyInput = {
  store: EventStore;
  ledgers: readonly LedgerEngine[];
  deliveries: PayeeDeliveryQueue;
  readModelDatabase: Database.Database;
  /** Says what a payer seals to, to find duplicates among the sealed rows (core/personal-data); absent: plaintext rows. */
  personalData?: SealedTextOpener;
  settings: DisputeSettings;
  publisher: WebhookPublisher;
  /** How much of a payment its merchant refunded: a chargeback takes at most what is still disputable. */
  refunds: RefundedAmounts;
  now: () => Date;
  logger: Logger;
  sweepIntervalMs?: number;
};

export type DisputesAssembly = {
  service: DisputeService;
  reader: DisputeReader;
  /** Runs one sweep now (tests; the switch sweeps every 5 s by itself). */
  sweep: () => Promise<number>;
  routeModule: RouteModule;
};

/** Online dispute resolution (docs/ARCHITECTURE.md section 7): the service, its read side, the sweeper and the routes. */
export function assembleDisputes(input: DisputesAssemblyInput): Promise<Assembled<DisputesAssembly>> {
  return assemble(input.logger, (parts) => startDisputes(input, parts));
}

async function startDisputes(input: DisputesAssemblyInput, parts: StartedParts): Promise<DisputesAssembly> {
  const reader = new SqliteDisputeReader(input.readModelDatabase, input.personalData);
  const service = new DisputeService({
    store: input.store,
    ledgers: (currency) => input.ledgers.find((ledger) => ledger.ledger === currency),
    deliveries: input.deliveries,
    duplicates: new SqliteDuplicateTransferFinder(input.readModelDatabase, input.personalData),
    settings: input.settings,
    now: input.now,
    merchants: new SqliteSessionMerchantOfTransfer(input.readModelDatabase),
    notifier: merchantNotifier(input.publisher),
    refunds: input.refunds,
  });
  const sweeper = new OverdueDisputeSweeper({
    disputes: service,
    reader,
    now: input.now,
    disputesPerSweepMax,
    onError: (disputeId, error) =>
      input.logger.error({ disputeId, err: error }, 'could not resolve an overdue dispute or post its chargeback'),
  });
  let running: Promise<number> | null = null;
  // One sweep at a time: a slow store lets the running sweep finish rather than piling sweeps up.
  const sweepOnce = (): Promise<number> =>
    (running ??= sweeper
      .sweep()
      .catch((error: unknown) => {
        input.logger.error({ err: error }, 'dispute sweep failed');
        return 0;
      })
      .finally(() => (running = null)));
  // A chargeback a crash left unposted is finished before the switch serves.
  await sweepOnce();
  const timer = setInterval(() => void sweepOnce(), input.sweepIntervalMs ?? disputeSweepIntervalMs);
  timer.unref();
  parts.onStop('dispute sweeper', async () => {
    clearInterval(timer);
    await running;
  });
  return { service, reader, sweep: sweepOnce, routeModule: disputeRoutes({ disputes: service, reader }) };
}

/** dispute.opened and dispute.resolved to the merchant of a P2M payment; the event id derives from the dispute. */
function merchantNotifier(publisher: WebhookPublisher): DisputeNotifier {
  return {
    async disputeChanged(dispute, change) {
      const merchantId = dispute.opened.merchantId;
      if (merchantId === null) return;
      await publisher.publish({
        merchantId,
        type: change === 'opened' ? 'dispute.opened' : 'dispute.resolved',
        object: disputeWebhookObject(dispute),
        sourceId: `dispute.${dispute.opened.disputeId.slice(3)}`,
        createdAt: new Date(change === 'opened' ? dispute.opened.at : (dispute.resolvedAt ?? dispute.opened.at)),
      });
    },
  };
}
