import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import type { WalletHttpClient } from '../../../adapters/wallet-http/wallet-http-client';
import type { RecordedEvent } from '../../../core/eventstore/event';
import { Outbox, type OutboxLimits } from '../../../core/outbox/outbox';
import { reversalDelivery } from '../../../core/outbox/payee-deliveries';
import type { WalletSimulator } from '../../../simulators/wallet/wallet-simulator';
import { tempDir } from '../../support/temp-dir';
import { waitUntil } from '../../support/wait-until';
import { ayesha, creditMessage, startWallet } from './wallet-fixture';

const fastLimits: Partial<OutboxLimits> = { retryDelayBaseMs: 20, retryDelayCapMs: 120, attemptDeadlineMs: 1_000 };

function attemptsOf(outbox: Outbox, deliveryId: string): number {
  const state = outbox.inspect(deliveryId);
  return state.status === 'none' ? 0 : state.attempts;
}

describe('outbox delivering to the simulated wallet', () => {
  let directory: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  let wallet: WalletSimulator;
  let client: WalletHttpClient;
  let stopWallet: () => Promise<void>;
  const outboxes: Outbox[] = [];

  const openOutbox = async (limits: Partial<OutboxLimits> = {}, onError?: (error: unknown) => void): Promise<Outbox> => {
    const outbox = new Outbox({
      store,
      channel: 'wallet-http',
      transport: client,
      limits: { ...fastLimits, ...limits },
      ...(onError ? { onError } : {}),
    });
    outboxes.push(outbox);
    await outbox.start();
    return outbox;
  };
  const events = async (): Promise<RecordedEvent[]> => store.readStream('outbox-wallet-http', 0n, 10_000);
  const countOf = async (type: string): Promise<number> => (await events()).filter((event) => event.type === type).length;
  const reversal = (amount = '100.00') => reversalDelivery('MARGALLA', { ...creditMessage(amount), reason: 'PAYEE_TIMEOUT' });

  beforeEach(async () => {
    directory = tempDir('hisaab-outbox-');
    store = new SqliteEventStore(join(directory.path, 'events.db'));
    ({ wallet, client, stop: stopWallet } = await startWallet());
  });
  afterEach(async () => {
    for (const outbox of outboxes.splice(0)) await outbox.stop();
    await stopWallet();
    await store.close();
    directory.remove();
  });

  it('delivers a queued reversal and records it in the outbox stream', async () => {
    const outbox = await openOutbox();
    const delivery = reversal();
    expect(await outbox.enqueue(delivery, { correlationId: 'transfer-1' })).toEqual({ queued: true });
    await waitUntil(() => outbox.inspect(delivery.deliveryId).status === 'delivered', 'the reversal is delivered');
    await waitUntil(async () => (await countOf('DeliverySucceeded')) === 1, 'the success is durable');
    const recorded = await events();
    expect(recorded.map((event) => event.type)).toEqual(['DeliveryQueued', 'DeliverySucceeded']);
    expect(recorded[0]?.metadata).toMatchObject({ actor: 'outbox:wallet-http', correlationId: 'transfer-1' });
    expect(recorded[1]?.data).toMatchObject({ deliveryId: delivery.deliveryId, attempt: 1, detail: 'HTTP 200' });
    expect(wallet.received('REVERSAL').map((message) => message.body)).toEqual([delivery.payload]);
  });

  it('queues the same delivery twice as one, and refuses the same id with other content', async () => {
    const outbox = await openOutbox();
    const delivery = reversal();
    const answers = await Promise.all([outbox.enqueue(delivery), outbox.enqueue(delivery)]);
    expect(answers.map((answer) => answer.queued).sort()).toEqual([false, true]);
    await waitUntil(() => outbox.inspect(delivery.deliveryId).status === 'delivered', 'the reversal is delivered');
    expect(await outbox.enqueue(delivery)).toEqual({ queued: false });
    await expect(outbox.enqueue({ ...delivery, payload: { ...delivery.payload, amount: '1.00' } })).rejects.toMatchObject({
      code: 'DELIVERY_CONFLICT',
    });
    await expect(outbox.enqueue({ ...delivery, deliveryId: 'bad id' })).rejects.toMatchObject({ code: 'INVALID_DELIVERY' });
    expect(await countOf('DeliveryQueued')).toBe(1);
    expect(wallet.received('REVERSAL')).toHaveLength(1);
  });

  it('remembers at most its limit of finished deliveries: a forgotten one queued again is delivered again', async () => {
    const outbox = await openOutbox({ finishedRememberedMax: 2 });
    const deliveries = ['1.00', '2.00', '3.00'].map((amount) =>
      reversalDelivery('MARGALLA', { ...creditMessage(amount), reason: 'PAYEE_TIMEOUT' }),
    );
    for (const delivery of deliveries) {
      await outbox.enqueue(delivery);
      await waitUntil(() => outbox.inspect(delivery.deliveryId).status === 'delivered', 'the reversal is delivered');
    }
    expect(outbox.inspect(deliveries[0]!.deliveryId).status).toBe('none');
    expect(await outbox.enqueue(deliveries[2]!)).toEqual({ queued: false });
    expect(await outbox.enqueue(deliveries[0]!)).toEqual({ queued: true });
    await waitUntil(() => outbox.inspect(deliveries[0]!.deliveryId).status === 'delivered', 'the forgotten reversal is delivered again');
    expect(wallet.received('REVERSAL')).toHaveLength(4);
  });

  it('retries with growing, capped backoff while the wallet is down, probing it with one delivery at a time, then delivers all', async () => {
    await wallet.refuseConnections();
    const outbox = await openOutbox();
    const deliveries = [reversal('1.00'), reversal('2.00'), reversal('3.00'), reversal('4.00'), reversal('5.00')];
    for (const delivery of deliveries) await outbox.enqueue(delivery);
    await waitUntil(
      () => deliveries.some((delivery) => attemptsOf(outbox, delivery.deliveryId) >= 4),
      'one delivery has failed four times',
    );
    await wallet.acceptConnections();
    await waitUntil(
      () => deliveries.every((delivery) => outbox.inspect(delivery.deliveryId).status === 'delivered'),
      'every delivery is delivered',
    );
    await outbox.stop();

    const failures = (await events()).filter((event) => event.type === 'DeliveryAttemptFailed');
    const rounds = Math.max(...failures.map((event) => event.data['attempt'] as number));
    // Five fail at first; after that the closed wallet is probed by one delivery per backoff period.
    expect(failures.length).toBeLessThan(deliveries.length * rounds);
    for (const failure of failures) {
      const waitedMs = Date.parse(failure.data['nextAttemptAt'] as string) - Date.parse(failure.data['attemptedAt'] as string);
      expect(waitedMs).toBeGreaterThanOrEqual(10);
      expect(waitedMs).toBeLessThanOrEqual(120);
      expect(failure.data['failure']).toMatch(/ECONNREFUSED/);
    }
    expect(await countOf('DeliverySucceeded')).toBe(5);
    expect(new Set(wallet.received('REVERSAL').map((message) => message.transferId)).size).toBe(5);
  });

  it('retries a 500 until the wallet answers 200', async () => {
    wallet.setMode({ mode: 'error', status: 500 });
    const outbox = await openOutbox();
    const delivery = reversal();
    await outbox.enqueue(delivery);
    await waitUntil(() => wallet.received('REVERSAL').length >= 3, 'three attempts reached the wallet');
    wallet.setMode({ mode: 'accept' });
    await waitUntil(() => outbox.inspect(delivery.deliveryId).status === 'delivered', 'the reversal is delivered');
    expect(wallet.received('REVERSAL').at(-1)?.answeredStatus).toBe(200);
  });

  it('picks up what was pending after a restart and delivers it', async () => {
    await wallet.refuseConnections();
    const first = await openOutbox();
    const deliveries = [reversal('10.00'), reversal('20.00')];
    for (const delivery of deliveries) await first.enqueue(delivery);
    await waitUntil(async () => (await countOf('DeliveryAttemptFailed')) >= 2, 'attempts have failed');
    await first.stop();
    await expect(first.enqueue(reversal())).rejects.toMatchObject({ code: 'OUTBOX_STOPPED' });

    await wallet.acceptConnections();
    const second = await openOutbox();
    expect(second.pendingCount).toBe(2);
    await waitUntil(() => deliveries.every((delivery) => second.inspect(delivery.deliveryId).status === 'delivered'), 'both are delivered');
    expect(await second.enqueue(deliveries[0]!)).toEqual({ queued: false });
    expect(wallet.received('REVERSAL')).toHaveLength(2);
  });

  it('refuses deliveries beyond its pending limit until some are delivered', async () => {
    await wallet.refuseConnections();
    const outbox = await openOutbox({ pendingMax: 2 });
    await outbox.enqueue(reversal());
    await outbox.enqueue(reversal());
    await expect(outbox.enqueue(reversal())).rejects.toMatchObject({ code: 'OUTBOX_FULL' });
    expect(outbox.pendingCount).toBe(2);
    await wallet.acceptConnections();
    await waitUntil(() => outbox.pendingCount === 0, 'the pending deliveries are delivered');
    expect(await outbox.enqueue(reversal())).toEqual({ queued: true });
  });

  it('never has more attempts in flight than its concurrency limit', async () => {
    wallet.setMode({ mode: 'slow', delayMs: 60 });
    const outbox = await openOutbox({ concurrencyMax: 2 });
    let inFlightMax = 0;
    const sampler = setInterval(() => (inFlightMax = Math.max(inFlightMax, outbox.inFlightCount)), 2);
    try {
      for (let index = 0; index < 6; index += 1) await outbox.enqueue(reversal());
      await waitUntil(() => outbox.pendingCount === 0, 'all six are delivered');
    } finally {
      clearInterval(sampler);
    }
    expect(inFlightMax).toBe(2);
    expect(wallet.received('REVERSAL')).toHaveLength(6);
  });

  it('stops cleanly: waits for the attempt in flight and records it before resolving', async () => {
    wallet.setMode({ mode: 'slow', delayMs: 150 });
    const outbox = await openOutbox();
    const delivery = reversal();
    await outbox.enqueue(delivery);
    await waitUntil(() => outbox.inFlightCount === 1, 'the attempt is in flight');
    await outbox.stop();
    expect(outbox.inFlightCount).toBe(0);
    expect((await events()).map((event) => event.type)).toEqual(['DeliveryQueued', 'DeliverySucceeded']);
  });

  it('abandons a delivery at its attempt limit and backs off a refused message without closing the wallet', async () => {
    wallet.setMode({ mode: 'error', status: 400 }, ['REVERSAL']);
    const outbox = await openOutbox({ attemptsMax: 3 });
    const refused = reversal();
    await outbox.enqueue(refused);
    await waitUntil(() => outbox.inspect(refused.deliveryId).status === 'abandoned', 'the refused reversal is abandoned');
    const recorded = await events();
    expect(recorded.filter((event) => event.type === 'DeliveryAttemptFailed').map((event) => event.data['scope'])).toEqual([
      'delivery',
      'delivery',
      'delivery',
    ]);
    expect(recorded.at(-1)).toMatchObject({ type: 'DeliveryAbandoned', data: { deliveryId: refused.deliveryId, attempts: 3 } });
    expect(wallet.balanceOf(ayesha.walletNumber)).toBe(ayesha.balanceMinor);
  });

  it('is fenced by the stream revision: a second instance writing the same stream makes the first read it back, not overwrite it', async () => {
    await wallet.refuseConnections();
    const errors: unknown[] = [];
    const first = await openOutbox({}, (error) => errors.push(error));
    const second = await openOutbox({}, (error) => errors.push(error));
    const one = reversal('1.00');
    const two = reversal('2.00');
    expect(await first.enqueue(one)).toEqual({ queued: true });
    expect(await second.enqueue(two)).toEqual({ queued: true });
    // The second instance now knows the first one's delivery, and queueing it again there is a no-op.
    expect(await second.enqueue(one)).toEqual({ queued: false });
    await first.stop();
    await second.stop();
    const queued = (await events()).filter((event) => event.type === 'DeliveryQueued').map((event) => event.data['deliveryId']);
    expect(queued.sort()).toEqual([one.deliveryId, two.deliveryId].sort());
    expect(
      errors.every(
        (error) =>
          (error as { code?: string }).code === 'WRONG_EXPECTED_REVISION' || (error as { code?: string }).code === 'DELIVERY_NOT_PENDING',
      ),
    ).toBe(true);
  });
});
