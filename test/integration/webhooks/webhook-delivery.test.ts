import Database from 'better-sqlite3';
import { join } from 'node:path';
import { webhookEventsProjection } from '../../../adapters/readmodel-sqlite/projections/webhook-events-projection';
import { readModelPath, SqliteReadModelStore } from '../../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { webhookEventIdHeaderName } from '../../../adapters/webhooks/webhook-http-transport';
import { issueApiKey } from '../../../core/auth/api-key';
import { ProjectionRunner } from '../../../core/eventstore/projection-runner';
import { signatureHeaderName, verifySignature } from '../../../core/signing';
import type { WebhookEndpoint } from '../../../core/webhooks/webhook-endpoints';
import { webhookRetrySchedule } from '../../../core/webhooks/webhook-retry-schedule';
import { errorCode } from '../../support/http-client';
import { startTestSwitch, type TestSwitch } from '../../support/switch-process';
import { tempDir } from '../../support/temp-dir';
import { waitUntil } from '../../support/wait-until';
import { WebhookReceiver, type ReceivedWebhook } from '../../support/webhook-receiver';

/** Issue 11's schedule shrunk a thousandfold-ish so the test runs in seconds: 100 ms apart, given up after 1.5 s. */
const testSchedule = webhookRetrySchedule({ delaysMs: [100, 100, 100], repeatDelayMs: 100, windowMs: 1_500, jitterFraction: 0.1 });

type EventView = {
  id: string;
  type: string;
  createdAt: string;
  deliveryStatus: string;
  attempts: { at: string; status: string; httpStatus: number | null }[];
};

let sw: TestSwitch;
let receiver: WebhookReceiver;
const endpoints = new Map<string, WebhookEndpoint>();

beforeAll(async () => {
  receiver = new WebhookReceiver();
  await receiver.start();
  sw = await startTestSwitch({
    webhooks: { endpoints: { endpointFor: async (merchantId) => endpoints.get(merchantId) ?? null }, retrySchedule: testSchedule },
  });
});

afterAll(async () => {
  await sw.close();
  await receiver.close();
});

/** A merchant API key, written where authentication reads keys (the gateway's merchants issue them once merged). */
function merchantKey(merchantId: string): string {
  const issued = issueApiKey();
  const database = new Database(readModelPath(sw.dataDir));
  database
    .prepare(
      `INSERT INTO api_keys (key_id, key_hash, role, owner_id, signing_secret, revoked, issued_at, issued_position)
       VALUES (?, ?, 'merchant', ?, NULL, 0, ?, 0)`,
    )
    .run(issued.keyId, issued.keyHash, merchantId, new Date().toISOString());
  database.close();
  return issued.key;
}

async function eventsOf(merchantId: string, query = ''): Promise<EventView[]> {
  const answer = await sw.client.get(`/v1/merchants/${merchantId}/events${query}`, { key: sw.operatorKey });
  expect(answer.status).toBe(200);
  return (answer.body as { events: EventView[] }).events;
}

async function eventOf(merchantId: string, eventId: string): Promise<EventView | undefined> {
  return (await eventsOf(merchantId)).find((event) => event.id === eventId);
}

function verifies(request: ReceivedWebhook, secrets: string[]): boolean {
  return verifySignature({ header: request.headers[signatureHeaderName.toLowerCase()], secrets, rawBody: request.rawBody, now: new Date() })
    .valid;
}

describe('merchant webhooks, delivered at least once from the webhooks outbox', () => {
  it('a receiver that fails three times then succeeds gets the same event id and body four times, each validly signed', async () => {
    endpoints.set('SHOP_RETRY', { url: receiver.url, secrets: ['whsec_shop_retry'] });
    receiver.answers.push(500, 500, 500);
    const object = { id: 'cs_retry', status: 'COMPLETED', amount: '1500.00', currency: 'PKR' };
    const published = await sw.running.webhooks.publisher.publish({
      merchantId: 'SHOP_RETRY',
      type: 'checkout.session.completed',
      object,
      sourceId: 'cs_retry',
    });
    expect(published.queued).toBe(true);

    await waitUntil(async () => (await eventOf('SHOP_RETRY', published.eventId))?.deliveryStatus === 'DELIVERED', 'the event is DELIVERED');
    const tries = receiver.deliveriesOf(published.eventId);
    expect(tries).toHaveLength(4);
    for (const request of tries) {
      expect(request.rawBody.equals(tries[0]?.rawBody ?? Buffer.alloc(0))).toBe(true);
      expect(request.headers[webhookEventIdHeaderName.toLowerCase()]).toBe(published.eventId);
      expect(verifies(request, ['whsec_shop_retry'])).toBe(true);
      expect(verifies(request, ['whsec_someone_else'])).toBe(false);
    }
    const body = JSON.parse(tries[0]?.rawBody.toString('utf8') ?? '') as Record<string, unknown>;
    expect(body).toEqual({ id: published.eventId, type: 'checkout.session.completed', createdAt: expect.any(String), data: { object } });

    const event = await eventOf('SHOP_RETRY', published.eventId);
    expect(event).toEqual({
      id: published.eventId,
      type: 'checkout.session.completed',
      createdAt: body['createdAt'],
      deliveryStatus: 'DELIVERED',
      attempts: [
        { at: expect.any(String), status: 'FAILED', httpStatus: 500 },
        { at: expect.any(String), status: 'FAILED', httpStatus: 500 },
        { at: expect.any(String), status: 'FAILED', httpStatus: 500 },
        { at: expect.any(String), status: 'SUCCEEDED', httpStatus: 200 },
      ],
    });

    // Publishing the same fact again is the same event, and queues nothing.
    const again = await sw.running.webhooks.publisher.publish({
      merchantId: 'SHOP_RETRY',
      type: 'checkout.session.completed',
      object,
      sourceId: 'cs_retry',
    });
    expect(again).toEqual({ eventId: published.eventId, queued: false });
  });

  it('resend queues the event again, with the same id and body, for its merchant or the operator only', async () => {
    const [event] = await eventsOf('SHOP_RETRY');
    const eventId = event?.id ?? '';
    const shopKey = merchantKey('SHOP_RETRY');
    const otherShopKey = merchantKey('SHOP_OTHER');

    const resent = await sw.client.post(`/v1/events/${eventId}/resend`, { key: shopKey });
    expect(resent.status).toBe(202);
    expect((resent.body as EventView).deliveryStatus).toBe('PENDING');
    await waitUntil(() => receiver.deliveriesOf(eventId).length === 5, 'the resent event arrives');
    const tries = receiver.deliveriesOf(eventId);
    expect(tries[4]?.rawBody.equals(tries[0]?.rawBody ?? Buffer.alloc(0))).toBe(true);
    await waitUntil(async () => (await eventOf('SHOP_RETRY', eventId))?.deliveryStatus === 'DELIVERED', 'the resend is DELIVERED');
    expect((await eventOf('SHOP_RETRY', eventId))?.attempts).toHaveLength(5);

    // The same Idempotency-Key is one resend.
    const keyed = { key: sw.operatorKey, headers: { 'idempotency-key': 'resend-once-0001' } };
    expect((await sw.client.post(`/v1/events/${eventId}/resend`, keyed)).status).toBe(202);
    expect((await sw.client.post(`/v1/events/${eventId}/resend`, keyed)).status).toBe(202);
    await waitUntil(() => receiver.deliveriesOf(eventId).length === 6, 'the keyed resend arrives');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.deliveriesOf(eventId)).toHaveLength(6);

    // Another merchant sees neither the event nor the list: 404, as if they did not exist.
    const hidden = await sw.client.post(`/v1/events/${eventId}/resend`, { key: otherShopKey });
    expect([hidden.status, errorCode(hidden)]).toEqual([404, 'WEBHOOK_EVENT_NOT_FOUND']);
    const hiddenList = await sw.client.get('/v1/merchants/SHOP_RETRY/events', { key: otherShopKey });
    expect([hiddenList.status, errorCode(hiddenList)]).toEqual([404, 'MERCHANT_NOT_FOUND']);
    const ownList = await sw.client.get('/v1/merchants/SHOP_RETRY/events', { key: shopKey });
    expect(ownList.status).toBe(200);
    expect((ownList.body as { events: EventView[] }).events.map((each) => each.id)).toEqual([eventId]);
  });

  it('signs with both secrets during a rotation: two v1 values, each valid on its own', async () => {
    endpoints.set('SHOP_ROTATED', { url: receiver.url, secrets: ['whsec_new_secret', 'whsec_old_secret'] });
    const published = await sw.running.webhooks.publisher.publish({
      merchantId: 'SHOP_ROTATED',
      type: 'refund.succeeded',
      object: { id: 're_rotated', amount: '100.00' },
      sourceId: 're_rotated',
    });
    await waitUntil(() => receiver.deliveriesOf(published.eventId).length === 1, 'the event arrives');
    const [request] = receiver.deliveriesOf(published.eventId);
    if (request === undefined) throw new Error('no request');
    const header = String(request.headers[signatureHeaderName.toLowerCase()]);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(verifies(request, ['whsec_new_secret'])).toBe(true);
    expect(verifies(request, ['whsec_old_secret'])).toBe(true);
    expect(verifies(request, ['whsec_never_issued'])).toBe(false);
  });

  it('gives an event up as FAILED once its schedule has passed, and filters by status and type', async () => {
    endpoints.set('SHOP_DOWN', { url: receiver.url, secrets: ['whsec_shop_down'] });
    receiver.decide = (request) => (request.rawBody.includes('re_down') ? 503 : 200);
    const published = await sw.running.webhooks.publisher.publish({
      merchantId: 'SHOP_DOWN',
      type: 'refund.failed',
      object: { id: 're_down' },
      sourceId: 're_down',
    });
    await waitUntil(
      async () => (await eventOf('SHOP_DOWN', published.eventId))?.deliveryStatus === 'FAILED',
      'the event is FAILED',
      10_000,
    );
    receiver.decide = null;
    const event = await eventOf('SHOP_DOWN', published.eventId);
    const attempts = event?.attempts ?? [];
    expect(attempts.length).toBeGreaterThanOrEqual(5);
    expect(attempts.every((attempt) => attempt.status === 'FAILED' && attempt.httpStatus === 503)).toBe(true);
    // No try is scheduled later than the window (1.5 s here, 3 days in production) after the event was queued; an
    // attempt's `at` is when its answer came, and a timer on a busy machine fires a little late, hence the margin.
    const lastAttemptAfterMs = Date.parse(attempts[attempts.length - 1]?.at ?? '') - Date.parse(event?.createdAt ?? '');
    expect(lastAttemptAfterMs).toBeLessThanOrEqual(1_500 + 1_000);
    expect(receiver.deliveriesOf(published.eventId)).toHaveLength(attempts.length);

    expect((await eventsOf('SHOP_DOWN', '?deliveryStatus=FAILED')).map((each) => each.id)).toEqual([published.eventId]);
    expect(await eventsOf('SHOP_DOWN', '?deliveryStatus=PENDING')).toEqual([]);
    expect(await eventsOf('SHOP_DOWN', '?type=refund.succeeded')).toEqual([]);
    const unknown = await sw.client.get('/v1/merchants/SHOP_DOWN/events?cursor=bm90LWEtY3Vyc29y', { key: sw.operatorKey });
    expect(errorCode(unknown)).toBe('INVALID_CURSOR');
  });

  it('pages a merchant with more events than a page, newest first, each once', async () => {
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const published = await sw.running.webhooks.publisher.publish({
        merchantId: 'SHOP_PAGED',
        type: 'checkout.session.expired',
        object: { id: `cs_paged_${index}` },
        sourceId: `cs_paged_${index}`,
      });
      ids.push(published.eventId);
    }
    await sw.running.dependencies.readModels.waitForPosition(await sw.running.store.headPosition(), 5_000);
    expect((await eventsOf('SHOP_PAGED')).every((event) => event.deliveryStatus === 'PENDING')).toBe(true);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const answer = await sw.client.get(`/v1/merchants/SHOP_PAGED/events${query}`, { key: sw.operatorKey });
      const body = answer.body as { events: EventView[]; nextCursor: string | null };
      seen.push(...body.events.map((event) => event.id));
      cursor = body.nextCursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual([...ids].reverse());
  });

  it('rebuilds the webhook-events read model from the log byte for byte', async () => {
    // The paged events have no endpoint: they are retried until their window has passed, then FAILED.
    await waitUntil(() => sw.running.webhooks.outbox.pendingCount === 0, 'every event is finished', 10_000);
    await sw.running.dependencies.readModels.waitForPosition(await sw.running.store.headPosition(), 5_000);
    const directory = tempDir('hisaab-webhook-rebuild-');
    const rebuilt = new SqliteReadModelStore(join(directory.path, 'rebuilt.db'));
    const runner = new ProjectionRunner({ store: sw.running.store, readModels: rebuilt, projections: [webhookEventsProjection] });
    try {
      await runner.start();
      // Compare where both stand at the same head: a late attempt event appended meanwhile would otherwise be in one
      // read model and not yet in the other.
      let head = await sw.running.store.headPosition();
      for (;;) {
        await sw.running.dependencies.readModels.waitForPosition(head, 5_000);
        await runner.waitForPosition(head, 5_000);
        const headNow = await sw.running.store.headPosition();
        if (headNow === head) break;
        head = headNow;
      }
      const live = new Database(readModelPath(sw.dataDir), { readonly: true });
      for (const table of ['webhook_events', 'webhook_deliveries', 'webhook_attempts']) {
        const dump = (database: Database.Database): unknown =>
          database.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).safeIntegers(true).raw().all();
        expect((dump(live) as unknown[]).length).toBeGreaterThan(0);
        expect(dump(rebuilt.database)).toEqual(dump(live));
      }
      live.close();
    } finally {
      await runner.stop();
      rebuilt.close();
      directory.remove();
    }
  });
});
