import { join } from 'node:path';
import { SqliteEventStore } from '../../adapters/eventstore-sqlite/sqlite-event-store';
import type { RecordedEvent } from '../../core/eventstore/event';
import { foldStream } from '../../core/eventstore/read-stream';
import { tempDir } from '../support/temp-dir';
import { childScript, TsxChild } from '../support/tsx-child';

const appendsPerWriter = 150;
const writers = ['writer-a', 'writer-b'];

type Win = { writer: string; revision: bigint; id: string; index: number };

describe('cross-process writers on one stream', () => {
  const directory = tempDir('hisaab-cross-process-');
  afterAll(() => directory.remove());

  it('wins every revision exactly once across two processes, losing nothing', async () => {
    const eventsPath = join(directory.path, 'hisaab.db');
    // Create the file (and its schema) before the writers race to.
    await new SqliteEventStore(eventsPath).close();
    const stream = 'contended-1';
    const children = writers.map(
      (writer) => new TsxChild(childScript('contending-writer-child.ts'), [eventsPath, stream, writer, String(appendsPerWriter)]),
    );
    await Promise.all(children.map((child) => child.waitForLine((line) => line === 'ready', 30_000)));
    for (const child of children) child.send('go\n');
    const exits = await Promise.all(children.map((child) => child.exited));
    expect(exits.map((exit, index) => ({ code: exit.code, stderr: children[index]!.stderr }))).toEqual(
      writers.map(() => ({ code: 0, stderr: '' })),
    );

    const wins: Win[] = [];
    let conflicts = 0;
    children.forEach((child, index) => {
      for (const line of child.lines) {
        const [kind, revision, id, eventIndex] = line.split(' ');
        if (kind === 'won') wins.push({ writer: writers[index]!, revision: BigInt(revision!), id: id!, index: Number(eventIndex) });
        if (kind === 'done') conflicts += Number(revision);
      }
    });

    const store = new SqliteEventStore(eventsPath);
    try {
      const events: RecordedEvent[] = [];
      await foldStream(store, stream, 0n, (event) => events.push(event));
      const total = writers.length * appendsPerWriter;
      // Contiguous revisions 0..total-1: nothing lost, nothing doubled.
      expect(events.map((event) => event.revision)).toEqual(Array.from({ length: total }, (_, revision) => BigInt(revision)));
      // Each revision was reported won by exactly one writer, and holds that writer's event.
      expect(wins).toHaveLength(total);
      expect(new Set(wins.map((win) => win.revision)).size).toBe(total);
      for (const win of wins) {
        const stored = events[Number(win.revision)];
        expect({ revision: win.revision, id: stored?.id, writer: stored?.data['writer'] }).toEqual({
          revision: win.revision,
          id: win.id,
          writer: win.writer,
        });
      }
      // Each writer's events are all there, once each, in the order it appended them.
      for (const writer of writers) {
        const indexes = events.filter((event) => event.data['writer'] === writer).map((event) => event.data['index']);
        expect(indexes).toEqual(Array.from({ length: appendsPerWriter }, (_, index) => index));
      }
      // The writers did race: some appends met a revision the other process had just taken, and retried.
      expect(conflicts).toBeGreaterThan(0);
      process.stdout.write(`cross-process writers: ${total} appends, ${conflicts} conflicts retried\n`);
    } finally {
      await store.close();
    }
  });
});
