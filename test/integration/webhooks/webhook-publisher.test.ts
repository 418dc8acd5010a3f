import { SqliteWebhookEventReader } from '../../../adapters/readmodel-sqlite/projections/webhook-events-read-model';
import { webhookEventsProjection } from '../../../adapters/readmodel-sqlite/projections/webhook-events-projection';
import { WebhookHttpTransport } from '../../../adapters/webhooks/webhook-http-transport';
import { ProjectionRunner } from '../../../core/eventstore/projection-runner';
import { Outbox } from '../../../core/outbox/outbox';
import { webhookChannel } from '../../../core/webhooks/webhook-event';
import { WebhookPublisher } from '../../../core/webhooks/webhook-publisher';
import { webhookRetrySchedule } from '../../../core/webhooks/webhook-retry-schedule';
import { openProjectionFixture, type ProjectionFixture } from '../../support/projection-fixture';
import { waitUntil } from '../../support/wait-until';
import { WebhookReceiver } from '../../support/webhook-receiver';

describe('publishing a webhook event again', () => {
  let fixture: ProjectionFixture;
  let receiver: WebhookReceiver;
  let runner: ProjectionRunner<unknown>;
  let outbox: Outbox;
  let transport: WebhookHttpTransport;

  beforeEach(async () => {
    fixture = openProjectionFixture('hisaab-webhook-publisher-');
    receiver = new WebhookReceiver();
    await receiver.start();
    runner = new ProjectionRunner({ store: fixture.store, readModels: fixture.readModels, projections: [webhookEventsProjection] });
    await runner.start();
    transport = new WebhookHttpTransport({ endpoints: { endpointFor: async () => ({ url: receiver.url, secrets: ['whsec_publisher'] }) } });
    // The outbox remembers a single finished delivery: older ones are forgotten, as they are past 200,000 in production.
    outbox = new Outbox({
      store: fixture.store,
      channel: webhookChannel,
      transport,
      retrySchedule: webhookRetrySchedule({ delaysMs: [50], repeatDelayMs: 50, windowMs: 60_000, jitterFraction: 0 }),
      limits: { finishedRememberedMax: 1 },
    });
    await outbox.start();
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
    type: 'refund.succeeded' as const,
    object: { id: sourceId },
    sourceId,
  });

  it('queues nothing for an event delivered long ago that the outbox has forgotten: the read model remembers it', async () => {
    let clock = new Date('2026-12-01T10:00:00.000Z');
    const reader = new SqliteWebhookEventReader(fixture.readModels.database);
    const publisher = new WebhookPublisher(
      outbox,
      () => clock,
      (eventId) => reader.findEvent(eventId) !== null,
    );
    const first = await publisher.publish(publication('re_old'));
    await publisher.publish(publication('re_new'));
    await waitUntil(() => receiver.received.length === 2, 'both are delivered');
    await runner.waitForPosition(await fixture.store.headPosition(), 5_000);
    expect(outbox.inspect(`WEBHOOK:${first.eventId}`).status).toBe('none');

    clock = new Date('2026-12-05T10:00:00.000Z');
    expect(await publisher.publish(publication('re_old'))).toEqual({ eventId: first.eventId, queued: false });
    // Without the read model the forgotten event would go out again, with another createdAt in its body.
    const forgetful = new WebhookPublisher(outbox, () => clock);
    expect(await forgetful.publish(publication('re_old'))).toEqual({ eventId: first.eventId, queued: true });
  });
});
