import type Database from 'better-sqlite3';
import type { OutgoingMessageSigner } from '../adapters/wallet-http/switch-jws-signer';
import {
  SqliteInwardRemittanceReader,
  SqliteUnfinishedInboundPayments,
} from '../adapters/readmodel-sqlite/projections/inbound-payments-read-model';
import type { EventStore } from '../core/eventstore/event-store';
import { FxService } from '../core/fx/fx-service';
import { InboundPaymentService } from '../core/fx/inbound-payment-service';
import { InboundPaymentSweeper } from '../core/fx/inbound-payment-sweeper';
import type { MerchantReader } from '../core/gateway/merchant-reader';
import type { LedgerEngine } from '../core/ledger/ledger-engine';
import type { ParticipantReader } from '../core/participants/participant-reader';
import type { WebhookPublisher } from '../core/webhooks/webhook-publisher';
import { assemble, type Assembled, type StartedParts } from './assembly';
import type { Logger } from './logger';
import type { RouteModule } from './route-kit';
import { fxRoutes } from './routes/fx';

export type FxAssembly = {
  fx: FxService;
  inbound: InboundPaymentService;
  /** Finishes recorded payments at least `minAgeMs` old now (tests; the switch sweeps by itself). */
  sweepUnfinishedInboundPayments: (minAgeMs?: number) => Promise<number>;
  routeModule: RouteModule;
};

/** How often the sweep looks for in-bound payments left recorded, and how many it finishes at most per sweep. */
const inboundSweepIntervalMs = 5_000;
const inboundPaymentsPerSweepMax = 100;
/**
 * After start-up, a payment is swept only once it is this old: the request that recorded it finishes it within
 * moments, and sweeping it earlier would only queue behind that request. Far below the reservation timeout (5 min).
 */
const inboundSweepMinAgeMs = 30_000;

export type FxAssemblyInput = {
  /** The switch's signer: export proceeds certificates carry its detached JWS. */
  signer: OutgoingMessageSigner;
  store: EventStore;
  ledgers: readonly LedgerEngine[];
  participants: ParticipantReader;
  merchants: MerchantReader;
  publisher: Pick<WebhookPublisher, 'publish'>;
  now: () => Date;
  logger: Logger;
  currencies: readonly string[];
  quoteTtlSeconds: number;
  readModelDatabase: Database.Database;
};

/**
 * Issue 17: exchange rates, quotes and in-bound foreign-currency payments over the per-currency ledgers, and the
 * sweep that finishes payments a crash left between their recording and their posting (before the switch serves).
 */
export function assembleFx(input: FxAssemblyInput): Promise<Assembled<FxAssembly>> {
  return assemble(input.logger, (parts) => startFx(input, parts));
}

async function startFx(input: FxAssemblyInput, parts: StartedParts): Promise<FxAssembly> {
  const fx = new FxService({
    store: input.store,
    participants: input.participants,
    now: input.now,
    quoteTtlSeconds: input.quoteTtlSeconds,
    enabledCurrencies: input.currencies,
  });
  const inbound = new InboundPaymentService({
    store: input.store,
    ledgers: (currency) => input.ledgers.find((ledger) => ledger.ledger === currency),
    participants: input.participants,
    merchants: input.merchants,
    fx,
    publisher: input.publisher,
    enabledCurrencies: input.currencies,
  });
  const sweeper = new InboundPaymentSweeper({
    service: inbound,
    unfinished: new SqliteUnfinishedInboundPayments(input.readModelDatabase),
    now: input.now,
    paymentsPerSweepMax: inboundPaymentsPerSweepMax,
    onFinished: (found) =>
      input.logger.info({ paymentId: found.payment.paymentId, status: found.status }, 'finished an in-bound payment left recorded'),
    onError: (paymentId, error) => input.logger.error({ paymentId, err: error }, 'could not finish an in-bound payment left recorded'),
  });
  let running: Promise<number> | null = null;
  // One sweep at a time: a slow one finishes rather than sweeps piling up.
  const sweepOnce = (minAgeMs: number = inboundSweepMinAgeMs): Promise<number> =>
    (running ??= sweeper
      .sweep(minAgeMs)
      .catch((error: unknown) => {
        input.logger.error({ err: error }, 'in-bound payment sweep failed');
        return 0;
      })
      .finally(() => (running = null)));
  // Before the switch serves, every payment a crash left recorded is finished: no request of this process is running.
  await sweepOnce(0);
  const timer = setInterval(() => void sweepOnce(), inboundSweepIntervalMs);
  timer.unref();
  parts.onStop('in-bound payment sweeper', async () => {
    clearInterval(timer);
    await running;
  });
  return {
    fx,
    inbound,
    sweepUnfinishedInboundPayments: sweepOnce,
    routeModule: fxRoutes({
      signer: input.signer,
      fx,
      inbound,
      remittances: new SqliteInwardRemittanceReader(input.readModelDatabase),
      merchants: input.merchants,
    }),
  };
}
