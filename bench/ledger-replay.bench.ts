/**
 * `npm run bench:ledger-replay`: how fast start-up rebuilds the ledger from its batch records (issue 18, item 5),
 * measured in one run against the read of the same records:
 *   (a) replay: loadLedger from empty (no snapshot) over a log of HISAAB_BENCH_TRANSFERS single-phase transfers
 *       (1,000,000) between 10,000 accounts, written by the engine in batches of 8,190: transfers/s;
 *   (b) the ceiling: reading the same records page by page and decoding their facts, without applying them.
 * Prints both, their ratio, and as its last line one JSON object with the figures.
 */
import { SqliteEventStore } from '../adapters/eventstore-sqlite/sqlite-event-store';
import type { LedgerCommand } from '../core/ledger/commands';
import { ledgerStreamName } from '../core/ledger/events';
import { createLedgerEngine } from '../core/ledger/ledger-engine';
import { batchCommandsMax, defaultTunables } from '../core/ledger/ledger-limits';
import { loadLedger } from '../core/ledger/ledger-loader';
import { ledgerFacts, ledgerRecordsPerReadMax } from '../core/ledger/ledger-record';
import { benchDirectory } from './support/bench-directory';
import { positiveInteger } from './support/bench-settings';

const accountCount = 10_000;
const transfers = positiveInteger('HISAAB_BENCH_TRANSFERS', 1_000_000);

async function writeLog(store: SqliteEventStore): Promise<void> {
  const engine = createLedgerEngine({ ledger: 'PKR', store, now: () => new Date(), snapshotEveryEvents: 0 });
  await engine.start();
  const accounts: LedgerCommand[] = Array.from({ length: accountCount }, (_, index) => ({
    type: 'create_account',
    id: `acct-${index}`,
    ledger: 'PKR',
    code: 'POSITION',
    owner: `participant-${index}`,
    debitLimitMinor: 10n ** 15n,
  }));
  for (let start = 0; start < accounts.length; start += batchCommandsMax)
    await engine.submit(accounts.slice(start, start + batchCommandsMax));
  for (let start = 0; start < transfers; start += batchCommandsMax) {
    const batch: LedgerCommand[] = [];
    for (let index = start; index < Math.min(transfers, start + batchCommandsMax); index += 1) {
      batch.push({
        type: 'transfer',
        id: `t-${index}`,
        ledger: 'PKR',
        debitAccountId: `acct-${index % accountCount}`,
        creditAccountId: `acct-${(index * 7 + 1) % accountCount}`,
        amountMinor: 100n + BigInt(index % 1000),
        code: 'P2P',
      });
    }
    const receipt = await engine.submit(batch);
    if (receipt.results.some((result) => result !== 'ok')) throw new Error('a benchmark transfer was refused');
  }
  await engine.stop();
}

async function readAndDecode(store: SqliteEventStore): Promise<number> {
  const stream = ledgerStreamName('PKR');
  let facts = 0;
  for (let next = 0n; ;) {
    const page = await store.readStream(stream, next, ledgerRecordsPerReadMax);
    for (const recorded of page) facts += ledgerFacts(recorded).length;
    if (page.length < ledgerRecordsPerReadMax) return facts;
    next += BigInt(page.length);
  }
}

function seconds(startedNs: bigint): number {
  return Number(process.hrtime.bigint() - startedNs) / 1e9;
}

async function main(): Promise<void> {
  const directory = benchDirectory('ledger-replay');
  const store = new SqliteEventStore(`${directory.path}/hisaab.db`);
  try {
    await writeLog(store);
    const records = Number((await store.streamRevision(ledgerStreamName('PKR'))) ?? -1n) + 1;
    let started = process.hrtime.bigint();
    const facts = await readAndDecode(store);
    const readSeconds = seconds(started);
    started = process.hrtime.bigint();
    const loaded = await loadLedger(store, 'PKR', defaultTunables, false);
    const replaySeconds = seconds(started);
    if (loaded.state.eventCount !== facts) throw new Error('the replay applied every fact it read');
    const figures = {
      transfers,
      records,
      replay_per_s: Math.round(transfers / replaySeconds),
      read_and_decode_per_s: Math.round(transfers / readSeconds),
      ratio: Math.round((readSeconds / replaySeconds) * 1000) / 1000,
      replay_s: Math.round(replaySeconds * 100) / 100,
    };
    console.log(`ledger replay: ${transfers} transfers in ${records} records (plus ${accountCount} accounts)`);
    console.log(`replay from empty:  ${figures.replay_per_s} transfers/s (${figures.replay_s} s)`);
    console.log(`read and decode:    ${figures.read_and_decode_per_s} transfers/s; replay / read = ${figures.ratio}`);
    console.log(JSON.stringify(figures));
  } finally {
    await store.close();
    directory.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
