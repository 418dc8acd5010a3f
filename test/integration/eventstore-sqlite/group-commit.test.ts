import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import type { NewEvent } from '../../../core/eventstore/event';
import { newId } from '../../../core/ids';
import { tempDir } from '../../support/temp-dir';

function event(type: string): NewEvent {
  return { id: newId(), type, data: {}, metadata: { at: '2026-12-03T00:00:00.000Z' } };
}

it('commits appendMany calls made in one turn with the appends beside them in one durable write, a conflict failing only its own', async () => {
  const directory = tempDir('hisaab-group-commit-');
  const store = new SqliteEventStore(join(directory.path, 'events.db'));
  try {
    await store.append('taken', [event('Existing')], 'no_stream');
    const commits: string[][] = [];
    store.onDurableCommit = (appends) => commits.push(appends.map((append) => append.stream));
    // All in one turn of the event loop, as concurrent requests' writes are.
    const outcomes = await Promise.allSettled([
      store.appendMany([
        { stream: 'claim-1', events: [event('Claimed')], expectedRevision: 'no_stream' },
        { stream: 'session-1', events: [event('Created')], expectedRevision: 'no_stream' },
      ]),
      store.append('single', [event('Alone')], 'no_stream'),
      store.appendMany([
        { stream: 'claim-2', events: [event('Claimed')], expectedRevision: 'no_stream' },
        { stream: 'taken', events: [event('Again')], expectedRevision: 'no_stream' },
      ]),
      store.appendMany([
        { stream: 'claim-3', events: [event('Claimed')], expectedRevision: 'no_stream' },
        { stream: 'session-3', events: [event('Created'), event('Sent')], expectedRevision: 'no_stream' },
      ]),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toMatchObject({ name: 'WrongExpectedRevisionError', stream: 'taken' });
    // One fsync for the three that succeeded; the conflicting appendMany wrote neither of its streams.
    expect(commits).toEqual([['claim-1', 'session-1', 'single', 'claim-3', 'session-3']]);
    expect(await store.readStream('claim-2', 0n, 10)).toEqual([]);
    expect((await store.readStream('taken', 0n, 10)).map((recorded) => recorded.type)).toEqual(['Existing']);
    const third = outcomes[3] as PromiseFulfilledResult<{ nextExpectedRevision: bigint }[]>;
    expect(third.value.map((result) => result.nextExpectedRevision)).toEqual([0n, 1n]);
    expect((await store.readStream('session-3', 0n, 10)).map((recorded) => recorded.type)).toEqual(['Created', 'Sent']);
  } finally {
    await store.close();
    directory.remove();
  }
});
