/**
 * `npm run verify [-- --data-dir DIR]`: checks the ledger invariants on a data directory's event store
 * (DIR/hisaab.db, the SqliteEventStore file; DIR defaults to $HISAAB_DATA_DIR or ./data). Prints a report per
 * ledger and exits 0 when every invariant holds, 1 with the broken invariants otherwise, 2 on bad usage.
 * See core/ledger/ledger-verification.ts for the invariants.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SqliteEventStore } from '../adapters/eventstore-sqlite/sqlite-event-store';
import { ledgersInStore, verifyLedger } from '../core/ledger/ledger-verification';

function dataDirectory(argv: readonly string[]): string {
  const index = argv.indexOf('--data-dir');
  if (index >= 0) {
    const value = argv[index + 1];
    if (value === undefined || value.startsWith('--')) throw new Error('--data-dir needs a directory');
    return value;
  }
  const inline = argv.find((argument) => argument.startsWith('--data-dir='));
  if (inline !== undefined) return inline.slice('--data-dir='.length);
  return process.env.HISAAB_DATA_DIR ?? './data';
}

async function main(): Promise<number> {
  let directory: string;
  try {
    directory = resolve(dataDirectory(process.argv.slice(2)));
  } catch (error) {
    console.error(`usage: npm run verify [-- --data-dir DIR]: ${(error as Error).message}`);
    return 2;
  }
  const path = join(directory, 'hisaab.db');
  if (!existsSync(path)) {
    console.error(`verify: no event store at ${path}`);
    return 2;
  }
  const store = new SqliteEventStore(path);
  try {
    const ledgers = await ledgersInStore(store);
    let broken = 0;
    for (const ledger of ledgers) {
      const report = await verifyLedger(store, ledger);
      console.log(
        `ledger-${ledger}: ${report.events} events, ${report.accounts} accounts, ${report.transfers} transfers, ${report.openPendingTransfers} pending, ` +
          `snapshot ${report.snapshotChecked ? 'checked' : 'none'}: ${report.violations.length === 0 ? 'every invariant holds' : 'BROKEN'}`,
      );
      for (const violation of report.violations) console.error(`invariant broken: ${violation}`);
      broken += report.violations.length;
    }
    if (ledgers.length === 0) console.log(`verify: ${path} holds no ledger stream`);
    return broken === 0 ? 0 : 1;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`verify failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
