/**
 * `npm run bench:ledger`: the ledger engine's throughput on the embedded SQLite store (WAL, synchronous=FULL,
 * so every tick's append is fsync'd), measured in one run against the raw durable-append ceiling of the same
 * machine:
 *   (a) single-phase transfers/s;
 *   (b) two-phase transfers/s (reserve, then post, each a durable step; one transfer = both);
 *   (c) the ceiling: the very records (a) wrote (one batch record per tick), inserted again with a prepared
 *       statement into a fresh store file with the same schema and pragmas, one transaction per record, as
 *       transfers/s: what the disk and SQLite allow for those bytes, with no deciding at all.
 * 10,000 accounts, 70 % of transfers from one hot payer (its net debit cap is checked on each), the others
 * uniform. Submitters keep several batches in flight, as the switch's API does under load. Each batch's commands
 * are made when a submitter takes it (inside the timed run, about a millisecond per 8,190), as a client makes its
 * own. Each figure is the median of a few rounds, interleaved so that a noisy neighbour hurts all of them alike.
 * Prints transfers/s, p50/p99 commit latency (submit call to durable answer, per submitted batch), the ratio,
 * and as its last line one JSON object with the figures.
 *
 * With HISAAB_BENCH_TIGERBEETLE set to a tigerbeetle binary, each round also runs
 * `tigerbeetle benchmark --transfer-count=<transfers per round>` in a scratch folder (removed after), interleaved
 * with the ledger's own runs, and prints single-phase / TigerBeetle (the median of the rounds' ratios).
 *
 * Options (environment): HISAAB_BENCH_ROUNDS (3), HISAAB_BENCH_TRANSFERS (transfers per round, 200,000),
 * HISAAB_BENCH_BATCH (commands per submit, 1,024), HISAAB_BENCH_IN_FLIGHT (submits in flight, 16),
 * HISAAB_BENCH_TIGERBEETLE (path of a tigerbeetle binary; unset: no TigerBeetle runs), HISAAB_BENCH_RECORDS_IN_FLIGHT
 * (the engine's recordsInFlightMax, 1; 2 decides the next batch while the last is written, which needs at least two
 * submits in flight).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../adapters/eventstore-sqlite/sqlite-event-store';
import type { LedgerCommand } from '../core/ledger/commands';
import { createLedgerEngine, type LedgerEngine } from '../core/ledger/ledger-engine';
import { batchCommandsMax } from '../core/ledger/ledger-limits';
import { positiveInteger } from './support/bench-settings';
import { postgresLedgerBench } from './ledger-postgres.bench';
import type { BatchSource } from './support/batch-source';
import { runTigerBeetle, tigerBeetlePath, type TigerBeetleRun } from './support/tigerbeetle-run';
import { xorshiftRandom } from './support/xorshift-random';

const accountCount = 10_000;
const hotSpotShare = 0.7;
const rounds = positiveInteger('HISAAB_BENCH_ROUNDS', 3);
const transfersPerRound = positiveInteger('HISAAB_BENCH_TRANSFERS', 200_000);
const batchSize = positiveInteger('HISAAB_BENCH_BATCH', 1024);
const inFlight = positiveInteger('HISAAB_BENCH_IN_FLIGHT', 16);
const recordsInFlight = positiveInteger('HISAAB_BENCH_RECORDS_IN_FLIGHT', 1);

const accountId = (index: number) => `acct-${index.toString().padStart(5, '0')}`;
/** Every account's id once: commands share these strings instead of each formatting its own. */
const accountIds = Array.from({ length: accountCount }, (_, index) => accountId(index));

function accountCommands(): LedgerCommand[] {
  const commands: LedgerCommand[] = [];
  for (let index = 0; index < accountCount; index += 1) {
    // Every account has a cap, so the limit check runs on every debit; the hot payer's is large enough to hold.
    commands.push({
      type: 'create_account',
      id: accountIds[index] as string,
      ledger: 'PKR',
      code: 'POSITION',
      owner: `participant-${index}`,
      debitLimitMinor: 10n ** 15n,
    });
  }
  return commands;
}

/** A transfer drawn: the one object every draw refills (read at once). */
type Drawn = { debitAccountId: string; creditAccountId: string; amountMinor: bigint };

/** Draws transfers (payer, payee, amount) one after another from `seed`: the same sequence in every run. */
function transferDrawer(seed: number): () => Drawn {
  const next = xorshiftRandom(seed);
  const drawn: Drawn = { debitAccountId: '', creditAccountId: '', amountMinor: 0n };
  return () => {
    const debitIndex = next() < hotSpotShare ? 0 : Math.floor(next() * accountCount);
    let creditIndex = Math.floor(next() * accountCount);
    if (creditIndex === debitIndex) creditIndex = (creditIndex + 1) % accountCount;
    drawn.amountMinor = BigInt(100 + Math.floor(next() * 1_000_000));
    drawn.debitAccountId = accountIds[debitIndex] as string;
    drawn.creditAccountId = accountIds[creditIndex] as string;
    return drawn;
  };
}

/** `transfersPerRound` transfers in batches of `batchSize`, each batch's steps made by `make` when it is taken. */
function batchesOf(make: (batchIndex: number, first: number, size: number) => LedgerCommand[][]): BatchSource {
  let made = 0;
  let batchIndex = 0;
  return {
    next: () => {
      if (made >= transfersPerRound) return undefined;
      const size = Math.min(batchSize, transfersPerRound - made);
      const steps = make(batchIndex, made, size);
      made += size;
      batchIndex += 1;
      return steps;
    },
  };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

type Measurement = { perSecond: number; latenciesMs: number[]; seconds: number };

/**
 * Milliseconds the engine's appends took, summed over every tick (onTickCommitted). With one record in flight the
 * append holds the engine, so its share of a run's time is what deciding while writing could hide at most.
 */
let appendMsTotal = 0;

/** Runs submitters that keep `inFlight` batches outstanding; `steps` of a batch run one after another. */
async function drive(batches: BatchSource, engine: LedgerEngine): Promise<Measurement> {
  const latenciesMs: number[] = [];
  let transfers = 0;
  const submitter = async () => {
    for (;;) {
      const steps = batches.next();
      if (steps === undefined) return;
      for (const commands of steps) {
        const started = process.hrtime.bigint();
        const receipt = await engine.submit(commands);
        latenciesMs.push(Number(process.hrtime.bigint() - started) / 1e6);
        for (const result of receipt.results) if (result !== 'ok') throw new Error(`benchmark transfer refused: ${result}`);
      }
      transfers += (steps[0] as LedgerCommand[]).length;
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inFlight }, submitter));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { perSecond: transfers / seconds, latenciesMs, seconds };
}

function singlePhaseBatches(round: number): BatchSource {
  const draw = transferDrawer(1000 + round);
  return batchesOf((_batchIndex, first, size) => {
    const batch: LedgerCommand[] = [];
    for (let index = first; index < first + size; index += 1) {
      const { debitAccountId, creditAccountId, amountMinor } = draw();
      batch.push({ type: 'transfer', id: `s${round}-${index}`, ledger: 'PKR', debitAccountId, creditAccountId, amountMinor, code: 'P2P' });
    }
    return [batch];
  });
}

function twoPhaseBatches(round: number): BatchSource {
  const draw = transferDrawer(2000 + round);
  return batchesOf((batchIndex, _first, size) => {
    const reserves: LedgerCommand[] = [];
    const posts: LedgerCommand[] = [];
    for (let index = 0; index < size; index += 1) {
      const { debitAccountId, creditAccountId, amountMinor } = draw();
      const id = `r${round}-${batchIndex}-${index}`;
      reserves.push({
        type: 'pending_transfer',
        id,
        ledger: 'PKR',
        debitAccountId,
        creditAccountId,
        amountMinor,
        code: 'P2P',
        timeoutMs: 60_000,
      });
      posts.push({ type: 'post_pending', id: `${id}-post`, pendingId: id });
    }
    return [reserves, posts];
  });
}

type RawRow = { stream: string; revision: bigint; id: string; type: string; data: string; metadata: string; body: Buffer | null };

/** Inserts `rows` (the records of `transfers` transfers) into a fresh store file, one transaction per record; transfers/s. */
function rawCeiling(directory: string, rows: readonly RawRow[], transfers: number, round: number): number {
  const path = join(directory, `ceiling-${round}.db`);
  // Let the adapter create the file, so schema and pragmas are exactly the store's.
  const created = new SqliteEventStore(path);
  void created.close();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.defaultSafeIntegers(true);
  const insert = db.prepare('INSERT INTO events (stream, revision, id, type, data, metadata, body) VALUES (?, ?, ?, ?, ?, ?, ?)');
  // better-sqlite3 types a transaction's variants as methods, but they are plain functions that ignore `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const insertMany = db.transaction((slice: readonly RawRow[]) => {
    for (const row of slice) insert.run(row.stream, row.revision, row.id, row.type, row.data, row.metadata, row.body);
  }).immediate;
  const started = process.hrtime.bigint();
  for (const row of rows) insertMany([row]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  db.close();
  return transfers / seconds;
}

function readRows(path: string, fromRevision: bigint, count: number): RawRow[] {
  const db = new Database(path, { readonly: true });
  db.defaultSafeIntegers(true);
  const rows = db
    .prepare(
      "SELECT stream, revision, id, type, data, metadata, body FROM events WHERE stream = 'ledger-PKR' AND revision >= ? ORDER BY revision LIMIT ?",
    )
    .all(fromRevision, count) as RawRow[];
  db.close();
  return rows;
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
}

function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const whole = (value: number) => Math.round(value);

async function main(): Promise<void> {
  // `-- --store postgres`: the same accounts and transfers on a PostgreSQL server the bench starts (issue 19).
  const storeFlag = process.argv.indexOf('--store');
  const storeKind = storeFlag === -1 ? 'sqlite' : process.argv[storeFlag + 1];
  if (storeKind === 'postgres') return postgresLedgerBench({ accountCommands, singlePhaseBatches, drive, rounds });
  if (storeKind !== 'sqlite') throw new Error(`--store takes sqlite or postgres, not ${String(storeKind)}`);
  const directory = mkdtempSync(join(tmpdir(), 'hisaab-bench-ledger-'));
  const storePath = join(directory, 'hisaab.db');
  const store = new SqliteEventStore(storePath);
  // Snapshots off: they are a start-up aid, and the figures should be the steady state of the hot path.
  const tigerBeetleBinary = tigerBeetlePath();
  const engine = createLedgerEngine({
    ledger: 'PKR',
    store,
    now: () => new Date(),
    snapshotEveryEvents: 0,
    recordsInFlightMax: recordsInFlight,
    onTickCommitted: (tick) => (appendMsTotal += tick.appendMs),
  });
  try {
    await engine.start();
    for (const batch of chunk(accountCommands(), batchCommandsMax)) await engine.submit(batch);
    console.log(
      `ledger bench: ${accountCount} accounts, ${hotSpotShare * 100} % hot payer, ${rounds} rounds of ${transfersPerRound} transfers, batches of ${batchSize}, ${inFlight} in flight, ${recordsInFlight} record(s) written while deciding`,
    );

    const single: Measurement[] = [];
    const twoPhase: Measurement[] = [];
    const ceiling: number[] = [];
    const tigerBeetle: TigerBeetleRun[] = [];
    const appendShares: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const singleBatches = singlePhaseBatches(round);
      const firstRevision = (await store.streamRevision('ledger-PKR')) ?? -1n;
      const appendMsBefore = appendMsTotal;
      const singleResult = await drive(singleBatches, engine);
      appendShares.push((appendMsTotal - appendMsBefore) / 1000 / singleResult.seconds);
      single.push(singleResult);
      const rows = readRows(storePath, firstRevision + 1n, transfersPerRound);
      ceiling.push(rawCeiling(directory, rows, transfersPerRound, round));
      const twoPhaseResult = await drive(twoPhaseBatches(round), engine);
      twoPhase.push(twoPhaseResult);
      const beside = tigerBeetleBinary === null ? null : await runTigerBeetle(tigerBeetleBinary, transfersPerRound);
      if (beside !== null) tigerBeetle.push(beside);
      console.log(
        `round ${round + 1}: single-phase ${whole(singleResult.perSecond)}/s, raw ceiling ${whole(ceiling[round] as number)}/s ` +
          `(ratio ${(singleResult.perSecond / (ceiling[round] as number)).toFixed(3)}), two-phase ${whole(twoPhaseResult.perSecond)}/s` +
          (beside === null
            ? ''
            : `, TigerBeetle ${whole(beside.perSecond)}/s (p99 ${beside.batchP99Ms} ms per batch; ratio ${(singleResult.perSecond / beside.perSecond).toFixed(3)})`),
      );
    }

    const singlePerSecond = median(single.map((measurement) => measurement.perSecond));
    const twoPhasePerSecond = median(twoPhase.map((measurement) => measurement.perSecond));
    const ceilingPerSecond = median(ceiling);
    // Each round's single-phase run and its ceiling are measured back to back: their ratio is the robust figure.
    const ratio = median(single.map((measurement, round) => measurement.perSecond / (ceiling[round] as number)));
    const singleLatencies = single.flatMap((measurement) => measurement.latenciesMs);
    const twoPhaseLatencies = twoPhase.flatMap((measurement) => measurement.latenciesMs);
    const figures = {
      single_phase_per_s: whole(singlePhasePerSecondGuard(singlePerSecond)),
      two_phase_per_s: whole(twoPhasePerSecond),
      raw_ceiling_per_s: whole(ceilingPerSecond),
      ratio: Math.round(ratio * 1000) / 1000,
      single_phase_p50_ms: round1(percentile(singleLatencies, 0.5)),
      single_phase_p99_ms: round1(percentile(singleLatencies, 0.99)),
      two_phase_p50_ms: round1(percentile(twoPhaseLatencies, 0.5)),
      two_phase_p99_ms: round1(percentile(twoPhaseLatencies, 0.99)),
      accounts: accountCount,
      hot_spot_share: hotSpotShare,
      transfers_per_round: transfersPerRound,
      rounds,
      batch_size: batchSize,
      in_flight: inFlight,
      records_in_flight: recordsInFlight,
      // Sum of append times over the single-phase run's time: with one record in flight, the share of the run the
      // engine spent writing; with more, appends overlap and wait for each other, so it is no longer that.
      single_phase_append_share: Math.round(median(appendShares) * 1000) / 1000,
      ...tigerBeetleFigures(single, tigerBeetle),
    };
    console.log(
      `single-phase: ${figures.single_phase_per_s} transfers/s, commit latency p50 ${figures.single_phase_p50_ms} ms, p99 ${figures.single_phase_p99_ms} ms`,
    );
    console.log(
      `two-phase:    ${figures.two_phase_per_s} transfers/s, commit latency p50 ${figures.two_phase_p50_ms} ms, p99 ${figures.two_phase_p99_ms} ms (per step)`,
    );
    console.log(
      `raw durable-append ceiling: ${figures.raw_ceiling_per_s} transfers/s (the same records); single-phase / ceiling = ${figures.ratio} (median of the rounds' ratios)`,
    );
    if (tigerBeetle.length > 0)
      console.log(
        `TigerBeetle:  ${figures.tigerbeetle_per_s} transfers/s, batch latency p99 ${figures.tigerbeetle_p99_ms} ms; single-phase / TigerBeetle = ${figures.tigerbeetle_ratio} (median of the rounds' ratios)`,
      );
    console.log(JSON.stringify(figures));
  } finally {
    await engine.stop();
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

/** TigerBeetle's median rate and batch p99, and the median of the rounds' ratios; none when it did not run. */
function tigerBeetleFigures(single: readonly Measurement[], runs: readonly TigerBeetleRun[]) {
  if (runs.length === 0) return {};
  return {
    tigerbeetle_per_s: whole(median(runs.map((run) => run.perSecond))),
    tigerbeetle_p99_ms: median(runs.map((run) => run.batchP99Ms)),
    tigerbeetle_ratio: Math.round(median(runs.map((run, round) => (single[round] as Measurement).perSecond / run.perSecond)) * 1000) / 1000,
  };
}

/** A figure of zero or less would mean the run measured nothing: fail loudly instead of printing it. */
function singlePhasePerSecondGuard(value: number): number {
  if (!(value > 0)) throw new Error('the single-phase run measured nothing');
  return value;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
