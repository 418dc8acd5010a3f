import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { DomainError } from '../../../core/errors';
import type { NewEvent, RecordedEvent } from '../../../core/eventstore/event';
import type {
  AppendResult,
  EventStore,
  SubscribeOptions,
  Subscription,
  SubscriptionFilter,
  SubscriptionHandler,
  StreamAppend,
} from '../../../core/eventstore/event-store';
import type { ExpectedRevision } from '../../../core/eventstore/expected-revision';
import { canonicalState } from '../../../core/ledger/canonical-state';
import type { LedgerCommand } from '../../../core/ledger/commands';
import { createLedgerEngine, type LedgerEngine, type LedgerEngineOptions } from '../../../core/ledger/ledger-engine';
import { loadLedger } from '../../../core/ledger/ledger-loader';
import { defaultTunables } from '../../../core/ledger/ledger-limits';
import { verifyLedger } from '../../../core/ledger/ledger-verification';
import { SingleWriterLedgerEngine } from '../../../core/ledger/single-writer-engine';
import { tempDir } from '../../support/temp-dir';

/**
 * The same SQLite store seen only through the EventStore port (no appendSync): the engine's asynchronous path,
 * which every other adapter (EventStoreDB) takes.
 */
class PortOnlyStore implements EventStore {
  constructor(private readonly inner: EventStore) {}
  get multiStreamAtomic(): boolean {
    return this.inner.multiStreamAtomic;
  }
  appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    return this.inner.appendMany(appends);
  }
  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.inner.append(stream, events, expected);
  }
  readStream(stream: string, fromRevision: bigint, limit: number): Promise<RecordedEvent[]> {
    return this.inner.readStream(stream, fromRevision, limit);
  }
  streamRevision(stream: string): Promise<bigint | null> {
    return this.inner.streamRevision(stream);
  }
  existingStreams(streams: readonly string[]): Promise<Set<string>> {
    return this.inner.existingStreams(streams);
  }
  readAll(afterPosition: bigint, limit: number, filter?: SubscriptionFilter): Promise<RecordedEvent[]> {
    return this.inner.readAll(afterPosition, limit, filter);
  }
  subscribeAll(afterPosition: bigint, handler: SubscriptionHandler, options?: SubscribeOptions): Subscription {
    return this.inner.subscribeAll(afterPosition, handler, options);
  }
  headPosition(): Promise<bigint> {
    return this.inner.headPosition();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const startMs = Date.parse('2026-03-01T09:00:00.000Z');

function account(id: string, extra: Partial<Extract<LedgerCommand, { type: 'create_account' }>> = {}): LedgerCommand {
  return { type: 'create_account', id, ledger: 'PKR', code: 'POSITION', owner: id, ...extra };
}

function pay(
  id: string,
  from: string,
  to: string,
  amountMinor: bigint,
  extra: Partial<Extract<LedgerCommand, { type: 'transfer' }>> = {},
): LedgerCommand {
  return { type: 'transfer', id, ledger: 'PKR', debitAccountId: from, creditAccountId: to, amountMinor, code: 'P2P', ...extra };
}

function reserve(id: string, from: string, to: string, amountMinor: bigint, timeoutMs: number): LedgerCommand {
  return { type: 'pending_transfer', id, ledger: 'PKR', debitAccountId: from, creditAccountId: to, amountMinor, code: 'P2P', timeoutMs };
}

describe('ledger engine on SQLite', () => {
  let directory: ReturnType<typeof tempDir>;
  let stores: SqliteEventStore[];
  let engines: LedgerEngine[];
  let clockMs: number;

  const openStore = () => {
    const store = new SqliteEventStore(join(directory.path, 'hisaab.db'));
    stores.push(store);
    return store;
  };
  const startEngine = async (store: EventStore, options: Partial<LedgerEngineOptions> = {}) => {
    const engine = createLedgerEngine({ ledger: 'PKR', store, now: () => new Date(clockMs), expiryCheckIntervalMs: 0, ...options });
    engines.push(engine);
    await engine.start();
    return engine;
  };

  beforeEach(() => {
    directory = tempDir('hisaab-ledger-');
    stores = [];
    engines = [];
    clockMs = startMs;
  });

  afterEach(async () => {
    for (const engine of engines) await engine.stop().catch(() => undefined);
    for (const store of stores) await store.close();
    directory.remove();
  });

  it('answers each command in order, durably, with the append position', async () => {
    const store = openStore();
    const engine = await startEngine(store);
    const receipt = await engine.submit([
      account('A', { debitLimitMinor: 1000n }),
      account('B'),
      pay('t1', 'A', 'B', 600n),
      pay('t2', 'A', 'B', 600n),
      pay('t1', 'A', 'B', 600n),
    ]);
    expect(receipt.results).toEqual(['ok', 'ok', 'ok', 'exceeds_net_debit_cap', 'exists']);
    expect(receipt.position).toBe(await store.headPosition());
    expect(await engine.lookupAccount('A')).toMatchObject({ debitsPostedMinor: 600n, creditsPostedMinor: 0n, debitLimitMinor: 1000n });
    expect(await engine.lookupTransfer('t1')).toMatchObject({ kind: 'transfer', amountMinor: 600n, debitAccountId: 'A' });
    expect(await engine.lookupTransfer('t2')).toBeUndefined();

    const repeat = await engine.submit([pay('t1', 'A', 'B', 600n)]);
    expect(repeat).toEqual({ results: ['exists'], position: null });

    await engine.stop();
    const restarted = await startEngine(openStore());
    expect(await restarted.lookupAccount('B')).toMatchObject({ creditsPostedMinor: 600n });
    expect((await verifyLedger(store, 'PKR')).violations).toEqual([]);
  });

  it('takes the same path through the plain EventStore port (asynchronous appends)', async () => {
    const store = new PortOnlyStore(openStore());
    const engine = await startEngine(store);
    const first = engine.submit([account('A'), account('B')]);
    const second = engine.submit([pay('t1', 'A', 'B', 5n)]);
    expect((await first).results).toEqual(['ok', 'ok']);
    expect((await second).results).toEqual(['ok']);
    expect(await engine.lookupAccount('B')).toMatchObject({ creditsPostedMinor: 5n });
    await engine.stop();
    const restarted = await startEngine(store);
    expect(await restarted.lookupTransfer('t1')).toMatchObject({ amountMinor: 5n });
  });

  it('answers overloaded when the queue is full, and changes nothing for that submit', async () => {
    const engine = await startEngine(openStore(), { batchCommandsMax: 4, queueCommandsMax: 4 });
    await engine.submit([account('A'), account('B')]);
    const queued = [
      engine.submit([pay('q1', 'A', 'B', 1n), pay('q2', 'A', 'B', 1n), pay('q3', 'A', 'B', 1n)]),
      engine.submit([pay('q4', 'A', 'B', 1n)]),
    ];
    expect(engine.stats().queuedCommands).toBe(4);
    const refusedWhileFull = await engine.submit([pay('x1', 'A', 'B', 1n), pay('x2', 'A', 'B', 1n)]);
    expect(refusedWhileFull).toEqual({ results: ['overloaded', 'overloaded'], position: null });
    expect((await Promise.all(queued)).map((receipt) => receipt.results)).toEqual([['ok', 'ok', 'ok'], ['ok']]);
    expect(await engine.lookupTransfer('x1')).toBeUndefined();
    expect(engine.stats().queuedCommands).toBe(0);
  });

  it('refuses a submit larger than a batch, and work before start or after stop', async () => {
    const store = openStore();
    const notStarted = createLedgerEngine({ ledger: 'PKR', store, now: () => new Date(clockMs) });
    await expect(notStarted.submit([account('A')])).rejects.toMatchObject({ code: 'LEDGER_NOT_STARTED' });
    const engine = await startEngine(store, { batchCommandsMax: 3 });
    await expect(engine.submit([account('A'), account('B'), account('C'), account('D')])).rejects.toMatchObject({
      code: 'BATCH_TOO_LARGE',
    });
    await engine.stop();
    await expect(engine.submit([account('A')])).rejects.toMatchObject({ code: 'LEDGER_STOPPED' });
  });

  it('stop finishes the queued work first', async () => {
    const engine = await startEngine(openStore(), { batchCommandsMax: 2 });
    const submits = [
      engine.submit([account('A'), account('B')]),
      engine.submit([pay('t1', 'A', 'B', 1n)]),
      engine.submit([pay('t2', 'A', 'B', 1n)]),
    ];
    await engine.stop();
    expect((await Promise.all(submits)).map((receipt) => receipt.results.join())).toEqual(['ok,ok', 'ok', 'ok']);
  });

  it('a second engine on the same stream cannot write until it has caught up, and then fences the first', async () => {
    const first = await startEngine(openStore());
    const second = await startEngine(openStore());
    expect((await first.submit([account('A'), account('B')])).results).toEqual(['ok', 'ok']);

    // The second engine decided against a stale state: its append must fail instead of forking the stream.
    const failed = await second.submit([account('C')]).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(DomainError);
    expect((failed as DomainError).code).toBe('LEDGER_WRITE_FAILED');
    expect((failed as DomainError).message).toMatch(/expected revision/);

    // It rebuilt from the log, so it now sees the first engine's accounts and can write; the first is fenced.
    expect(await second.lookupAccount('A')).toBeDefined();
    expect((await second.submit([pay('t1', 'A', 'B', 7n)])).results).toEqual(['ok']);
    await expect(first.submit([pay('t2', 'A', 'B', 9n)])).rejects.toMatchObject({ code: 'LEDGER_WRITE_FAILED' });
    expect(await first.lookupTransfer('t1')).toMatchObject({ amountMinor: 7n });
    expect(await first.lookupTransfer('t2')).toBeUndefined();

    const store = stores[0] as SqliteEventStore;
    const report = await verifyLedger(store, 'PKR');
    expect(report.violations).toEqual([]);
    expect(report.events).toBe(3);
  });

  it('expires pending transfers by the injected clock, once, releasing the reservation', async () => {
    const engine = await startEngine(openStore());
    await engine.submit([account('A', { debitLimitMinor: 100n }), account('B')]);
    expect((await engine.submit([reserve('p1', 'A', 'B', 100n, 5_000), reserve('p2', 'A', 'B', 1n, 5_000)])).results).toEqual([
      'ok',
      'exceeds_net_debit_cap',
    ]);
    clockMs += 4_999;
    expect(await engine.expire()).toBe(0);
    clockMs += 1;
    expect(await engine.expire()).toBe(1);
    expect(await engine.expire()).toBe(0);
    expect((await engine.submit([{ type: 'post_pending', id: 'c1', pendingId: 'p1' }])).results).toEqual(['pending_expired']);
    expect(await engine.lookupTransfer('p1')).toMatchObject({ pendingStatus: 'expired' });
    expect(await engine.lookupAccount('A')).toMatchObject({ debitsPendingMinor: 0n, debitsPostedMinor: 0n });
    expect((await engine.submit([pay('t1', 'A', 'B', 100n)])).results).toEqual(['ok']);
  });

  it("concurrent expire calls take turns instead of racing each other's append (asynchronous path)", async () => {
    const sqlite = openStore();
    // One expiry per tick, so each call needs several ticks and the two calls interleave.
    const engine = await startEngine(new PortOnlyStore(sqlite), { expiriesPerTickMax: 1 });
    const reservations = ['p1', 'p2', 'p3', 'p4'].map((id) => reserve(id, 'A', 'B', 1n, 1_000));
    expect((await engine.submit([account('A'), account('B'), ...reservations])).results).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    clockMs += 1_000;
    const [first, second] = await Promise.allSettled([engine.expire(), engine.expire()]);
    expect(first).toMatchObject({ status: 'fulfilled' });
    expect(second).toMatchObject({ status: 'fulfilled' });
    const expiredByBoth = (first as PromiseFulfilledResult<number>).value + (second as PromiseFulfilledResult<number>).value;
    expect(expiredByBoth).toBe(4);
    for (const id of ['p1', 'p2', 'p3', 'p4']) expect(await engine.lookupTransfer(id)).toMatchObject({ pendingStatus: 'expired' });
    expect(await engine.lookupAccount('A')).toMatchObject({ debitsPendingMinor: 0n });
    expect((await engine.submit([pay('t1', 'A', 'B', 1n)])).results).toEqual(['ok']);
    const report = await verifyLedger(sqlite, 'PKR');
    expect(report.violations).toEqual([]);
    expect(report.events).toBe(2 + 4 + 4 + 1);
  });

  it('expires on its own from the clock while idle', async () => {
    const engine = await startEngine(openStore(), { expiryCheckIntervalMs: 5 });
    await engine.submit([account('A'), account('B'), reserve('p1', 'A', 'B', 10n, 1_000)]);
    clockMs += 1_000;
    const deadline = Date.now() + 5_000;
    while ((await engine.lookupTransfer('p1'))?.pendingStatus !== 'expired' && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await engine.lookupTransfer('p1')).toMatchObject({ pendingStatus: 'expired' });
  });

  it('changes a debit limit and applies it to the next debit', async () => {
    const engine = await startEngine(openStore());
    await engine.submit([account('A', { debitLimitMinor: 100n }), account('B')]);
    expect(
      (
        await engine.submit([
          { type: 'change_debit_limit', accountId: 'A', debitLimitMinor: 50n },
          pay('t1', 'A', 'B', 51n),
          pay('t2', 'A', 'B', 50n),
        ])
      ).results,
    ).toEqual(['ok', 'exceeds_net_debit_cap', 'ok']);
    expect(await engine.lookupAccount('A')).toMatchObject({ debitLimitMinor: 50n });
  });

  it('writes snapshots and starts from the latest one to the same state as a replay from empty', async () => {
    const store = openStore();
    const tunables = { ...defaultTunables, transfersRememberedEvents: 25 };
    const engine = await startEngine(store, { snapshotEveryEvents: 10, transfersRememberedEvents: 25 });
    await engine.submit([account('A'), account('B')]);
    for (let round = 0; round < 12; round += 1) {
      await engine.submit([pay(`t${round}`, 'A', 'B', 3n), reserve(`p${round}`, 'A', 'B', 2n, 60_000)]);
      if (round % 3 === 0) await engine.submit([{ type: 'post_pending', id: `c${round}`, pendingId: `p${round}`, amountMinor: 1n }]);
    }
    expect(await store.streamRevision('snapshot-ledger-PKR')).not.toBeNull();
    const stateBefore = await (engine as SingleWriterLedgerEngine).canonicalState();
    await engine.stop();

    const fromSnapshot = await loadLedger(store, 'PKR', tunables, true);
    const fromEmpty = await loadLedger(store, 'PKR', tunables, false);
    expect(fromSnapshot.snapshotEventCount).not.toBeNull();
    expect(canonicalState(fromSnapshot.state)).toBe(stateBefore);
    expect(canonicalState(fromEmpty.state)).toBe(stateBefore);

    // Idempotency holds across the restart for what the window remembers, and not beyond it.
    const restarted = await startEngine(openStore(), { snapshotEveryEvents: 10, transfersRememberedEvents: 25 });
    expect((await restarted.submit([pay('t11', 'A', 'B', 3n)])).results).toEqual(['exists']);
    expect(await restarted.lookupTransfer('t0')).toBeUndefined();
    expect(await restarted.lookupTransfer('p1')).toMatchObject({ pendingStatus: 'pending' });
    expect((await verifyLedger(store, 'PKR', tunables)).violations).toEqual([]);
  });
});
