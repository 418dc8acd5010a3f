import type { SealedTextOpener } from '../core/personal-data/sealed-text';
import type Database from 'better-sqlite3';
import { SqliteWebhookEventReader } from '../adapters/readmodel-sqlite/projections/webhook-events-read-model';
import type { OutgoingMessageSigner } from '../adapters/wallet-http/switch-jws-signer';
import { WebhookHttpTransport } from '../adapters/webhooks/webhook-http-transport';
import type { EventStore } from '../core/eventstore/event-store';
import type { RetrySchedule } from '../core/outbox/backoff';
import type { DeliveryEvent } from '../core/outbox/delivery-events';
import type { DeliveryTransport } from '../core/outbox/delivery-transport';
import { Outbox } from '../core/outbox/outbox';
import type { WebhookEndpoints } from '../core/webhooks/webhook-endpoints';
import { webhookChannel } from '../core/webhooks/webhook-event';
import { WebhookPublisher } from '../core/webhooks/webhook-publisher';
import type { WebhookEventReader } from '../core/webhooks/webhook-reader';
import { webhookRetrySchedule } from '../core/webhooks/webhook-retry-schedule';
import { assemble, type Assembled, type StartedParts } from './assembly';
import type { Logger } from './logger';
import type { SwitchMetrics } from './metrics';
import type { RouteModule } from './route-kit';
import { webhookRoutes } from './routes/webhooks';
import { checkoutSessionView } from './views/checkout-session-view';
import type { CheckoutService } from '../core/gateway/checkout-service';
import { SessionWebhookFollower } from '../core/webhooks/session-webhook-follower';

/**
 * Webhook attempts in flight at once over all merchants. The payment channels' 8 suits a few payee participants;
 * webhooks go to every merchant in the country, each endpoint taking tens of milliseconds to answer, and 8 at once
 * held paid checkouts to about 80 a second however fast the switch was (bench:checkout). An attempt in flight costs
 * a socket and a little memory.
 */
const webhookAttemptsInFlightMax = 64;

/** What a caller of startSwitch may choose about webhooks; tests shorten the schedule. */
export type WebhookOptions = {
  /** Where each merchant's webhooks go: the gateway's merchants (api/switch.ts), or the test's own. */
  endpoints: WebhookEndpoints;
  /** Issue 11's schedule (5 s … 12 h, then daily for 3 days, ±10 %) unless given. */
  retrySchedule?: RetrySchedule;
  random?: () => number;
};

export type WebhooksAssemblyInput = {
  options: WebhookOptions;
  store: EventStore;
  readModelDatabase: Database.Database;
  now: () => Date;
  logger: Logger;
  metrics: SwitchMetrics;
  /**
   * Wraps the HTTP transport so that each try first waits (bounded) for the read models to reach the log's head: a
   * merchant told a session completed may GET it the moment the webhook arrives, and must see it completed.
   */
  readYourWrites?: (transport: DeliveryTransport) => DeliveryTransport;
  /** Signs each webhook with the switch's own key as well (Hisaab-JWS). */
  jwsSigner: OutgoingMessageSigner;
  /** Opens the personal fields an event's body holds sealed in the read model (an in-bound payer's, issue 15.4). */
  opener?: SealedTextOpener;
};

export type WebhooksAssembly = {
  /** The gateway publishes merchant events here: `publisher.publish({ merchantId, type, object, sourceId })`. */
  publisher: WebhookPublisher;
  outbox: Outbox;
  reader: WebhookEventReader;
  routeModule: RouteModule;
};

/**
 * Merchant webhooks (issue 11): the `webhooks` outbox delivering over signed HTTP on the webhook schedule, started
 * (reading back whatever was pending before a restart) before anything can publish; the publisher; the routes that
 * list and resend events. Stopping it stops the outbox (attempts in flight finish, bounded) and drops connections.
 */
export function assembleWebhooks(input: WebhooksAssemblyInput): Promise<Assembled<WebhooksAssembly>> {
  return assemble(input.logger, (parts) => startWebhooks(input, parts));
}

async function startWebhooks(input: WebhooksAssemblyInput, parts: StartedParts): Promise<WebhooksAssembly> {
  const transport = new WebhookHttpTransport({ endpoints: input.options.endpoints, now: input.now, jwsSigner: input.jwsSigner });
  parts.onStop('webhook connections', () => transport.close());
  const outbox = new Outbox({
    store: input.store,
    channel: webhookChannel,
    transport: input.readYourWrites === undefined ? transport : input.readYourWrites(transport),
    now: input.now,
    retrySchedule: input.options.retrySchedule ?? webhookRetrySchedule(),
    ...(input.options.random === undefined ? {} : { random: input.options.random }),
    limits: { concurrencyMax: webhookAttemptsInFlightMax },
    onError: (error) => input.logger.warn({ err: error }, 'webhook outbox error'),
    onRecorded: (events) => recordWebhookOutcomes(events, input),
  });
  await outbox.start();
  parts.onStop('webhook outbox', () => outbox.stop());
  const reader = new SqliteWebhookEventReader(input.readModelDatabase, input.opener);
  const publisher = new WebhookPublisher(outbox, input.now, (eventId) => reader.findEvent(eventId) !== null);
  return { publisher, outbox, reader, routeModule: webhookRoutes({ store: input.store, publisher, reader }) };
}

/** Counts finished webhook deliveries; one given up after its three days is logged for the operator and the merchant. */
function recordWebhookOutcomes(events: readonly DeliveryEvent[], input: WebhooksAssemblyInput): void {
  for (const event of events) {
    if (event.type === 'DeliverySucceeded') input.metrics.outboxDeliveries.inc({ channel: webhookChannel, outcome: 'delivered' });
    if (event.type === 'DeliveryAbandoned') {
      input.metrics.outboxDeliveries.inc({ channel: webhookChannel, outcome: 'abandoned' });
      input.logger.warn({ channel: webhookChannel, ...event.data }, 'webhook FAILED: its retry schedule ran out');
    }
  }
}

export type SessionWebhooksAssemblyInput = {
  store: EventStore;
  checkout: Pick<CheckoutService, 'find'>;
  publisher: Pick<WebhookPublisher, 'publishAttemptingFirst'>;
  now: () => Date;
  publicUrl: () => string;
  logger: Logger;
};

/**
 * The follower that publishes `checkout.session.completed` and `checkout.session.expired` from the log, its
 * checkpoint in the event store; the object is the session as GET /v1/checkout/sessions/{id} answers it.
 */
export function assembleSessionWebhooks(input: SessionWebhooksAssemblyInput): Promise<Assembled<SessionWebhookFollower>> {
  return assemble(input.logger, async (parts) => {
    const follower = new SessionWebhookFollower({
      store: input.store,
      findSession: (sessionId) => input.checkout.find(sessionId),
      sessionView: (session) => checkoutSessionView(session, input.now(), input.publicUrl()),
      // The follower's checkpoint stands for a completion until its webhook is durable in the outbox, so the webhook's
      // first try may go out before that write, and be written with its outcome: one durable write, not two.
      publish: (publication) => input.publisher.publishAttemptingFirst(publication),
      now: input.now,
      onError: (error) => input.logger.warn({ err: error }, 'session webhooks: a group was not published; retrying'),
    });
    await follower.start();
    parts.onStop('session webhook follower', () => follower.stop());
    return follower;
  });
}
