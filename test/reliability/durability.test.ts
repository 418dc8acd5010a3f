import { join } from 'node:path';
import { SqliteEventStore } from '../../adapters/eventstore-sqlite/sqlite-event-store';
import type { RecordedEvent } from '../../core/eventstore/event';
import { foldStream } from '../../core/eventstore/read-stream';
import { tempDir } from '../support/temp-dir';
import { childScript, TsxChild } from '../support/tsx-child';

type Ack = { stream: string; firstRevision: bigint; lastRevision: bigint; ids: string[] };

const streamCount = 4;
const killRounds = 3;
/** An append carries 1 to 3 events; the one in flight when the child dies may or may not have been committed. */
const eventsPerAppendMax = 3;

function parseAck(line: string): Ack {
  const [, stream, first, last, ids] = line.split(' ');
  if (!stream || !first || !last || !ids) throw new Error(`malformed ack line: ${line}`);
  return { stream, firstRevision: BigInt(first), lastRevision: BigInt(last), ids: ids.split(',') };
}

function randomInteger(lowest: number, highest: number): number {
  return lowest + Math.floor(Math.random() * (highest - lowest + 1));
}

describe('durability (SIGKILL after acknowledgements)', () => {
  const directory = tempDir('hisaab-durability-');
  afterAll(() => directory.remove());

  it('keeps every acknowledged event, with contiguous revisions, across kills at random moments', async () => {
    const eventsPath = join(directory.path, 'hisaab.db');
    const acks: Ack[] = [];
    for (let round = 0; round < killRounds; round += 1) {
      const child = new TsxChild(childScript('append-child.ts'), [eventsPath, String(streamCount), '100000']);
      const acksBeforeKill = randomInteger(30, 150);
      let seen = 0;
      await child.waitForLine((line) => line.startsWith('ack ') && ++seen >= acksBeforeKill, 60_000);
      await new Promise((resolve) => setTimeout(resolve, randomInteger(0, 3)));
      child.kill();
      const exit = await child.exited;
      expect({ round, signal: exit.signal, finished: child.lines.includes('finished') }).toEqual({
        round,
        signal: 'SIGKILL',
        finished: false,
      });
      // Every line read before the pipe closed was printed after its append resolved: all are acknowledgements.
      acks.push(...child.lines.filter((line) => line.startsWith('ack ')).map(parseAck));
    }

    const store = new SqliteEventStore(eventsPath);
    try {
      const byStream = new Map<string, RecordedEvent[]>();
      for (let index = 0; index < streamCount; index += 1) {
        const stream = `durable-${index}`;
        const events: RecordedEvent[] = [];
        await foldStream(store, stream, 0n, (event) => events.push(event));
        byStream.set(stream, events);
        expect(events.map((event) => event.revision)).toEqual(events.map((_, revision) => BigInt(revision)));
      }
      let acknowledgedEvents = 0;
      for (const ack of acks) {
        const stored = byStream.get(ack.stream) ?? [];
        const ids = stored.slice(Number(ack.firstRevision), Number(ack.lastRevision) + 1).map((event) => event.id);
        expect({ ack: `${ack.stream}@${ack.firstRevision}`, ids }).toEqual({ ack: `${ack.stream}@${ack.firstRevision}`, ids: ack.ids });
        acknowledgedEvents += ack.ids.length;
      }
      const storedEvents = [...byStream.values()].reduce((sum, events) => sum + events.length, 0);
      expect(acknowledgedEvents).toBeGreaterThan(0);
      // Nothing but acknowledged events, apart from at most one append per kill that committed unacknowledged.
      expect(storedEvents).toBeGreaterThanOrEqual(acknowledgedEvents);
      expect(storedEvents - acknowledgedEvents).toBeLessThanOrEqual(killRounds * eventsPerAppendMax);
    } finally {
      await store.close();
    }
  });
});
