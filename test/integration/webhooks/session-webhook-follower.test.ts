import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { CheckoutService } from '../../../core/gateway/checkout-service';
import type { MerchantRecord } from '../../../core/gateway/merchant-reader';
import { noFees } from '../../../core/gateway/merchant-profile';
import {
  SessionWebhookFollower,
  sessionWebhookFollowerStream,
  type SessionWebhookFollowerLimits,
} from '../../../core/webhooks/session-webhook-follower';
import type { WebhookPublication } from '../../../core/webhooks/webhook-event';
import { tempDir } from '../../support/temp-dir';
import { waitUntil } from '../../support/wait-until';

/**
 * The session webhook follower over a real SQLite event store and real checkout sessions: groups are read while
 * earlier ones are still being published, a refused publication makes it read again from its checkpoint (so
 * nothing is skipped, and what is published again is the same publication), and a restart from the checkpoint
 * publishes nothing twice.
 */
let directory: { path: string; remove: () => void };
let store: SqliteEventStore;
let offsetMs = 0;
const now = (): Date => new Date(Date.parse('2026-12-03T08:00:00.000Z') + offsetMs);
const merchant: MerchantRecord = {
  id: 'SHOPFOLLOW',
  name: 'Follow Shop',
  mcc: '5411',
  city: 'Karachi',
  acquirerId: 'MARGALLA',
  currency: 'PKR',
  settlementAccount: { type: 'WALLET', value: 'WSHOPFOLLOW' },
  webhookUrl: 'https://shop.example/webhooks',
  fees: noFees,
  active: true,
  rateLimitPerSecond: null,
  createdAt: '2026-12-03T08:00:00.000Z',
  inbound: null,
  taxNumber: null,
};

beforeEach(() => {
  directory = tempDir('hisaab-session-follower-');
  store = new SqliteEventStore(join(directory.path, 'events.db'));
  offsetMs = 0;
});
afterEach(async () => {
  await store.close();
  directory.remove();
});

async function expiredSessions(checkout: CheckoutService, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const context = { now: now(), actor: 'merchant:SHOPFOLLOW', correlationId: `c${index}` };
    const { session } = await checkout.create(
      merchant,
      {
        amount: '10.00',
        currency: 'PKR',
        orderId: `O-${index}`,
        expiresInSeconds: 60,
        successUrl: 'https://s.example/ok',
        cancelUrl: 'https://s.example/no',
      },
      `key-${index}-${Math.random()}`,
      context,
    );
    ids.push(session.created.sessionId);
  }
  offsetMs += 61_000;
  for (const sessionId of ids) await checkout.expire(sessionId, { now: now(), actor: 'switch:checkout-expiry', correlationId: sessionId });
  return ids;
}

function follower(
  checkout: CheckoutService,
  publish: (publication: WebhookPublication) => Promise<unknown>,
  errors: unknown[] = [],
  limits: Partial<SessionWebhookFollowerLimits> = {},
) {
  return new SessionWebhookFollower({
    store,
    findSession: (sessionId) => checkout.find(sessionId),
    sessionView: (session) => ({ id: session.created.sessionId, status: session.recorded }),
    publish,
    now,
    // Small groups, so that several are in flight at once.
    limits: { eventsPerGroupMax: 2, idlePollMs: 5, retryPauseMs: 20, ...limits },
    onError: (error) => errors.push(error),
  });
}

it('publishes every expiry once it recovers from a refused publication, and nothing again after a restart', async () => {
  const checkout = new CheckoutService({ store, now });
  const sessionIds = await expiredSessions(checkout, 7);
  const published: WebhookPublication[] = [];
  let refusals = 1;
  const errors: unknown[] = [];
  const first = follower(
    checkout,
    async (publication) => {
      // The outbox refuses one publication (OUTBOX_FULL, say) in the middle of the log.
      if (publication.sourceId === sessionIds[3] && refusals > 0) {
        refusals -= 1;
        throw new Error('outbox full');
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
      published.push(publication);
    },
    errors,
  );
  await first.start();
  await waitUntil(() => sessionIds.every((id) => published.some((publication) => publication.sourceId === id)), 'every expiry published');
  // Caught up with the log, its own checkpoints included.
  await waitUntil(async () => (await store.headPosition()) === first.publishedThrough, 'the follower at the head');
  await first.stop();
  expect(errors).toHaveLength(1);
  for (const publication of published) {
    expect(publication).toMatchObject({ merchantId: 'SHOPFOLLOW', type: 'checkout.session.expired', object: { status: 'EXPIRED' } });
  }
  // Published again after the refusal: the same publication (the same fact's instant), never a different one.
  const byId = new Map<string, string>();
  for (const publication of published) {
    const createdAt = publication.createdAt?.toISOString() ?? '';
    expect(byId.get(publication.sourceId) ?? createdAt).toBe(createdAt);
    byId.set(publication.sourceId, createdAt);
  }
  expect(await store.streamRevision(sessionWebhookFollowerStream)).not.toBeNull();

  const again: WebhookPublication[] = [];
  const second = follower(checkout, async (publication) => {
    again.push(publication);
  });
  await second.start();
  await new Promise((resolve) => setTimeout(resolve, 100));
  await second.stop();
  expect(again).toEqual([]);
});

it('checkpoints publications every so often rather than after every group, and everything when it stops', async () => {
  const checkout = new CheckoutService({ store, now });
  const sessionIds = await expiredSessions(checkout, 9);
  const published: WebhookPublication[] = [];
  // Five groups of two events with publications in them; the interval is far longer than the test.
  const first = follower(checkout, async (publication) => void published.push(publication), [], {
    checkpointIntervalMs: 60_000,
    publicationsBetweenCheckpointsMax: 100,
  });
  await first.start();
  await waitUntil(() => sessionIds.every((id) => published.some((publication) => publication.sourceId === id)), 'every expiry published');
  // Caught up with the log, its own checkpoint included: the first group was checkpointed at once (none was before),
  // the four after it were not.
  await waitUntil(async () => (await store.headPosition()) === first.publishedThrough, 'the follower at the head');
  expect(await store.streamRevision(sessionWebhookFollowerStream)).toBe(0n);
  await first.stop();
  // Stopping writes the position reached: one checkpoint more, not one per group.
  expect(await store.streamRevision(sessionWebhookFollowerStream)).toBe(1n);

  const again: WebhookPublication[] = [];
  const second = follower(checkout, async (publication) => void again.push(publication));
  await second.start();
  await new Promise((resolve) => setTimeout(resolve, 100));
  await second.stop();
  expect(again).toEqual([]);
});

it('checkpoints a log of other traffic it passed over, so a switch without checkouts does not read its whole log again at every start', async () => {
  const at = now().toISOString();
  for (let batch = 0; batch < 3; batch += 1) {
    await store.appendMany(
      Array.from({ length: 100 }, (_unused, index) => ({
        stream: `transfer-other-${batch}-${index}`,
        expectedRevision: 'no_stream' as const,
        events: [
          { id: `e-${batch}-${index}`, type: 'TransferInitiated', data: { transferId: `other-${batch}-${index}` }, metadata: { at } },
        ],
      })),
    );
  }
  const checkout = new CheckoutService({ store, now });
  const running = new SessionWebhookFollower({
    store,
    findSession: (sessionId) => checkout.find(sessionId),
    sessionView: (session) => ({ id: session.created.sessionId, status: session.recorded }),
    publish: () => Promise.resolve(),
    now,
    limits: { eventsPerGroupMax: 50, idlePollMs: 5, eventsBetweenQuietCheckpointsMax: 100 },
  });
  await running.start();
  try {
    await waitUntil(async () => (await store.streamRevision(sessionWebhookFollowerStream)) !== null, 'the follower checkpoints', 10_000);
  } finally {
    await running.stop();
  }
  const [checkpoint] = await store.readStream(sessionWebhookFollowerStream, 0n, 1);
  const position = checkpoint?.data['position'];
  expect(typeof position).toBe('string');
  expect(BigInt(position as string)).toBeGreaterThanOrEqual(99n);
});
