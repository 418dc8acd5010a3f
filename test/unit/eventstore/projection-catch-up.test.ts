import type { SqliteReadModelTx } from '../../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { clearTables } from '../../../adapters/readmodel-sqlite/clear-tables';
import type { Projection } from '../../../core/eventstore/projection';
import { waitForCatchUp } from '../../../core/eventstore/projection-catch-up';
import { isProjectionError } from '../../../core/eventstore/projection-errors';
import { ProjectionRunner } from '../../../core/eventstore/projection-runner';
import { amountEvents } from '../../support/key-totals-projection';
import { appendAll, openProjectionFixture, type ProjectionFixture } from '../../support/projection-fixture';

/** A projection that takes `applyMs` of busy time per event: a long catch-up in little log. */
function slowProjection(applyMs: number, failAt: number | null = null): Projection<SqliteReadModelTx> {
  let applied = 0;
  return {
    name: 'slow',
    handles: ['AmountRecorded'],
    setup: (tx) => tx.exec('CREATE TABLE IF NOT EXISTS slow_rows (position INTEGER NOT NULL) STRICT'),
    reset: (tx) => clearTables(tx, ['slow_rows']),
    apply: (event, tx) => {
      applied += 1;
      if (failAt !== null && applied === failAt) throw new Error('a projection bug');
      const until = Date.now() + applyMs;
      while (Date.now() < until) {
        // Busy on purpose: the runner must be slow, not idle.
      }
      tx.prepare('INSERT INTO slow_rows (position) VALUES (?)').run(event.position);
    },
  };
}

describe('waitForCatchUp', () => {
  let fixture: ProjectionFixture;
  let runner: ProjectionRunner<SqliteReadModelTx> | null;

  beforeEach(() => {
    fixture = openProjectionFixture();
    runner = null;
  });
  afterEach(async () => {
    await runner?.stop();
    await fixture.close();
  });

  it('waits past the stall time while the read models keep moving, reporting progress', async () => {
    const head = await appendAll(fixture.store, amountEvents(600, 3));
    runner = new ProjectionRunner({
      store: fixture.store,
      readModels: fixture.readModels,
      projections: [slowProjection(1)],
      batchSize: 20,
    });
    await runner.start();
    const progress: bigint[] = [];
    await waitForCatchUp(runner, head, 100, (position) => progress.push(position));
    expect(runner.position()).toBe(head);
    expect(progress.length).toBeGreaterThan(0);
    expect([...progress].sort((left, right) => (left < right ? -1 : 1))).toEqual(progress);
  });

  it('fails when the runner fails instead of waiting on', async () => {
    const head = await appendAll(fixture.store, amountEvents(50, 2));
    runner = new ProjectionRunner({
      store: fixture.store,
      readModels: fixture.readModels,
      projections: [slowProjection(0, 10)],
      onError: () => undefined,
    });
    await runner.start();
    const failure = await waitForCatchUp(runner, head, 100, () => undefined).then(
      () => null,
      (error: unknown) => error,
    );
    expect(isProjectionError(failure)).toBe(true);
    expect(runner.position()).toBeLessThan(head);
  });
});
