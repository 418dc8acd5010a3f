import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { newId } from '../../../core/ids';
import { tempDir } from '../../support/temp-dir';

it('sheds load with EVENT_STORE_OVERLOADED once 100,000 appends wait for a commit, and loses none it took', async () => {
  const directory = tempDir('hisaab-backpressure-');
  const store = new SqliteEventStore(join(directory.path, 'events.db'));
  try {
    // All in one turn of the event loop: nothing can commit in between, so the queue only grows.
    const appends = Array.from({ length: 100_002 }, (_, index) =>
      store.append(
        `load-${index % 100}`,
        [{ id: newId(), type: 'Load', data: { index }, metadata: { at: '2026-11-28T00:00:00.000Z' } }],
        'any',
      ),
    );
    const outcomes = await Promise.allSettled(appends);
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused).toHaveLength(2);
    for (const outcome of refused) expect(outcome.reason).toMatchObject({ code: 'EVENT_STORE_OVERLOADED' });
    expect(outcomes.slice(0, 100_000).every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    expect(await store.headPosition()).toBe(100_000n);
  } finally {
    await store.close();
    directory.remove();
  }
});
