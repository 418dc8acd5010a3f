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
import { appendInBatches, compareWithRawCeiling, rawBatchSize } from './support/eventstore-comparison';
import { measure, type Measurement } from './support/measure';

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
    return await appendInBatches(store, events, batchSize);
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
    await compareWithRawCeiling({
      store: 'postgres',
      batch100Events: 50_000,
      pairedEvents: 50_000,
      adapterRun: (events, batchSize) => adapterRun(server, events, batchSize),
      rawRun: (events) => rawRun(server, events),
    });
  } finally {
    await server.remove();
  }
}
