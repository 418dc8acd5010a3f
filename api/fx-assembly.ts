import type Database from 'better-sqlite3';
import { SqliteInwardRemittanceReader } from '../adapters/readmodel-sqlite/projections/inbound-payments-read-model';
import type { EventStore } from '../core/eventstore/event-store';
import { FxService } from '../core/fx/fx-service';
import { InboundPaymentService } from '../core/fx/inbound-payment-service';
import type { MerchantReader } from '../core/gateway/merchant-reader';
import type { LedgerEngine } from '../core/ledger/ledger-engine';
import type { ParticipantReader } from '../core/participants/participant-reader';
import type { WebhookPublisher } from '../core/webhooks/webhook-publisher';
import type { Assembled } from './assembly';
import type { RouteModule } from './route-kit';
import { fxRoutes } from './routes/fx';

export type FxAssembly = { fx: FxService; inbound: InboundPaymentService; routeModule: RouteModule };

/** Issue 17: exchange rates, quotes and in-bound foreign-currency payments over the per-currency ledgers. */
export function assembleFx(input: {
  store: EventStore;
  ledgers: readonly LedgerEngine[];
  participants: ParticipantReader;
  merchants: MerchantReader;
  publisher: Pick<WebhookPublisher, 'publish'>;
  now: () => Date;
  currencies: readonly string[];
  quoteTtlSeconds: number;
  readModelDatabase: Database.Database;
}): Assembled<FxAssembly> {
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
  // Nothing of its own runs: the ledgers, the store and the outbox it writes through stop with their modules.
  return {
    provides: {
      fx,
      inbound,
      routeModule: fxRoutes({
        fx,
        inbound,
        remittances: new SqliteInwardRemittanceReader(input.readModelDatabase),
        merchants: input.merchants,
      }),
    },
    stop: async () => undefined,
  };
}
