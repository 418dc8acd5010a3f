/**
 * One of several processes appending to the same stream. Each append reads the stream's revision and appends
 * with it as the expected revision; on WrongExpectedRevisionError (another process won that revision) it reads
 * again and retries. Waits for `go` on stdin so the writers start together.
 *
 * Arguments: <events.db> <stream> <writer name> <append count>
 * Output: `ready`, then `won <revision> <event id> <index>` per append, then `done <conflicts>`.
 */
import { createInterface } from 'node:readline';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { WrongExpectedRevisionError } from '../../../core/eventstore/expected-revision';
import { newId } from '../../../core/ids';
import { runChild } from './child-process-lifecycle';

const attemptsPerAppendMax = 10_000;

async function main(): Promise<void> {
  const [eventsPath, stream, writer, countText] = process.argv.slice(2);
  if (!eventsPath || !stream || !writer || !countText)
    throw new Error('usage: contending-writer-child <events.db> <stream> <writer> <count>');
  const count = Number(countText);
  const store = new SqliteEventStore(eventsPath);
  const input = createInterface({ input: process.stdin });
  const go = new Promise<void>((resolve) => input.on('line', (line) => line === 'go' && resolve()));
  process.stdout.write('ready\n');
  await go;
  input.close();
  let conflicts = 0;
  for (let index = 0; index < count; index += 1) {
    const id = newId();
    let won = false;
    for (let attempt = 0; attempt < attemptsPerAppendMax && !won; attempt += 1) {
      const revision = await store.streamRevision(stream);
      // A writer decides between reading and appending; half the time it takes a millisecond to, which widens the
      // window in which the other process can take the revision (without it, one process tends to win runs).
      if (Math.random() < 0.5) await new Promise((resolve) => setTimeout(resolve, 1));
      try {
        const result = await store.append(
          stream,
          [
            {
              id,
              type: 'Contended',
              data: { writer, index },
              metadata: { at: new Date(Date.UTC(2026, 0, 1)).toISOString(), actor: writer },
            },
          ],
          revision === null ? 'no_stream' : revision,
        );
        process.stdout.write(`won ${result.nextExpectedRevision} ${id} ${index}\n`);
        won = true;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        conflicts += 1;
      }
    }
    if (!won) throw new Error(`${writer} could not append event ${index} in ${attemptsPerAppendMax} attempts`);
  }
  process.stdout.write(`done ${conflicts}\n`);
  await store.close();
}

runChild(main);
