import { join } from 'node:path';
import { SqliteEventStore } from '../../adapters/eventstore-sqlite/sqlite-event-store';
import { signatureHeaderName, verifySignature } from '../../core/signing';
import { webhookEventId } from '../../core/webhooks/webhook-event';
import { childScript, TsxChild } from '../support/tsx-child';
import { tempDir } from '../support/temp-dir';
import { waitUntil } from '../support/wait-until';
import { WebhookReceiver } from '../support/webhook-receiver';

const eventCount = 10;
const secret = 'whsec_webhook_restart';
const eventIds = Array.from({ length: eventCount }, (_unused, index) =>
  webhookEventId('SHOP_KILL', 'checkout.session.completed', `cs_kill_${index}`),
);

describe('webhooks across a SIGKILL (an event published is an event delivered)', () => {
  let directory: ReturnType<typeof tempDir>;
  let receiver: WebhookReceiver;
  let eventsPath: string;
  const children: TsxChild[] = [];

  const startChild = (): TsxChild => {
    const child = new TsxChild(childScript('webhook-child.ts'), [eventsPath, receiver.url, secret, String(eventCount)]);
    children.push(child);
    return child;
  };

  beforeEach(async () => {
    directory = tempDir('hisaab-webhook-restart-');
    eventsPath = join(directory.path, 'events.db');
    receiver = new WebhookReceiver();
    await receiver.start();
  });

  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.process.exitCode === null && child.process.signalCode === null) {
        const pidLine = child.lines.find((line) => line.startsWith('pid '));
        if (pidLine !== undefined) killQuietly(Number(pidLine.slice('pid '.length)));
        child.kill();
      }
      await child.exited;
    }
    await receiver.close();
    directory.remove();
  });

  it('delivers, after reopening, every event the killed process had published while the merchant was down', async () => {
    receiver.defaultStatus = 503;
    const first = startChild();
    await first.waitForLine((line) => line === `queued ${eventCount} of ${eventCount}`, 20_000);
    await first.waitForLine((line) => line.startsWith('failed '), 10_000);
    // SIGKILL the script's own process (tsx runs it as a child of the wrapper that TsxChild spawned).
    const pidLine = await first.waitForLine((line) => line.startsWith('pid '), 10_000);
    process.kill(Number(pidLine.slice('pid '.length)), 'SIGKILL');
    await first.exited;
    expect(first.lines.includes('stopped')).toBe(false);
    expect(first.lines.some((line) => line.startsWith('delivered '))).toBe(false);
    // The merchant was down: it refused what was tried (one event probes while the others wait for it).
    const refusedBeforeKill = receiver.received.length;
    expect(refusedBeforeKill).toBeGreaterThan(0);

    receiver.defaultStatus = 200;
    const second = startChild();
    await second.waitForLine((line) => line === `started ${eventCount}`, 20_000);
    // The gateway publishes the same facts again on recovery: the same events, nothing new queued.
    await second.waitForLine((line) => line === `queued 0 of ${eventCount}`, 20_000);
    await waitUntil(
      () => second.lines.filter((line) => line.startsWith('delivered ')).length === eventCount,
      'every event is delivered',
      20_000,
    );
    second.process.kill('SIGTERM');
    await second.waitForLine((line) => line === 'stopped', 10_000);
    expect((await second.exited).code).toBe(0);

    for (const eventId of eventIds) {
      const tries = receiver.deliveriesOf(eventId);
      expect(tries.length).toBeGreaterThanOrEqual(1);
      // Every try, before the kill and after, carried the same body, validly signed.
      for (const request of tries) {
        expect(request.rawBody.equals(tries[0]?.rawBody ?? Buffer.alloc(0))).toBe(true);
        const header = request.headers[signatureHeaderName.toLowerCase()];
        expect(verifySignature({ header, secrets: [secret], rawBody: request.rawBody, now: new Date() }).valid).toBe(true);
      }
    }
    expect(receiver.received.length).toBeGreaterThanOrEqual(eventCount + 1);
    const store = new SqliteEventStore(eventsPath);
    try {
      const events = await store.readStream('outbox-webhooks', 0n, 10_000);
      expect(events.filter((event) => event.type === 'DeliveryQueued')).toHaveLength(eventCount);
      expect(events.filter((event) => event.type === 'DeliverySucceeded')).toHaveLength(eventCount);
    } finally {
      await store.close();
    }
  });
});

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
