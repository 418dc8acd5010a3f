import type { Statement } from 'better-sqlite3';
import type { SqliteReadModelTx } from '../../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { clearTables } from '../../../adapters/readmodel-sqlite/clear-tables';
import type { NewEvent } from '../../../core/eventstore/event';
import { START_POSITION } from '../../../core/eventstore/event-store';
import type { Projection } from '../../../core/eventstore/projection';
import { isProjectionError } from '../../../core/eventstore/projection-errors';
import { ProjectionRunner, type BatchCommitted } from '../../../core/eventstore/projection-runner';
import { newId } from '../../../core/ids';
import { amountEvents, keyTotalsProjection, readKeyTotals } from '../../support/key-totals-projection';
import { appendAll, openProjectionFixture, type ProjectionFixture } from '../../support/projection-fixture';

/** Records every event it is given, in the order given: what the runner fed it, and how often. */
function orderProjection(handles: readonly string[] = ['AmountRecorded', 'Noise']): Projection<SqliteReadModelTx> {
  const inserts = new WeakMap<SqliteReadModelTx, Statement>();
  return {
    name: 'order',
    handles,
    setup: (tx) =>
      tx.exec('CREATE TABLE IF NOT EXISTS order_log (sequence INTEGER PRIMARY KEY, position INTEGER NOT NULL, type TEXT NOT NULL) STRICT'),
    reset: (tx) => clearTables(tx, ['order_log']),
    apply: (event, tx) => {
      let insert = inserts.get(tx);
      if (!insert) {
        insert = tx.prepare('INSERT INTO order_log (position, type) VALUES (?, ?)');
        inserts.set(tx, insert);
      }
      insert.run(event.position, event.type);
    },
  };
}

function readOrder(fixture: ProjectionFixture): { position: bigint; type: string }[] {
  return fixture.readModels.database.prepare('SELECT position, type FROM order_log ORDER BY sequence').all() as {
    position: bigint;
    type: string;
  }[];
}

function noise(count: number): NewEvent[] {
  return Array.from({ length: count }, (_, index) => ({
    id: newId(),
    type: 'Noise',
    data: { index },
    metadata: { at: '2026-01-01T00:00:00.000Z' },
  }));
}

describe('ProjectionRunner', () => {
  let fixture: ProjectionFixture;
  let runners: ProjectionRunner<SqliteReadModelTx>[];

  beforeEach(() => {
    fixture = openProjectionFixture();
    runners = [];
  });
  afterEach(async () => {
    for (const runner of runners) await runner.stop();
    await fixture.close();
  });

  const runner = (
    projections: Projection<SqliteReadModelTx>[],
    options: { batchSize?: number; onBatchCommitted?: (commit: BatchCommitted) => void; readModels?: ProjectionFixture['readModels'] } = {},
  ): ProjectionRunner<SqliteReadModelTx> => {
    const created = new ProjectionRunner({
      store: fixture.store,
      readModels: options.readModels ?? fixture.readModels,
      projections,
      ...options,
    });
    runners.push(created);
    return created;
  };

  it('feeds the global log in order, each event once, catch-up then live', async () => {
    const head = await appendAll(fixture.store, amountEvents(2500, 10));
    const order = runner([orderProjection()]);
    await order.start();
    await order.waitForPosition(head, 10_000);
    const live = await fixture.store.append('live', noise(3), 'no_stream');
    await order.waitForPosition(live.position, 10_000);

    const log = await fixture.store.readAll(START_POSITION, 10_000);
    expect(log).toHaveLength(2503);
    expect(readOrder(fixture)).toEqual(log.map((event) => ({ position: event.position, type: event.type })));
    expect(order.position()).toBe(live.position);
  });

  it('applies events in bounded batches, one transaction each', async () => {
    const head = await appendAll(fixture.store, amountEvents(1050, 10));
    const batches: BatchCommitted[] = [];
    const order = runner([orderProjection()], { batchSize: 100, onBatchCommitted: (commit) => batches.push(commit) });
    await order.start();
    await order.waitForPosition(head, 10_000);

    expect(batches.map((batch) => batch.eventCount)).toEqual([...Array<number>(10).fill(100), 50]);
    expect(batches.at(-1)?.position).toBe(head);
    expect(fixture.readModels.readCheckpoint(fixture.readModels.database, 'order')).toBe(head);
  });

  it('resumes from its checkpoint after a stop, applying nothing twice', async () => {
    const events = amountEvents(3000, 20);
    const firstHead = await appendAll(fixture.store, events.slice(0, 1200));
    const first = runner([keyTotalsProjection()]);
    await first.start();
    await first.waitForPosition(firstHead, 10_000);
    await first.stop();

    const secondHead = await appendAll(fixture.store, events.slice(1200));
    const resumedStore = fixture.openReadModels();
    const resumed = runner([keyTotalsProjection()], { readModels: resumedStore });
    await resumed.start();
    expect(resumed.status()[0]?.position).toBeGreaterThanOrEqual(firstHead);
    await resumed.waitForPosition(secondHead, 10_000);
    expect(resumed.status()[0]?.eventsSeen).toBe(1800);

    const referenceStore = fixture.openReadModels('reference.db');
    const reference = runner([keyTotalsProjection()], { readModels: referenceStore });
    await reference.start();
    await reference.waitForPosition(secondHead, 10_000);
    const referenceRows = readKeyTotals(referenceStore.database);
    expect(referenceRows.length).toBe(20);
    expect(readKeyTotals(resumedStore.database)).toEqual(referenceRows);
  });

  it('rebuilds a read model from the log at start-up when its projection version changed, and only then', async () => {
    const head = await appendAll(fixture.store, [...noise(5), ...amountEvents(40, 4)]);
    const first = runner([orderProjection()]);
    await first.start();
    await first.waitForPosition(head, 10_000);
    await first.stop();
    const firstRows = readOrder(fixture);
    expect(firstRows).toHaveLength(45);
    // Rows a release with another shape would not write: a version 2 must not serve them.
    fixture.readModels.database.prepare("INSERT INTO order_log (position, type) VALUES (999, 'Stale')").run();

    const sameVersion = runner([orderProjection()], { readModels: fixture.openReadModels() });
    await sameVersion.start();
    expect(sameVersion.status()[0]?.position).toBe(head);
    await sameVersion.stop();
    expect(readOrder(fixture).some((row) => row.type === 'Stale')).toBe(true);

    const upgraded = runner([{ ...orderProjection(), version: 2 }], { readModels: fixture.openReadModels() });
    await upgraded.start();
    await upgraded.waitForPosition(head, 10_000);
    expect(upgraded.status()[0]?.eventsSeen).toBe(45);
    expect(readOrder(fixture)).toEqual(firstRows);
  });

  it('reads a checkpoint table from before versions as version 1', async () => {
    const head = await appendAll(fixture.store, amountEvents(10, 2));
    const database = fixture.readModels.database;
    database.exec('DROP TABLE projection_checkpoints');
    database.exec('CREATE TABLE projection_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL) STRICT');
    database.prepare('INSERT INTO projection_checkpoints (name, position) VALUES (?, ?)').run('order', head);
    const reopened = fixture.openReadModels();
    const resumed = runner([orderProjection()], { readModels: reopened });
    await resumed.start();
    expect(resumed.status()[0]?.position).toBe(head);
    expect(reopened.transaction((tx) => reopened.readVersion(tx, 'order'))).toBe(1);
  });

  it('advances the checkpoint over event types the projection does not handle', async () => {
    const head = await appendAll(fixture.store, noise(500));
    const totals = runner([keyTotalsProjection()]);
    await totals.start();
    await totals.waitForPosition(head, 10_000);

    expect(fixture.readModels.readCheckpoint(fixture.readModels.database, 'key-totals')).toBe(head);
    expect(readKeyTotals(fixture.readModels.database)).toEqual([]);
    expect(totals.status()).toEqual([{ name: 'key-totals', position: head, eventsSeen: 500, eventsApplied: 0 }]);
  });

  it('rebuilds one projection from position 0 into identical tables, leaving the others alone', async () => {
    const events = amountEvents(4000, 30);
    const handled = events.filter((event) => event.type === 'AmountRecorded').length;
    const head = await appendAll(fixture.store, events);
    const both = runner([keyTotalsProjection(), orderProjection()]);
    await both.start();
    await both.waitForPosition(head, 10_000);
    const before = readKeyTotals(fixture.readModels.database);
    const orderBefore = readOrder(fixture);

    const result = await both.rebuild('key-totals');

    expect(result).toEqual({ projectionName: 'key-totals', eventsReplayed: 4000, eventsApplied: handled, position: head });
    expect(readKeyTotals(fixture.readModels.database)).toEqual(before);
    expect(readOrder(fixture)).toEqual(orderBefore);
    // Still live after the rebuild.
    const live = await fixture.store.append('after-rebuild', amountEvents(1, 1), 'no_stream');
    await both.waitForPosition(live.position, 10_000);
    expect(both.projectionPosition('key-totals')).toBe(live.position);
  });

  it('rebuilds on a stopped runner and stays stopped', async () => {
    const head = await appendAll(fixture.store, amountEvents(700, 5));
    const totals = runner([keyTotalsProjection()]);
    const result = await totals.rebuild('key-totals');
    expect(result.eventsReplayed).toBe(700);
    expect(result.position).toBe(head);
    expect(totals.currentState).toBe('stopped');
    expect(readKeyTotals(fixture.readModels.database).reduce((sum, row) => sum + row.event_count, 0n)).toBe(BigInt(result.eventsApplied));
  });

  it('refuses to rebuild a projection it does not know, naming the ones it does', async () => {
    const totals = runner([keyTotalsProjection(), orderProjection()]);
    await expect(totals.rebuild('nope')).rejects.toMatchObject({
      code: 'UNKNOWN_PROJECTION',
      message: 'there is no projection named "nope"; known: key-totals, order',
    });
  });

  it('waitForPosition resolves once a live write is applied, so a writer reads its own write', async () => {
    const totals = runner([keyTotalsProjection()]);
    await totals.start();
    const write = await fixture.store.append('writer', amountEvents(1, 1), 'no_stream');
    await totals.waitForPosition(write.position, 5_000);
    expect(readKeyTotals(fixture.readModels.database)).toHaveLength(1);
    // Already reached: resolves at once, even with no time to wait.
    await expect(totals.waitForPosition(write.position, 0)).resolves.toBeUndefined();
  });

  it('waitForPosition times out with a clear error when the read model does not get there', async () => {
    const head = await appendAll(fixture.store, amountEvents(10, 2));
    const totals = runner([keyTotalsProjection()]);
    await totals.start();
    await totals.waitForPosition(head, 5_000);
    const error: unknown = await totals.waitForPosition(head + 100n, 30).catch((caught: unknown) => caught);
    expect(isProjectionError(error, 'PROJECTION_WAIT_TIMEOUT')).toBe(true);
    expect((error as Error).message).toBe(
      `the read model reached position ${head} but not ${head + 100n} within 30 ms; it is behind the log, try again`,
    );
  });

  it('waitForPosition refuses bad arguments and a stopped runner', async () => {
    const totals = runner([keyTotalsProjection()]);
    await expect(totals.waitForPosition(0n, -1)).rejects.toMatchObject({ code: 'PROJECTION_INVALID_ARGUMENT' });
    await expect(totals.waitForPosition(0n, 600_000)).rejects.toMatchObject({ code: 'PROJECTION_INVALID_ARGUMENT' });
    await expect(totals.waitForPosition(-2n, 10)).rejects.toMatchObject({ code: 'PROJECTION_INVALID_ARGUMENT' });
    await expect(totals.waitForPosition(0n, 10, 'other')).rejects.toMatchObject({ code: 'UNKNOWN_PROJECTION' });
    await expect(totals.waitForPosition(0n, 10)).rejects.toMatchObject({ code: 'PROJECTION_RUNNER_STOPPED' });

    await totals.start();
    const pending = totals.waitForPosition(1_000n, 10_000);
    await totals.stop();
    await expect(pending).rejects.toMatchObject({ code: 'PROJECTION_RUNNER_STOPPED' });
  });

  it('bounds the callers waiting at once', async () => {
    const totals = new ProjectionRunner({
      store: fixture.store,
      readModels: fixture.readModels,
      projections: [keyTotalsProjection()],
      waitersMax: 2,
    });
    runners.push(totals);
    await totals.start();
    const first = totals.waitForPosition(100n, 10_000);
    const second = totals.waitForPosition(100n, 10_000);
    await expect(totals.waitForPosition(100n, 10_000)).rejects.toMatchObject({ code: 'PROJECTION_WAITERS_FULL' });
    await totals.stop();
    await expect(first).rejects.toMatchObject({ code: 'PROJECTION_RUNNER_STOPPED' });
    await expect(second).rejects.toMatchObject({ code: 'PROJECTION_RUNNER_STOPPED' });
  });

  it('stops loudly when a projection throws, and stores nothing of the failing batch', async () => {
    const head = await appendAll(fixture.store, amountEvents(300, 3));
    const failures: unknown[] = [];
    const healthy = keyTotalsProjection();
    const poisoned: Projection<SqliteReadModelTx> = {
      ...healthy,
      apply: (event, tx) => {
        if (event.position === 250n) throw new Error('poisoned event');
        healthy.apply(event, tx);
      },
    };
    const failing = new ProjectionRunner({
      store: fixture.store,
      readModels: fixture.readModels,
      projections: [poisoned],
      batchSize: 100,
      onError: (error) => failures.push(error),
    });
    runners.push(failing);
    await failing.start();
    await expect(failing.waitForPosition(head, 10_000)).rejects.toMatchObject({
      code: 'PROJECTION_RUNNER_FAILED',
      message: 'the projection runner stopped: poisoned event',
    });
    expect(failing.currentState).toBe('failed');
    expect(failures).toHaveLength(1);
    // Batches of 100 from position 1: the batch holding 250 (201..300) rolled back whole.
    expect(fixture.readModels.readCheckpoint(fixture.readModels.database, 'key-totals')).toBe(200n);
    const applied = readKeyTotals(fixture.readModels.database).reduce((sum, row) => sum + row.event_count, 0n);
    const expected = (await fixture.store.readAll(START_POSITION, 200)).filter((event) => event.type === 'AmountRecorded').length;
    expect(applied).toBe(BigInt(expected));
    await expect(failing.start()).rejects.toMatchObject({ code: 'PROJECTION_RUNNER_FAILED' });
  });

  it('asserts its configuration: unique names, bounded batches', () => {
    expect(
      () =>
        new ProjectionRunner({
          store: fixture.store,
          readModels: fixture.readModels,
          projections: [keyTotalsProjection(), keyTotalsProjection()],
        }),
    ).toThrow('projection names are unique');
    expect(() => new ProjectionRunner({ store: fixture.store, readModels: fixture.readModels, projections: [], batchSize: 0 })).toThrow(
      'batchSize is 1 to 10000',
    );
  });

  it('with no projections, still reports the position it has read to', async () => {
    const head = await appendAll(fixture.store, noise(20));
    const empty = runner([]);
    await empty.start();
    await empty.waitForPosition(head, 5_000);
    expect(empty.position()).toBe(head);
  });
});
