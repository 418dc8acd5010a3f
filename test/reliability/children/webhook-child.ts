/**
 * Runs the webhooks outbox over an SQLite event store, as the switch does: publishes `count` events for merchant
 * SHOP_KILL (their sources derived from their index, so a restarted child publishes the very same events again, as
 * the gateway would on recovery) and delivers them to `receiverUrl`, retrying every 50 ms. Prints `pid <pid>`,
 * `started <pending>`, `queued <new> of <count>`, and a line per recorded attempt (`failed <deliveryId>`,
 * `delivered <deliveryId>`). SIGTERM stops it cleanly (`stopped`).
 *
 * Arguments: <events.db> <receiverUrl> <secret> <count>
 */
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { WebhookHttpTransport } from '../../../adapters/webhooks/webhook-http-transport';
import { Outbox } from '../../../core/outbox/outbox';
import { webhookChannel } from '../../../core/webhooks/webhook-event';
import { WebhookPublisher } from '../../../core/webhooks/webhook-publisher';
import { webhookRetrySchedule } from '../../../core/webhooks/webhook-retry-schedule';
import { runChild, serveUntilSigterm } from './child-process-lifecycle';

async function main(): Promise<void> {
  process.stdout.write(`pid ${process.pid}\n`);
  const [eventsPath, receiverUrl, secret, countText] = process.argv.slice(2);
  if (!eventsPath || !receiverUrl || !secret || !countText)
    throw new Error('usage: webhook-child <events.db> <receiverUrl> <secret> <count>');
  const store = new SqliteEventStore(eventsPath);
  const transport = new WebhookHttpTransport({ endpoints: { endpointFor: async () => ({ url: receiverUrl, secrets: [secret] }) } });
  const outbox = new Outbox({
    store,
    channel: webhookChannel,
    transport,
    retrySchedule: webhookRetrySchedule({ delaysMs: [50], repeatDelayMs: 50, windowMs: 600_000, jitterFraction: 0.1 }),
    limits: { attemptDeadlineMs: 2_000 },
    onRecorded: (events) => {
      for (const event of events) {
        if (event.type === 'DeliveryAttemptFailed') process.stdout.write(`failed ${event.data.deliveryId}\n`);
        if (event.type === 'DeliverySucceeded') process.stdout.write(`delivered ${event.data.deliveryId}\n`);
      }
    },
    onError: (error) => process.stderr.write(`outbox error: ${String(error)}\n`),
  });
  await outbox.start();
  process.stdout.write(`started ${outbox.pendingCount}\n`);
  const publisher = new WebhookPublisher(outbox, () => new Date());
  const count = Number(countText);
  let queued = 0;
  for (let index = 0; index < count; index += 1) {
    const published = await publisher.publish({
      merchantId: 'SHOP_KILL',
      type: 'checkout.session.completed',
      object: { id: `cs_kill_${index}`, status: 'COMPLETED' },
      sourceId: `cs_kill_${index}`,
    });
    if (published.queued) queued += 1;
  }
  process.stdout.write(`queued ${queued} of ${count}\n`);
  serveUntilSigterm(async () => {
    await outbox.stop();
    await store.close();
    transport.close();
  });
}

runChild(main);
