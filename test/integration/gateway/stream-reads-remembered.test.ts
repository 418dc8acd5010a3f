import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { AssertionError } from '../../../core/assert';
import { DomainError } from '../../../core/errors';
import { loadStream, type CommandContext } from '../../../core/eventstore/decider-stream';
import { checkoutSessionDecider, type SessionCommand } from '../../../core/gateway/checkout-session-decider';
import { checkoutStreamName } from '../../../core/gateway/checkout-session-profile';
import { CheckoutService, rememberedSessionsMax } from '../../../core/gateway/checkout-service';
import type { MerchantRecord } from '../../../core/gateway/merchant-reader';
import { noFees } from '../../../core/gateway/merchant-profile';
import { MerchantService } from '../../../core/gateway/merchant-service';
import { newMasterKey, SecretBox } from '../../../core/secrets/secret-box';
import { tempDir } from '../../support/temp-dir';

/**
 * Session (and merchant) streams read after a remembered revision, over a real SQLite event store: a remembered
 * state is brought up to date by reading only the events after it; a stale one (another process's service wrote
 * since) decides on the stream as it is; a decision on a read that another writer overtook conflicts on its
 * append and is decided again, never on the stale state; and the memory holds no more sessions than its bound.
 * Reads are observed with jest.spyOn on the real store, which still does every read itself.
 */
let directory: { path: string; remove: () => void };
let store: SqliteEventStore;
const now = (): Date => new Date('2026-12-04T09:00:00.000Z');
const context = (correlationId: string): CommandContext => ({ now: now(), actor: 'test:stream-reads', correlationId });
const merchant: MerchantRecord = {
  id: 'SHOPMEMORY',
  name: 'Memory Shop',
  mcc: '5411',
  city: 'Karachi',
  acquirerId: 'MARGALLA',
  currency: 'PKR',
  settlementAccount: { type: 'WALLET', value: 'WSHOPMEMORY' },
  webhookUrl: 'https://shop.example/webhooks',
  fees: noFees,
  active: true,
  rateLimitPerSecond: null,
  createdAt: '2026-12-04T08:00:00.000Z',
  inbound: null,
  taxNumber: null,
};

beforeEach(() => {
  directory = tempDir('hisaab-stream-reads-');
  store = new SqliteEventStore(join(directory.path, 'events.db'));
});
afterEach(async () => {
  jest.restoreAllMocks();
  await store.close();
  directory.remove();
});

async function openSession(checkout: CheckoutService, orderId: string): Promise<string> {
  const request = { amount: '25.00', currency: 'PKR', orderId, successUrl: 'https://s.example/ok', cancelUrl: 'https://s.example/no' };
  const { session } = await checkout.create(merchant, request, `key-${orderId}`, context(orderId));
  return session.created.sessionId;
}

/** From now on, the revision each read of this stream starts from, in order (the store still does every read). */
function watchReads(stream: string): () => bigint[] {
  const spy = jest.spyOn(store, 'readStream');
  return () => spy.mock.calls.filter((call) => call[0] === stream).map((call) => call[1]);
}

const askToPay = (sessionId: string, msisdn: string): SessionCommand => ({
  type: 'RecordRequestToPaySent',
  data: { sessionId, payerParticipant: 'RAVI', msisdn },
  now: now(),
});

it('brings a remembered session up to date by reading only the events after its revision, and decides as a whole read would', async () => {
  const checkout = new CheckoutService({ store, now });
  const sessionId = await openSession(checkout, 'O-1');
  const stream = checkoutStreamName(sessionId);
  const reads = watchReads(stream);
  // Created by this service: remembered at revision 0, so the pay page's read asks for what came after it.
  expect((await checkout.find(sessionId))?.recorded).toBe('OPEN');
  expect(reads()).toEqual([1n]);
  const recorded = await checkout.record(askToPay(sessionId, '923000000002'), context('rtp-1'));
  expect(recorded.events.map((event) => event.type)).toEqual(['RequestToPaySent']);
  const found = await checkout.find(sessionId);
  expect(reads()).toEqual([1n, 1n, 2n]);
  // The same state as folding the whole stream from revision 0.
  expect(found).toEqual((await loadStream(store, stream, checkoutSessionDecider)).state);
});

it('decides on the stream as it is when another writer appended after the remembered revision', async () => {
  const here = new CheckoutService({ store, now });
  // Another process's checkout service (a front-end worker, the writer) over the same log.
  const elsewhere = new CheckoutService({ store, now });
  const sessionId = await openSession(here, 'O-2');
  expect((await here.find(sessionId))?.recorded).toBe('OPEN');
  await elsewhere.cancel(sessionId, context('cancel'));
  const reads = watchReads(checkoutStreamName(sessionId));
  await expect(here.record(askToPay(sessionId, '923000000002'), context('rtp-after-cancel'))).rejects.toMatchObject({
    code: 'SESSION_NOT_OPEN',
  });
  expect(reads()).toEqual([1n]);
  expect((await here.find(sessionId))?.recorded).toBe('CANCELLED');
  const types = (await store.readStream(checkoutStreamName(sessionId), 0n, 10)).map((event) => event.type);
  expect(types).toEqual(['SessionCreated', 'SessionCancelled']);
});

it('decides again on a fresh read when a decision on a stale read loses its append: never on the stale state', async () => {
  const here = new CheckoutService({ store, now });
  const elsewhere = new CheckoutService({ store, now });
  const sessionId = await openSession(here, 'O-3');
  const stale = await here.findLoaded(sessionId);
  expect(stale?.revision).toBe(0n);
  // Meanwhile another submission of the pay form, served elsewhere, asked one number to pay.
  const first = await elsewhere.record(askToPay(sessionId, '923000000002'), context('rtp-elsewhere'));
  expect(first.events).toMatchObject([{ type: 'RequestToPaySent', data: { rtpId: `rtp_${sessionId.slice(3)}_1` } }]);
  // Decided on the stale read (no request yet), appended at its revision 0: refused, read again, decided again.
  const sameNumber = await here.record(askToPay(sessionId, '923000000002'), context('rtp-same'), stale);
  expect(sameNumber.events).toEqual([]);
  expect(sameNumber.session.rtp).toMatchObject({ rtpId: `rtp_${sessionId.slice(3)}_1`, status: 'SENT' });
  const otherNumber = await here.record(askToPay(sessionId, '923000000003'), context('rtp-other'), stale);
  expect(otherNumber.events).toMatchObject([{ type: 'RequestToPaySent', data: { rtpId: `rtp_${sessionId.slice(3)}_2` } }]);
  const rtpIds = (await store.readStream(checkoutStreamName(sessionId), 0n, 10)).map((event) => event.data['rtpId'] ?? null);
  expect(rtpIds).toEqual([null, `rtp_${sessionId.slice(3)}_1`, `rtp_${sessionId.slice(3)}_2`]);
});

it('keeps no more sessions than its bound, and reads every one right after the memory started again', async () => {
  expect(rememberedSessionsMax).toBeLessThanOrEqual(4_096);
  expect(() => new CheckoutService({ store, now, rememberedSessionsMax: rememberedSessionsMax + 1 })).toThrow(AssertionError);
  const checkout = new CheckoutService({ store, now, rememberedSessionsMax: 3 });
  const sessionIds: string[] = [];
  for (let index = 0; index < 10; index += 1) {
    sessionIds.push(await openSession(checkout, `O-bound-${index}`));
    expect(checkout.sessionsRemembered).toBeLessThanOrEqual(3);
  }
  for (const sessionId of sessionIds) {
    await checkout.record(askToPay(sessionId, '923000000002'), context(`rtp-${sessionId}`));
    expect(checkout.sessionsRemembered).toBeLessThanOrEqual(3);
  }
  for (const sessionId of sessionIds) {
    const session = await checkout.find(sessionId);
    expect(session).toEqual((await loadStream(store, checkoutStreamName(sessionId), checkoutSessionDecider)).state);
    expect(session?.rtp?.status).toBe('SENT');
  }
  await expect(checkout.record(askToPay('cs_NoSuchSessionAtAll000000', '923000000002'), context('absent'))).rejects.toBeInstanceOf(
    DomainError,
  );
});

it('signs with a secret rotated by another process at the very next webhook, reading only what the merchant stream gained', async () => {
  const secrets = new SecretBox([newMasterKey()]);
  const here = new MerchantService({ store, secrets, now });
  const elsewhere = new MerchantService({ store, secrets, now });
  const registration = {
    merchantId: 'SHOPSIGN',
    name: 'Sign Shop',
    mcc: '5411',
    city: 'Karachi',
    acquirerId: 'MARGALLA',
    currency: 'PKR',
    settlementAccount: { type: 'WALLET' as const, value: 'WSHOPSIGN' },
    webhookUrl: 'https://shop.example/hooks',
    fees: noFees,
    taxNumber: null,
  };
  const registered = await here.register(registration, { participantId: 'MARGALLA', bankCode: 'MRGL' }, null, context('register'));
  const reads = watchReads('merchant-SHOPSIGN');
  expect(await here.webhookSigningSecrets('SHOPSIGN')).toEqual({ url: 'https://shop.example/hooks', secrets: [registered.webhookSecret] });
  // Not yet remembered (registration wrote it without reading it through the memory): one whole read.
  expect(reads()).toEqual([0n]);
  const rotated = await elsewhere.rotateWebhookSecret('SHOPSIGN', null, context('rotate'));
  const readsBefore = reads().length;
  expect(await here.webhookSigningSecrets('SHOPSIGN')).toEqual({
    url: 'https://shop.example/hooks',
    secrets: [rotated.webhookSecret, registered.webhookSecret],
  });
  // This read started after the revision the first one folded up to, and found the rotation there.
  const [next, ...more] = reads().slice(readsBefore);
  expect([next !== undefined && next > 0n, more]).toEqual([true, []]);
});
