/**
 * `npm run bench:ledger -- --store postgres`: the ledger engine's single-phase transfers/s on the PostgreSQL store
 * (a server this bench starts: fsync on, synchronous_commit on, no standby), against the raw ceiling in the same
 * run: the very rows the engine wrote, inserted again by the same client into a fresh database with the adapter's
 * schema, one transaction per engine-sized chunk (a single INSERT … SELECT FROM unnest each).
 */
import pg from 'pg';
import { PostgresEventStore } from '../adapters/eventstore-postgres/postgres-event-store';
import type { LedgerCommand } from '../core/ledger/commands';
import { createLedgerEngine, type LedgerEngine } from '../core/ledger/ledger-engine';
import { batchCommandsMax } from '../core/ledger/ledger-limits';
import { LocalPostgres } from '../scripts/postgres/local-postgres';
import type { BatchSource } from './support/batch-source';

/** What the SQLite ledger bench lends this one, so both measure the same accounts and the same transfers. */
export type LedgerBenchParts = {
  accountCommands: () => LedgerCommand[];
  singlePhaseBatches: (round: number) => BatchSource;
  drive: (batches: BatchSource, engine: LedgerEngine) => Promise<{ perSecond: number }>;
  rounds: number;
};

type Row = { position: string; stream: string; revision: string; id: string; type: string; data: string; metadata: string };

async function rawCeiling(server: LocalPostgres, rows: readonly Row[], round: number): Promise<number> {
  const database = `ceiling_${round}`;
  await server.sql(`CREATE DATABASE ${database}`);
  const schema = new PostgresEventStore(server.url(database));
  await schema.migrate();
  await schema.close();
  const client = new pg.Client({ connectionString: server.url(database) });
  await client.connect();
  try {
    const started = process.hrtime.bigint();
    for (let start = 0; start < rows.length; start += batchCommandsMax) {
      const slice = rows.slice(start, start + batchCommandsMax);
      await client.query('BEGIN');
      await client.query(
        'INSERT INTO hisaab_events (position, stream, revision, id, type, data, metadata) SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])',
        [
          slice.map((row) => row.position),
          slice.map((row) => row.stream),
          slice.map((row) => row.revision),
          slice.map((row) => row.id),
          slice.map((row) => row.type),
          slice.map((row) => row.data),
          slice.map((row) => row.metadata),
        ],
      );
      await client.query('COMMIT');
    }
    return rows.length / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    await client.end();
  }
}

async function ledgerRows(server: LocalPostgres, afterPosition: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: server.url() });
  await client.connect();
  try {
    const answer = await client.query<Row>(
      "SELECT position, stream, revision, id, type, data, metadata FROM hisaab_events WHERE stream = 'ledger-PKR' AND position > $1 ORDER BY position",
      [afterPosition],
    );
    return answer.rows;
  } finally {
    await client.end();
  }
}

export async function postgresLedgerBench(parts: LedgerBenchParts): Promise<void> {
  const server = await LocalPostgres.create({ durable: true });
  const store = new PostgresEventStore(server.url());
  let engine: LedgerEngine | null = null;
  try {
    await store.migrate();
    if (!(await store.tryBecomeWriter())) throw new Error('the bench store could not take the writer lease');
    engine = createLedgerEngine({ ledger: 'PKR', store, now: () => new Date(), snapshotEveryEvents: 0 });
    await engine.start();
    const accounts = parts.accountCommands();
    for (let start = 0; start < accounts.length; start += batchCommandsMax)
      await engine.submit(accounts.slice(start, start + batchCommandsMax));
    console.log(`ledger bench on PostgreSQL (fsync on, synchronous_commit on, no standby): ${parts.rounds} rounds`);
    const ratios: number[] = [];
    const rates: number[] = [];
    const ceilings: number[] = [];
    for (let round = 0; round < parts.rounds; round += 1) {
      const head = (await store.headPosition()).toString();
      const result = await parts.drive(parts.singlePhaseBatches(round), engine);
      const ceiling = await rawCeiling(server, await ledgerRows(server, head), round);
      rates.push(result.perSecond);
      ceilings.push(ceiling);
      ratios.push(result.perSecond / ceiling);
      console.log(
        `round ${round + 1}: single-phase ${Math.round(result.perSecond)}/s, raw ceiling ${Math.round(ceiling)} rows/s (ratio ${(result.perSecond / ceiling).toFixed(3)})`,
      );
    }
    const median = (values: number[]): number => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)] ?? 0;
    const figures = {
      store: 'postgres',
      single_phase_per_s: Math.round(median(rates)),
      raw_ceiling_rows_per_s: Math.round(median(ceilings)),
      ratio: Math.round(median(ratios) * 1000) / 1000,
      rounds: parts.rounds,
    };
    console.log(
      `single-phase: ${figures.single_phase_per_s} transfers/s; raw ceiling ${figures.raw_ceiling_rows_per_s} rows/s; ratio ${figures.ratio}`,
    );
    console.log(JSON.stringify(figures));
  } finally {
    await engine?.stop();
    await store.close();
    await server.remove();
  }
}
