import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import type { WalletHttpClient } from '../../../adapters/wallet-http/wallet-http-client';
import { eventStoreLimits } from '../../../core/eventstore/limits';
import type { DeliveryState } from '../../../core/outbox/delivery-decider';
import type { Delivery } from '../../../core/outbox/delivery';
import { Outbox, type OutboxLimits } from '../../../core/outbox/outbox';
import { outboxSnapshotChunkType, outboxSnapshotStream } from '../../../core/outbox/outbox-snapshot';
import { reversalDelivery } from '../../../core/outbox/payee-deliveries';
import type { WalletSimulator } from '../../../simulators/wallet/wallet-simulator';
import { tempDir } from '../../support/temp-dir';
import { waitUntil } from '../../support/wait-until';
import { creditMessage, startWallet } from '../wallet/wallet-fixture';

const stream = 'outbox-wallet-http';
const fastLimits: Partial<OutboxLimits> = { retryDelayBaseMs: 20, retryDelayCapMs: 60, attemptDeadlineMs: 500 };

describe('outbox snapshots: start-up reads the latest snapshot and the stream after it (issue 14)', () => {
  let directory: ReturnType<typeof tempDir>;
  let store: SqliteEventStore;
  let wallet: WalletSimulator;
  let client: WalletHttpClient;
  let stopWallet: () => Promise<void>;
  const outboxes: Outbox[] = [];
  /** Failures the outboxes survived (a snapshot that could not be written among them): none expected. */
  let errors: unknown[] = [];

  const openOutbox = async (limits: Partial<OutboxLimits>): Promise<Outbox> => {
    const outbox = new Outbox({
      store,
      channel: 'wallet-http',
      transport: client,
      limits: { ...fastLimits, ...limits },
      onError: (error) => errors.push(error),
    });
    outboxes.push(outbox);
    await outbox.start();
    return outbox;
  };
  const stopAll = async (): Promise<void> => {
    for (const outbox of outboxes.splice(0)) await outbox.stop();
  };
  const reversal = (amount = '100.00'): Delivery => reversalDelivery('MARGALLA', { ...creditMessage(amount), reason: 'PAYEE_TIMEOUT' });
  const streamLength = async (): Promise<number> => Number(await store.streamRevision(stream)) + 1;
  const statesOf = (outbox: Outbox, ids: readonly string[]): Record<string, DeliveryState> =>
    Object.fromEntries(ids.map((id) => [id, outbox.inspect(id)]));

  beforeEach(async () => {
    directory = tempDir('hisaab-outbox-snapshot-');
    store = new SqliteEventStore(join(directory.path, 'events.db'));
    ({ wallet, client, stop: stopWallet } = await startWallet());
    errors = [];
  });
  afterEach(async () => {
    await stopAll();
    expect(errors).toEqual([]);
    await stopWallet();
    await store.close();
    directory.remove();
  });

  it('comes back with the memory it stopped with: pending, delivered, abandoned and forgotten deliveries alike', async () => {
    const limits = { snapshotEveryEvents: 10, finishedRememberedMax: 8, attemptsMax: 2 };
    const first = await openOutbox(limits);
    const delivered = Array.from({ length: 12 }, () => reversal());
    for (const delivery of delivered) await first.enqueue(delivery);
    await waitUntil(
      () => delivered.every((delivery) => first.inspect(delivery.deliveryId).status !== 'pending'),
      'all delivered',
      20_000,
    ).catch((error: unknown) => {
      throw new Error(
        `${String(error)}: ${JSON.stringify(
          statesOf(
            first,
            delivered.map((delivery) => delivery.deliveryId),
          ),
        )} ${String(errors)}`,
      );
    });
    wallet.setMode({ mode: 'error', status: 500 }, ['REVERSAL']);
    const abandoned = [reversal(), reversal()];
    for (const delivery of abandoned) await first.enqueue(delivery);
    await waitUntil(() => abandoned.every((delivery) => first.inspect(delivery.deliveryId).status === 'abandoned'), 'abandoned', 20_000);
    // Each attempt outlives its deadline; the outbox stops before it would try a second time.
    wallet.setMode({ mode: 'slow', delayMs: 3_000 }, ['REVERSAL']);
    const pending = [reversal(), reversal(), reversal()];
    for (const delivery of pending) await first.enqueue(delivery);
    const ids = [...delivered, ...abandoned, ...pending].map((delivery) => delivery.deliveryId);
    await stopAll();
    const before = statesOf(first, ids);
    // The window of 8 finished deliveries: the oldest delivered ones are forgotten, the rest remembered.
    expect(Object.values(before).filter((state) => state.status === 'none')).toHaveLength(6);
    expect(Object.values(before).filter((state) => state.status === 'pending')).toHaveLength(3);

    const second = await openOutbox(limits);
    // Read synchronously after start: no attempt of the restarted outbox has been answered yet.
    const after = statesOf(second, ids);
    expect(after).toEqual(before);
    expect(second.pendingCount).toBe(3);
    expect(second.startedFrom.snapshotRevision).not.toBeNull();
    expect(second.startedFrom.eventsReplayed).toBeLessThan(await streamLength());
    expect(Number(second.startedFrom.snapshotRevision) + 1 + second.startedFrom.eventsReplayed).toBe(await streamLength());
  });

  it('snapshots a stream written before snapshots at its first start, so the next start replays nothing', async () => {
    const first = await openOutbox({ snapshotEveryEvents: 1_000_000 });
    const deliveries = Array.from({ length: 6 }, () => reversal());
    for (const delivery of deliveries) await first.enqueue(delivery);
    await waitUntil(() => deliveries.every((delivery) => first.inspect(delivery.deliveryId).status === 'delivered'), 'all delivered');
    await stopAll();
    expect(await store.streamRevision(outboxSnapshotStream(stream))).toBeNull();

    const second = await openOutbox({ snapshotEveryEvents: 5 });
    expect(second.startedFrom).toEqual({ snapshotRevision: null, eventsReplayed: 12 });
    await stopAll();
    const third = await openOutbox({ snapshotEveryEvents: 5 });
    expect(third.startedFrom).toEqual({ snapshotRevision: 11n, eventsReplayed: 0 });
    const ids = deliveries.map((delivery) => delivery.deliveryId);
    expect(statesOf(third, ids)).toEqual(statesOf(first, ids));
  });

  it('still recognises a delivery finished before the snapshot: the same again queues nothing, other content is refused', async () => {
    const first = await openOutbox({ snapshotEveryEvents: 2 });
    const delivery = reversal();
    await first.enqueue(delivery);
    await waitUntil(() => first.inspect(delivery.deliveryId).status === 'delivered', 'delivered');
    await stopAll();

    const second = await openOutbox({ snapshotEveryEvents: 2 });
    expect(second.startedFrom).toEqual({ snapshotRevision: 1n, eventsReplayed: 0 });
    expect(await second.enqueue(delivery)).toEqual({ queued: false });
    await expect(second.enqueue({ ...delivery, payload: { ...delivery.payload, amount: '1.00' } })).rejects.toMatchObject({
      code: 'DELIVERY_CONFLICT',
    });
    expect(wallet.received('REVERSAL')).toHaveLength(1);
    expect(await streamLength()).toBe(2);
  });

  it('carries large pending payloads whole, in chunks each within the store event limit', async () => {
    await wallet.refuseConnections();
    const first = await openOutbox({ snapshotEveryEvents: 30, retryDelayBaseMs: 60_000, retryDelayCapMs: 60_000 });
    const deliveries: Delivery[] = Array.from({ length: 30 }, (_unused, index) => ({
      deliveryId: `BULK:${index}`,
      kind: 'REVERSAL',
      destination: 'MARGALLA',
      // Three UTF-8 bytes per character, one UTF-16 unit: chunks must be cut by what the store counts, bytes.
      payload: { index, note: '€'.repeat(21_000) },
    }));
    for (const delivery of deliveries) await first.enqueue(delivery);
    await stopAll();
    const chunks = await store.readStream(outboxSnapshotStream(stream), 0n, 1_000);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.type).toBe(outboxSnapshotChunkType);
      expect(Buffer.byteLength(JSON.stringify(chunk.data), 'utf8')).toBeLessThan(eventStoreLimits.eventBytesMax);
    }

    const second = await openOutbox({ snapshotEveryEvents: 30, retryDelayBaseMs: 60_000, retryDelayCapMs: 60_000 });
    expect(second.startedFrom.snapshotRevision).not.toBeNull();
    for (const delivery of deliveries) {
      const state = second.inspect(delivery.deliveryId);
      expect(state.status).toBe('pending');
      if (state.status === 'pending') expect(state.delivery).toEqual(delivery);
    }
  });
});
