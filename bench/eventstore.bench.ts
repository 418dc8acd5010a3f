/**
 * `npm run bench:eventstore`: durable append throughput of the embedded SQLite event store.
 *
 * - the adapter (SqliteEventStore.append, one stream, numeric expected revisions) at batch sizes 1, 100 and 1000;
 * - in the same run, the raw ceiling: plain better-sqlite3 inserts of the same rows into the same table with the
 *   same pragmas (WAL, synchronous=FULL), one transaction per 1000 rows, rows serialized beforehand — the least
 *   work any writer of these rows can do.
 *
 * Each figure is the median of a few runs on a fresh database file; the batch-1000 and raw runs alternate. The last line is one JSON object; `ratio` is
 * adapter batch 1000 over the raw ceiling (target: at least 0.8).
 */
import Database from 'better-sqlite3';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../adapters/eventstore-sqlite/sqlite-event-store';
import type { NewEvent } from '../core/eventstore/event';
import { benchDirectory } from './support/bench-directory';
import { postgresEventStoreBench } from './eventstore-postgres.bench';
import { appendInBatches, compareWithRawCeiling, rawBatchSize } from './support/eventstore-comparison';
import { measure, type Measurement } from './support/measure';

const pairedEvents = 100_000;

async function adapterRun(directory: string, events: readonly NewEvent[], batchSize: number): Promise<Measurement> {
  const store = new SqliteEventStore(join(directory, `adapter-${batchSize}-${process.hrtime.bigint()}.db`));
  try {
    return await appendInBatches(store, events, batchSize);
  } finally {
    await store.close();
  }
}

/** The same rows, straight into the adapter's own table (created by opening the adapter once), same pragmas. */
function rawRun(directory: string, events: readonly NewEvent[]): Promise<Measurement> {
  const path = join(directory, `raw-${process.hrtime.bigint()}.db`);
  return new SqliteEventStore(path).close().then(() => {
    const database = new Database(path);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    const rows = events.map(
      (event, revision) =>
        ['ledger-PKR', revision, event.id, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata)] as const,
    );
    const insert = database.prepare('INSERT INTO events (stream, revision, id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
    const insertBatch = database.transaction((batch: readonly (readonly [string, number, string, string, string, string])[]) => {
      for (const row of batch) insert.run(...row);
    });
    return measure(rows.length, () => {
      for (let start = 0; start < rows.length; start += rawBatchSize) insertBatch(rows.slice(start, start + rawBatchSize));
    }).finally(() => database.close());
  });
}

async function main(): Promise<void> {
  // `-- --store postgres`: the same measurement against a PostgreSQL server the bench starts (issue 19).
  const storeFlag = process.argv.indexOf('--store');
  const storeKind = storeFlag === -1 ? 'sqlite' : process.argv[storeFlag + 1];
  if (storeKind === 'postgres') return postgresEventStoreBench();
  if (storeKind !== 'sqlite') throw new Error(`--store takes sqlite or postgres, not ${String(storeKind)}`);
  const directory = benchDirectory('eventstore');
  try {
    console.log(
      `eventstore bench: SqliteEventStore vs raw better-sqlite3, WAL + synchronous=FULL, node ${process.version}, ${cpus().length} cores`,
    );
    await compareWithRawCeiling({
      batch100Events: 100_000,
      pairedEvents,
      adapterRun: (events, batchSize) => adapterRun(directory.path, events, batchSize),
      rawRun: (events) => rawRun(directory.path, events),
    });
  } finally {
    directory.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
