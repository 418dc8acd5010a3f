import { SqliteWebhookEventReader } from '../../../adapters/readmodel-sqlite/projections/webhook-events-read-model';
import { webhookEventsProjection } from '../../../adapters/readmodel-sqlite/projections/webhook-events-projection';
import { WebhookHttpTransport } from '../../../adapters/webhooks/webhook-http-transport';
import type { NewEvent } from '../../../core/eventstore/event';
import type { AppendResult } from '../../../core/eventstore/event-store';
import type { ExpectedRevision } from '../../../core/eventstore/expected-revision';
import { ProjectionRunner } from '../../../core/eventstore/projection-runner';
import { outboxStream } from '../../../core/outbox/delivery-event-codec';
import { Outbox } from '../../../core/outbox/outbox';
import { webhookChannel } from '../../../core/webhooks/webhook-event';
import { WebhookPublisher } from '../../../core/webhooks/webhook-publisher';
import { webhookRetrySchedule } from '../../../core/webhooks/webhook-retry-schedule';
import { openProjectionFixture, type ProjectionFixture } from '../../support/projection-fixture';
import { waitUntil } from '../../support/wait-until';
import { WebhookReceiver } from '../../support/webhook-receiver';

/**
 * A webhook whose producer's own fact stands for it until it is durable (the session follower) is tried before it
 * is queued, and queued with that try's outcome in one durable write (Outbox.enqueueAttemptingFirst): against the real
 * SQLite store, the real HTTP transport and a real receiver. The store's appends are counted as they happen.
 */
describe('a webhook tried once before it is queued', () => {
  let fixture: ProjectionFixture;
  let receiver: WebhookReceiver;
  let runner: ProjectionRunner<unknown>;
  let outbox: Outbox;
  let transport: WebhookHttpTransport;
  let publisher: WebhookPublisher;
  let reader: SqliteWebhookEventReader;
  /** The event types of each append to the webhooks outbox stream, in order. */
  let outboxAppends: string[][];

  beforeEach(async () => {
    fixture = openProjectionFixture('hisaab-webhook-first-attempt-');
    outboxAppends = [];
    const store = fixture.store;
    const append = store.append.bind(store);
    store.append = (stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> => {
      if (stream === outboxStream(webhookChannel)) outboxAppends.push(events.map((event) => event.type));
      return append(stream, events, expectedRevision);
    };
    receiver = new WebhookReceiver();
    await receiver.start();
    runner = new ProjectionRunner({ store, readModels: fixture.readModels, projections: [webhookEventsProjection] });
    await runner.start();
    transport = new WebhookHttpTransport({ endpoints: { endpointFor: async () => ({ url: receiver.url, secrets: ['whsec_first'] }) } });
    outbox = new Outbox({
      store,
      channel: webhookChannel,
      transport,
      retrySchedule: webhookRetrySchedule({ delaysMs: [50], repeatDelayMs: 50, windowMs: 60_000, jitterFraction: 0 }),
      limits: { firstAttemptHoldMs: 300 },
    });
    await outbox.start();
    reader = new SqliteWebhookEventReader(fixture.readModels.database);
    publisher = new WebhookPublisher(
      outbox,
      () => new Date(),
      (eventId) => reader.findEvent(eventId) !== null,
    );
  });

  afterEach(async () => {
    await outbox.stop();
    transport.close();
    await runner.stop();
    await receiver.close();
    await fixture.close();
  });

  const publication = (sourceId: string) => ({
    merchantId: 'SHOP1',
    type: 'checkout.session.completed' as const,
    object: { id: sourceId, status: 'COMPLETED' },
    sourceId,
  });

  async function listed(eventId: string) {
    await runner.waitForPosition(await fixture.store.headPosition(), 5_000);
    return reader.findEvent(eventId);
  }

  it('queues a webhook answered at once and its delivery in one durable write, after the receiver has it', async () => {
    const published = await publisher.publishAttemptingFirst(publication('cs_at_once'));
    expect(published.queued).toBe(true);
    // Resolved once durable: by then the receiver had the event, and the outbox stream holds both facts of one write.
    expect(receiver.deliveriesOf(published.eventId)).toHaveLength(1);
    expect(outboxAppends).toEqual([['DeliveryQueued', 'DeliverySucceeded']]);
    expect(outbox.inspect(`WEBHOOK:${published.eventId}`).status).toBe('delivered');
    expect((await listed(published.eventId))?.deliveryStatus).toBe('DELIVERED');

    // The same fact published again (the follower after a crash) is the same event: nothing is sent or written.
    expect(await publisher.publishAttemptingFirst(publication('cs_at_once'))).toEqual({ eventId: published.eventId, queued: false });
    expect(receiver.deliveriesOf(published.eventId)).toHaveLength(1);
    expect(outboxAppends).toHaveLength(1);
  });

  it('queues a webhook whose first try failed with that failure, and retries it under the same id', async () => {
    receiver.answers.push(500);
    const published = await publisher.publishAttemptingFirst(publication('cs_failed_once'));
    expect(published.queued).toBe(true);
    expect(outboxAppends[0]).toEqual(['DeliveryQueued', 'DeliveryAttemptFailed']);
    await waitUntil(() => outbox.inspect(`WEBHOOK:${published.eventId}`).status === 'delivered', 'the retry delivered');
    const bodies = receiver.deliveriesOf(published.eventId).map((request) => request.rawBody.toString('utf8'));
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toBe(bodies[0]);
    expect(outboxAppends).toEqual([['DeliveryQueued', 'DeliveryAttemptFailed'], ['DeliverySucceeded']]);
  });

  it('queues a webhook on its own when the receiver is slower than the hold, then records the late answer', async () => {
    receiver.answerDelayMs = 900;
    const startedAtMs = Date.now();
    const published = await publisher.publishAttemptingFirst(publication('cs_slow'));
    // The producer was held up for the hold, not for the receiver: the delivery is durable and pending.
    expect(Date.now() - startedAtMs).toBeLessThan(900);
    expect(published.queued).toBe(true);
    expect(outboxAppends).toEqual([['DeliveryQueued']]);
    expect(outbox.inspect(`WEBHOOK:${published.eventId}`).status).toBe('pending');
    await waitUntil(() => outbox.inspect(`WEBHOOK:${published.eventId}`).status === 'delivered', 'the late answer recorded');
    expect(outboxAppends).toEqual([['DeliveryQueued'], ['DeliverySucceeded']]);
    expect(receiver.deliveriesOf(published.eventId)).toHaveLength(1);
    expect((await listed(published.eventId))?.deliveryStatus).toBe('DELIVERED');
  });

  it('queues first, as before, for a merchant whose endpoint failed lately', async () => {
    receiver.answers.push(500);
    const failing = await publisher.publishAttemptingFirst(publication('cs_gate_1'));
    // The destination's gate is closed until the retry: the next webhook to it is queued before any try.
    const next = await publisher.publishAttemptingFirst(publication('cs_gate_2'));
    expect(outboxAppends[1]).toEqual(['DeliveryQueued']);
    await waitUntil(
      () =>
        outbox.inspect(`WEBHOOK:${failing.eventId}`).status === 'delivered' &&
        outbox.inspect(`WEBHOOK:${next.eventId}`).status === 'delivered',
      'both delivered once the endpoint answers',
    );
  });
});
