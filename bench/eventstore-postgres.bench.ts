/**
 * `npm run bench:eventstore -- --store postgres`: durable append throughput of the PostgreSQL event store, against
 * a server this bench starts (fsync on, synchronous_commit on, no standby) and removes.
 *
 * - the adapter (PostgresEventStore.append, one stream, numeric expected revisions) at batch sizes 1, 100 and 1000;
 * - in the same run, the raw ceiling: the same rows written by the same client (node-postgres) into the adapter's
 *   own table, one transaction per 1000 rows, each a single multi-row INSERT … SELECT FROM unnest(…) with the
 *   positions and revisions computed beforehand: the least work any writer of these rows can do through it.
 *
 * Batch 1000 and the raw ceiling alternate, each on a fresh database. The last line is one JSON object; `ratio` is
 * adapter batch 1000 over the raw ceiling (target: at least 0.8).
 */
import pg from 'pg';
import { cpus } from 'node:os';
import { PostgresEventStore } from '../adapters/eventstore-postgres/postgres-event-store';
import type { NewEvent } from '../core/eventstore/event';
import { LocalPostgres } from '../scripts/postgres/local-postgres';
import { transferEvents } from './support/bench-events';
import { measure, median, reportLine, type Measurement } from './support/measure';

const runsPerFigure = 3;
const pairedRuns = 5;
const plan = [
  { batchSize: 1, events: 2_000 },
  { batchSize: 100, events: 50_000 },
] as const;
const rawBatchSize = 1000;
const pairedEvents = 50_000;

let databaseCounter = 0;
/** A fresh database with the adapter's schema (made by the adapter itself). */
async function freshDatabase(server: LocalPostgres): Promise<string> {
  databaseCounter += 1;
  const url = server.url(`bench_${databaseCounter}`);
  await server.sql(`CREATE DATABASE bench_${databaseCounter}`);
  const store = new PostgresEventStore(url);
  await store.migrate();
  await store.close();
  return url;
}

async function adapterRun(server: LocalPostgres, events: readonly NewEvent[], batchSize: number): Promise<Measurement> {
  const store = new PostgresEventStore(await freshDatabase(server));
  try {
    if (!(await store.tryBecomeWriter())) throw new Error('the bench store could not take the writer lease');
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

async function rawRun(server: LocalPostgres, events: readonly NewEvent[]): Promise<Measurement> {
  const client = new pg.Client({ connectionString: await freshDatabase(server) });
  await client.connect();
  try {
    const rows = events.map((event, revision) => ({
      position: String(revision),
      revision: String(revision),
      id: event.id,
      type: event.type,
      data: JSON.stringify(event.data),
      metadata: JSON.stringify(event.metadata),
    }));
    return await measure(rows.length, async () => {
      for (let start = 0; start < rows.length; start += rawBatchSize) {
        const batch = rows.slice(start, start + rawBatchSize);
        await client.query('BEGIN');
        await client.query(
          'INSERT INTO hisaab_events (position, stream, revision, id, type, data, metadata) SELECT p, $2, r, i, t, d, m FROM unnest($1::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(p, r, i, t, d, m)',
          [
            batch.map((row) => row.position),
            'ledger-PKR',
            batch.map((row) => row.revision),
            batch.map((row) => row.id),
            batch.map((row) => row.type),
            batch.map((row) => row.data),
            batch.map((row) => row.metadata),
          ],
        );
        await client.query('COMMIT');
      }
    });
  } finally {
    await client.end();
  }
}

export async function postgresEventStoreBench(): Promise<void> {
  const server = await LocalPostgres.create({ durable: true });
  try {
    console.log(
      `eventstore bench: PostgresEventStore vs raw node-postgres INSERT … unnest, PostgreSQL (fsync on, synchronous_commit on, no standby), node ${process.version}, ${cpus().length} cores`,
    );
    console.log(`median of ${runsPerFigure} runs (${pairedRuns} alternating for batch 1000 and raw), fresh database per run`);
    await adapterRun(server, transferEvents(5000), 1000);
    await rawRun(server, transferEvents(5000));
    const figures = new Map<number, Measurement>();
    for (const { batchSize, events } of plan) {
      const input = transferEvents(events);
      const runs: Measurement[] = [];
      for (let run = 0; run < runsPerFigure; run += 1) runs.push(await adapterRun(server, input, batchSize));
      figures.set(batchSize, median(runs));
      console.log(reportLine(`adapter batch=${batchSize}`, median(runs)));
    }
    const input = transferEvents(pairedEvents);
    const adapterRuns: Measurement[] = [];
    const rawRuns: Measurement[] = [];
    for (let run = 0; run < pairedRuns; run += 1) {
      rawRuns.push(await rawRun(server, input));
      adapterRuns.push(await adapterRun(server, input, rawBatchSize));
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
        store: 'postgres',
        batch_1_per_s: perSecond(1),
        batch_100_per_s: perSecond(100),
        batch_1000_per_s: perSecond(1000),
        raw_1000_per_s: Math.round(raw.perSecond),
        ratio,
      }),
    );
  } finally {
    await server.remove();
  }
}
