import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import type { NewEvent } from '../../../core/eventstore/event';
import type { StreamAppend } from '../../../core/eventstore/event-store';
import { newId } from '../../../core/ids';
import { tempDir } from '../../support/temp-dir';

function event(type: string, index: number): NewEvent {
  return { id: newId(), type, data: { index }, metadata: { at: '2026-12-03T00:00:00.000Z' } };
}

/** A batch's shape: a thousand transfer streams, new, of two events each, around the ledger's own stream. */
function transferStreams(prefix: string, count: number): StreamAppend[] {
  return Array.from({ length: count }, (_unused, index) => ({
    stream: `${prefix}-${index}`,
    events: [event('TransferInitiated', index), event('TransferCommitted', index)],
    expectedRevision: 'no_stream' as const,
  }));
}

async function withStore(run: (store: SqliteEventStore) => Promise<void>): Promise<void> {
  const directory = tempDir('hisaab-new-streams-');
  const store = new SqliteEventStore(join(directory.path, 'events.db'));
  try {
    await run(store);
  } finally {
    await store.close();
    directory.remove();
  }
}

it('writes a thousand new streams with the streams beside them in the order given, each result placing its last event', () =>
  withStore(async (store) => {
    await store.append('ledger-PKR', [event('LedgerBatch', 0)], 'no_stream');
    const before = transferStreams('before', 500);
    const after = transferStreams('after', 500);
    // A stream of more events than one statement holds takes the checked path, between the runs of new streams.
    const long: StreamAppend = {
      stream: 'long',
      events: Array.from({ length: 70 }, (_unused, index) => event('Long', index)),
      expectedRevision: 'no_stream',
    };
    const appends = [...before, { stream: 'ledger-PKR', events: [event('LedgerBatch', 1)], expectedRevision: 0n }, long, ...after];
    const head = await store.headPosition();
    const results = store.appendManySync(appends);
    expect(results).toHaveLength(appends.length);
    const log = await store.readAll(head, 10_000);
    // Every event in the log once, in the order of the appends, and each result names its stream's last event.
    expect(log.map((recorded) => `${recorded.stream}@${recorded.revision}`)).toEqual(
      appends.flatMap((append) => {
        // The ledger's stream goes on after its event 0; every other stream is new.
        const first = typeof append.expectedRevision === 'bigint' ? Number(append.expectedRevision) + 1 : 0;
        return append.events.map((_event, index) => `${append.stream}@${first + index}`);
      }),
    );
    appends.forEach((append, index) => {
      const last = log.filter((recorded) => recorded.stream === append.stream).pop();
      expect(results[index]).toEqual({ nextExpectedRevision: last?.revision, position: last?.position });
    });
    expect(log.map((recorded) => recorded.id)).toEqual(appends.flatMap((append) => append.events.map((written) => written.id)));
  }));

it('refuses the whole appendMany, naming the stream, when one new stream deep in a run exists already', () =>
  withStore(async (store) => {
    await store.append('batch-637', [event('Existing', 0)], 'no_stream');
    const head = await store.headPosition();
    expect(() => store.appendManySync(transferStreams('batch', 1000))).toThrow(
      expect.objectContaining({ name: 'WrongExpectedRevisionError', stream: 'batch-637' }),
    );
    expect(await store.headPosition()).toBe(head);
    expect((await store.readStream('batch-637', 0n, 10)).map((recorded) => recorded.type)).toEqual(['Existing']);
  }));

it('refuses the same new stream twice in one appendMany, in one statement or in two', () =>
  withStore(async (store) => {
    const head = await store.headPosition();
    const twiceTogether = [...transferStreams('pair', 3), ...transferStreams('pair', 1)];
    await expect(store.appendMany(twiceTogether)).rejects.toMatchObject({ name: 'WrongExpectedRevisionError', stream: 'pair-0' });
    const twiceApart = [...transferStreams('apart', 100), ...transferStreams('apart', 1)];
    await expect(store.appendMany(twiceApart)).rejects.toMatchObject({ name: 'WrongExpectedRevisionError', stream: 'apart-0' });
    expect(await store.headPosition()).toBe(head);
  }));

it('a refused appendMany in a group commit leaves the others of the group written', () =>
  withStore(async (store) => {
    await store.append('taken-40', [event('Existing', 0)], 'no_stream');
    const outcomes = await Promise.allSettled([
      store.appendMany(transferStreams('first', 100)),
      store.appendMany(transferStreams('taken', 100)),
      store.appendMany(transferStreams('last', 100)),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ stream: 'taken-40' });
    expect(await store.existingStreams(['first-99', 'taken-0', 'taken-39', 'last-0'])).toEqual(new Set(['first-99', 'last-0']));
  }));
