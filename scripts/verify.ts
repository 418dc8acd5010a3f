/**
 * `npm run verify [-- --data-dir DIR]`: checks the ledger invariants on the switch's event store, the one the
 * switch itself opens from the same environment: HISAAB_EVENTSTORE (`sqlite:<path>` or `esdb://…`) when set,
 * else DIR/hisaab.db (DIR: --data-dir, or $HISAAB_DATA_DIR, or ./data). An explicit --data-dir means that
 * directory's SQLite file. With none of them and no ./data/hisaab.db, it checks the newest ./data/demo-<time>/
 * (where `npm start` writes) and says so. Safe on a running switch: it only reads, and checks the prefix of the log present
 * when it began. Prints a report per ledger and exits 0 when every invariant holds, 1 with the broken
 * invariants otherwise, 2 on bad usage. See core/ledger/ledger-verification.ts for the invariants. It also walks the
 * audit trail's hash chain (core/audit/audit-chain-verification.ts) and names its first broken entry.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { openEventStore, selectEventStore, type EventStoreSelection } from '../adapters/eventstore-factory';
import { verifyAuditChain } from '../core/audit/audit-chain-verification';
import { ledgersInStore, verifyLedger } from '../core/ledger/ledger-verification';

function dataDirectoryArgument(argv: readonly string[]): string | undefined {
  const index = argv.indexOf('--data-dir');
  if (index >= 0) {
    const value = argv[index + 1];
    if (value === undefined || value.startsWith('--')) throw new Error('--data-dir needs a directory');
    return value;
  }
  const inline = argv.find((argument) => argument.startsWith('--data-dir='));
  return inline === undefined ? undefined : inline.slice('--data-dir='.length);
}

function storeSelection(argv: readonly string[]): EventStoreSelection {
  const explicitDirectory = dataDirectoryArgument(argv);
  if (explicitDirectory !== undefined) return selectEventStore(undefined, resolve(explicitDirectory));
  const configured = selectEventStore(process.env.HISAAB_EVENTSTORE, resolve(process.env.HISAAB_DATA_DIR ?? './data'));
  const nothingConfigured = (process.env.HISAAB_EVENTSTORE ?? '') === '' && (process.env.HISAAB_DATA_DIR ?? '') === '';
  if (!nothingConfigured || configured.kind !== 'sqlite' || existsSync(configured.path)) return configured;
  // `npm start` writes each run to a fresh ./data/demo-<ISO time>/, so that is where a first user's log is.
  const demoDirectory = newestDemoDirectory(resolve('./data'));
  if (demoDirectory === null) return configured;
  console.log(
    `verify: no store at ${relative(process.cwd(), configured.path)}; checking the latest demo's data: ${relative(process.cwd(), demoDirectory)}`,
  );
  return selectEventStore(undefined, demoDirectory);
}

/** The newest demo run's data dir that holds an event store; their names sort by the time they were made. */
function newestDemoDirectory(dataDirectory: string): string | null {
  if (!existsSync(dataDirectory)) return null;
  const runs = readdirSync(dataDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name.startsWith('demo-') && existsSync(join(dataDirectory, entry.name, 'hisaab.db')))
    .map((entry) => entry.name)
    .sort();
  const newest = runs[runs.length - 1];
  return newest === undefined ? null : join(dataDirectory, newest);
}

async function main(): Promise<number> {
  let selection: EventStoreSelection;
  try {
    selection = storeSelection(process.argv.slice(2));
  } catch (error) {
    console.error(`usage: npm run verify [-- --data-dir DIR]: ${(error as Error).message}`);
    return 2;
  }
  // Opening a SQLite path that does not exist would create an empty store and report it healthy.
  if (selection.kind === 'sqlite' && !existsSync(selection.path)) {
    console.error(
      `verify: no event store at ${selection.path}: start the switch (npm run serve) or the demo (npm start) first, or name a data dir with --data-dir DIR`,
    );
    return 2;
  }
  const where = selection.kind === 'sqlite' ? selection.path : 'the EventStoreDB cluster';
  const store = await openEventStore(selection);
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
    if (ledgers.length === 0) console.log(`verify: ${where} holds no ledger stream`);
    const audit = await verifyAuditChain(store);
    if (audit.firstBroken === null) {
      console.log(`audit: ${audit.entries} entries, the hash chain is whole${audit.head === null ? '' : ` (head ${audit.head})`}`);
    } else {
      console.error(`invariant broken: the audit chain breaks at ${audit.firstBroken}`);
      broken += 1;
    }
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
