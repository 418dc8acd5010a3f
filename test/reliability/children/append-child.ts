/**
 * Appends small batches round-robin to a few streams, with expected revisions, and prints `ack ...` for each
 * append only after it resolved (was durable). The durability test SIGKILLs it and checks every ack on reopen.
 *
 * Arguments: <events.db> <stream count> <append limit>
 * Output per append: `ack <stream> <first revision> <last revision> <id>,<id>,...`
 */
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import type { NewEvent } from '../../../core/eventstore/event';
import { newId } from '../../../core/ids';
import { runChild } from './child-process-lifecycle';

async function main(): Promise<void> {
  const [eventsPath, streamCountText, appendLimitText] = process.argv.slice(2);
  if (!eventsPath || !streamCountText || !appendLimitText) throw new Error('usage: append-child <events.db> <stream count> <append limit>');
  const streamCount = Number(streamCountText);
  const appendLimit = Number(appendLimitText);
  const store = new SqliteEventStore(eventsPath);
  const streams = Array.from({ length: streamCount }, (_, index) => `durable-${index}`);
  // A restarted child carries on after what the previous one wrote.
  const revisions = new Map<string, bigint | null>();
  for (const stream of streams) revisions.set(stream, await store.streamRevision(stream));
  process.stdout.write('ready\n');
  for (let index = 0; index < appendLimit; index += 1) {
    const stream = streams[index % streamCount]!;
    const batch: NewEvent[] = Array.from({ length: 1 + (index % 3) }, (_, offset) => ({
      id: newId(),
      type: 'Acknowledged',
      data: { index, offset },
      metadata: { at: new Date(Date.UTC(2026, 0, 1)).toISOString(), actor: 'durability-test' },
    }));
    const revision = revisions.get(stream) ?? null;
    const result = await store.append(stream, batch, revision === null ? 'no_stream' : revision);
    const firstRevision = revision === null ? 0n : revision + 1n;
    process.stdout.write(`ack ${stream} ${firstRevision} ${result.nextExpectedRevision} ${batch.map((event) => event.id).join(',')}\n`);
    revisions.set(stream, result.nextExpectedRevision);
  }
  process.stdout.write('finished\n');
  await store.close();
}

runChild(main);
