import type { SqliteReadModelTx } from '../../../adapters/readmodel-sqlite/sqlite-read-model-store';
import type { RecordedEvent } from '../../../core/eventstore/event';
import { START_POSITION } from '../../../core/eventstore/event-store';
import { applyBatch, prepareProjection } from '../../../core/eventstore/projection-batch';
import { amountEvents, keyTotalsProjection, readKeyTotals } from '../../support/key-totals-projection';
import { appendAll, openProjectionFixture, type ProjectionFixture } from '../../support/projection-fixture';

describe('applyBatch', () => {
  let fixture: ProjectionFixture;
  let log: RecordedEvent[];
  const first = prepareProjection(keyTotalsProjection('first'));
  const second = prepareProjection(keyTotalsProjection('second'));

  beforeEach(async () => {
    fixture = openProjectionFixture();
    await appendAll(fixture.store, amountEvents(100, 4));
    log = await fixture.store.readAll(START_POSITION, 100);
    fixture.readModels.transaction((tx) => {
      first.projection.setup(tx);
      second.projection.setup(tx);
    });
  });
  afterEach(async () => fixture.close());

  const count = (tx: SqliteReadModelTx, name: string): bigint => readKeyTotals(tx, name).reduce((sum, row) => sum + row.event_count, 0n);
  const handledIn = (events: readonly RecordedEvent[]): bigint => BigInt(events.filter((event) => event.type === 'AmountRecorded').length);

  it('writes every projection and its checkpoint together', () => {
    const known = new Map([
      ['first', START_POSITION],
      ['second', START_POSITION],
    ]);
    const outcome = applyBatch(fixture.readModels, [first, second], log.slice(0, 40), known);
    expect(outcome.kind).toBe('committed');
    const tx = fixture.readModels.database;
    expect(fixture.readModels.readCheckpoint(tx, 'first')).toBe(log[39]!.position);
    expect(fixture.readModels.readCheckpoint(tx, 'second')).toBe(log[39]!.position);
    expect(count(tx, 'first')).toBe(handledIn(log.slice(0, 40)));
    expect(count(tx, 'second')).toBe(handledIn(log.slice(0, 40)));
  });

  it('skips events at or before the stored checkpoint: a second runner on the same read model applies nothing twice', () => {
    const known = new Map([['first', START_POSITION]]);
    applyBatch(fixture.readModels, [first], log.slice(0, 60), known);
    // A runner that still believes the projection is at 20 delivers 21..80: only 61..80 are new.
    const outcome = applyBatch(fixture.readModels, [first], log.slice(20, 80), new Map([['first', log[19]!.position]]));
    expect(outcome).toMatchObject({ kind: 'committed' });
    if (outcome.kind !== 'committed') return;
    expect(outcome.progress.get('first')).toEqual({
      position: log[79]!.position,
      eventsSeen: 20,
      eventsApplied: Number(handledIn(log.slice(60, 80))),
    });
    expect(count(fixture.readModels.database, 'first')).toBe(handledIn(log.slice(0, 80)));
  });

  it('writes nothing when a stored checkpoint moved back (a reset by someone else) and says so', () => {
    applyBatch(
      fixture.readModels,
      [first, second],
      log.slice(0, 50),
      new Map([
        ['first', START_POSITION],
        ['second', START_POSITION],
      ]),
    );
    fixture.readModels.transaction((tx) => {
      second.projection.reset(tx);
      fixture.readModels.writeCheckpoint(tx, 'second', START_POSITION);
    });
    const outcome = applyBatch(
      fixture.readModels,
      [first, second],
      log.slice(50, 70),
      new Map([
        ['first', log[49]!.position],
        ['second', log[49]!.position],
      ]),
    );
    expect(outcome).toEqual({
      kind: 'checkpoint_moved_back',
      projectionName: 'second',
      storedPosition: START_POSITION,
      knownPosition: log[49]!.position,
    });
    // The first projection's writes in the same transaction were rolled back with it.
    expect(fixture.readModels.readCheckpoint(fixture.readModels.database, 'first')).toBe(log[49]!.position);
    expect(count(fixture.readModels.database, 'first')).toBe(handledIn(log.slice(0, 50)));
    expect(count(fixture.readModels.database, 'second')).toBe(0n);
  });

  it('rolls back the whole batch when a projection throws', () => {
    const broken = prepareProjection({
      ...keyTotalsProjection('second'),
      apply: () => {
        throw new Error('broken projection');
      },
    });
    expect(() =>
      applyBatch(
        fixture.readModels,
        [first, broken],
        log.slice(0, 30),
        new Map([
          ['first', START_POSITION],
          ['second', START_POSITION],
        ]),
      ),
    ).toThrow('broken projection');
    expect(fixture.readModels.readCheckpoint(fixture.readModels.database, 'first')).toBe(START_POSITION);
    expect(count(fixture.readModels.database, 'first')).toBe(0n);
  });

  it('asserts the batch is non-empty and in log order', () => {
    const known = new Map([['first', START_POSITION]]);
    expect(() => applyBatch(fixture.readModels, [first], [], known)).toThrow('a batch holds at least one event');
    expect(() => applyBatch(fixture.readModels, [first], [log[1]!, log[0]!], known)).toThrow('strictly increasing log order');
  });
});
