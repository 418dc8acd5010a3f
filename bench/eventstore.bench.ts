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
import { transferEvents } from './support/bench-events';
import { measure, median, reportLine, type Measurement } from './support/measure';

const runsPerFigure = 3;
/** Batch 1000 against the raw ceiling: the ratio the target is about, so more runs. */
const pairedRuns = 5;
/** Batch sizes measured on their own; batch 1000 is measured in turns with the raw ceiling, below. */
const plan = [
  { batchSize: 1, events: 2_000 },
  { batchSize: 100, events: 100_000 },
] as const;
const rawBatchSize = 1000;
const pairedEvents = 100_000;

async function adapterRun(directory: string, events: readonly NewEvent[], batchSize: number): Promise<Measurement> {
  const store = new SqliteEventStore(join(directory, `adapter-${batchSize}-${process.hrtime.bigint()}.db`));
  try {
    let expected: bigint | 'no_stream' = 'no_stream';
    return await measure(events.length, async () => {
      for (let start = 0; start < events.length; start += batchSize) {
        const result = await store.append('ledger-PKR', events.slice(start, start + batchSize), expected);
        expected = result.nextExpectedRevision;
      }
    });
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
    console.log(
      `median of ${runsPerFigure} runs (${pairedRuns} alternating for batch 1000 and raw), fresh database per run, in ${directory.path}`,
    );
    // Warm-up: JIT and the page cache, so the first measured figure is not the cold one.
    await adapterRun(directory.path, transferEvents(5000), 1000);
    await rawRun(directory.path, transferEvents(5000));

    const figures = new Map<number, Measurement>();
    for (const { batchSize, events } of plan) {
      const input = transferEvents(events);
      const runs: Measurement[] = [];
      for (let run = 0; run < runsPerFigure; run += 1) runs.push(await adapterRun(directory.path, input, batchSize));
      figures.set(batchSize, median(runs));
      console.log(reportLine(`adapter batch=${batchSize}`, median(runs)));
    }
    // Batch 1000 and the raw ceiling take turns, so both meet the same disk and the same neighbours on the machine.
    const input = transferEvents(pairedEvents);
    const adapterRuns: Measurement[] = [];
    const rawRuns: Measurement[] = [];
    for (let run = 0; run < pairedRuns; run += 1) {
      rawRuns.push(await rawRun(directory.path, input));
      adapterRuns.push(await adapterRun(directory.path, input, rawBatchSize));
    }
    figures.set(1000, median(adapterRuns));
    const raw = median(rawRuns);
    console.log(reportLine('adapter batch=1000', median(adapterRuns)));
    console.log(reportLine(`raw ceiling batch=${rawBatchSize}`, raw));

    const perSecond = (batchSize: number): number => Math.round(figures.get(batchSize)?.perSecond ?? 0);
    const ratio = Number(((figures.get(1000)?.perSecond ?? 0) / raw.perSecond).toFixed(3));
    console.log(`ratio adapter batch=1000 / raw ceiling = ${ratio} (target >= 0.8)`);
    console.log(
      JSON.stringify({
        bench: 'eventstore',
        batch_1_per_s: perSecond(1),
        batch_100_per_s: perSecond(100),
        batch_1000_per_s: perSecond(1000),
        raw_1000_per_s: Math.round(raw.perSecond),
        ratio,
      }),
    );
  } finally {
    directory.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
