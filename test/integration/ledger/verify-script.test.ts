import { execFile, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { newId } from '../../../core/ids';
import { createLedgerEngine } from '../../../core/ledger/ledger-engine';
import { ledgerBatchType } from '../../../core/ledger/ledger-record';
import { encodeLedgerRecords } from '../../../core/ledger/ledger-record-encoder';
import { tempDir } from '../../support/temp-dir';

const repositoryRoot = join(__dirname, '..', '..', '..');

/** A batch record (the ledger's fifth fact) with a P2P debit past A's cap of 100, as a bug or a hand edit would write. */
function overCapRecord(): Uint8Array {
  const [record] = encodeLedgerRecords(
    [
      {
        type: 'LedgerTransferPosted',
        data: { transferId: 't2', debitAccountId: 'A', creditAccountId: 'B', amountMinor: '1', code: 'P2P', userData: null },
      },
    ],
    4,
  );
  if (record === undefined) throw new Error('one fact makes one record');
  return record;
}

type Run = { code: number; stdout: string; stderr: string };

function runVerify(dataDir: string | null, environment: Record<string, string> = {}): Promise<Run> {
  const args = dataDir === null ? ['scripts/verify.ts'] : ['scripts/verify.ts', '--data-dir', dataDir];
  return new Promise((resolve) => {
    execFile('node_modules/.bin/tsx', args, { timeout: 30_000, env: { ...process.env, ...environment } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run verify', () => {
  let directory: ReturnType<typeof tempDir>;
  beforeEach(() => {
    directory = tempDir('hisaab-verify-');
  });
  afterEach(() => directory.remove());

  async function writeGoodLedger(path = join(directory.path, 'hisaab.db')): Promise<SqliteEventStore> {
    const store = new SqliteEventStore(path);
    const engine = createLedgerEngine({ ledger: 'PKR', store, now: () => new Date('2026-01-01T00:00:00Z'), snapshotEveryEvents: 3 });
    await engine.start();
    await engine.submit([
      { type: 'create_account', id: 'A', ledger: 'PKR', code: 'POSITION', owner: 'A', debitLimitMinor: 100n },
      { type: 'create_account', id: 'B', ledger: 'PKR', code: 'POSITION', owner: 'B' },
      { type: 'transfer', id: 't1', ledger: 'PKR', debitAccountId: 'A', creditAccountId: 'B', amountMinor: 100n, code: 'P2P' },
      {
        type: 'pending_transfer',
        id: 'p1',
        ledger: 'PKR',
        debitAccountId: 'B',
        creditAccountId: 'A',
        amountMinor: 40n,
        code: 'P2P',
        timeoutMs: 1000,
      },
    ]);
    await engine.stop();
    return store;
  }

  it('exits 0 and reports every ledger when the invariants hold', async () => {
    const store = await writeGoodLedger();
    await store.close();
    const run = await runVerify(directory.path);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/ledger-PKR: 4 events, 2 accounts, 2 transfers, 1 pending, snapshot checked: every invariant holds/);
    expect(run.code).toBe(0);
  });

  it('exits 1 naming the broken invariant when a debit passed a net debit cap', async () => {
    const store = await writeGoodLedger();
    // Written behind the engine's back, as a bug or a hand edit would: a P2P debit past A's cap of 100.
    await store.append(
      'ledger-PKR',
      [
        {
          id: newId(),
          type: ledgerBatchType,
          data: {},
          metadata: { at: '2026-01-01T00:00:00.000Z' },
          bytes: overCapRecord(),
        },
      ],
      0n,
    );
    await store.close();
    const run = await runVerify(directory.path);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/invariant broken: ledger-PKR revision 1: transfer t2 takes A past its net debit cap/);
  });

  it('exits 0 on the data dir of a running switch, whose ledger grows while it is checked', async () => {
    // The writer of the SIGKILL test: appends (and snapshots every 50 events) until it is killed.
    const writer = spawn(
      'node_modules/.bin/tsx',
      ['test/integration/ledger/ledger-writer-process.ts', join(directory.path, 'hisaab.db'), 'live'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let acknowledged = 0;
    let writerStderr = '';
    writer.stderr.on('data', (chunk: Buffer) => (writerStderr += chunk.toString('utf8')));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the writer acknowledged nothing in time: ${writerStderr}`)), 20_000);
        writer.stdout.on('data', (chunk: Buffer) => {
          acknowledged += chunk
            .toString('utf8')
            .split('\n')
            .filter((line) => line.startsWith('ok ')).length;
          if (acknowledged >= 200) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const acknowledgedBefore = acknowledged;
      const run = await runVerify(directory.path);
      // The writer kept appending during the whole check: a prefix of a live log is what gets checked.
      expect(acknowledged).toBeGreaterThan(acknowledgedBefore);
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/ledger-PKR: \d+ events, 4 accounts, \d+ transfers, \d+ pending, snapshot checked: every invariant holds/);
      expect(run.code).toBe(0);
    } finally {
      if (writer.pid !== undefined && writer.exitCode === null) process.kill(-writer.pid, 'SIGKILL');
    }
  });

  it('checks the store the switch is configured with (HISAAB_EVENTSTORE), not a file that happens to be in the data dir', async () => {
    // The switch's log is where HISAAB_EVENTSTORE says; the data dir holds a stale file with a broken ledger.
    const stale = await writeGoodLedger();
    await stale.append(
      'ledger-PKR',
      [
        {
          id: newId(),
          type: ledgerBatchType,
          data: {},
          metadata: { at: '2026-01-01T00:00:00.000Z' },
          bytes: overCapRecord(),
        },
      ],
      0n,
    );
    await stale.close();
    const configured = await writeGoodLedger(join(directory.path, 'switch-log.db'));
    await configured.close();
    const run = await runVerify(null, {
      HISAAB_DATA_DIR: directory.path,
      HISAAB_EVENTSTORE: `sqlite:${join(directory.path, 'switch-log.db')}`,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/ledger-PKR: 4 events, 2 accounts, 2 transfers, 1 pending, snapshot checked: every invariant holds/);
    expect(run.code).toBe(0);

    const unusable = await runVerify(null, { HISAAB_DATA_DIR: directory.path, HISAAB_EVENTSTORE: 'mysql://nowhere' });
    expect(unusable.code).toBe(2);
    expect(unusable.stderr).toMatch(
      /HISAAB_EVENTSTORE must be sqlite:<path>, a postgres:\/\/ \(or postgresql:\/\/\) connection string, or an esdb:\/\//,
    );
  });

  it('without arguments after `npm start`, finds the newest demo data dir under ./data and says which it checks', async () => {
    // `npm start` writes to ./data/demo-<ISO time>/; `npm run verify` run from the same folder must find it.
    mkdirSync(join(directory.path, 'data', 'demo-2026-12-01T10-00-00-000Z'), { recursive: true });
    const older = await writeGoodLedger(join(directory.path, 'data', 'demo-2026-12-01T10-00-00-000Z', 'hisaab.db'));
    await older.close();
    mkdirSync(join(directory.path, 'data', 'demo-2026-12-02T09-30-00-000Z'), { recursive: true });
    const newest = await writeGoodLedger(join(directory.path, 'data', 'demo-2026-12-02T09-30-00-000Z', 'hisaab.db'));
    await newest.close();
    const environment = { ...process.env };
    delete environment['HISAAB_DATA_DIR'];
    delete environment['HISAAB_EVENTSTORE'];
    const run = await new Promise<Run>((resolve) => {
      execFile(
        join(repositoryRoot, 'node_modules', '.bin', 'tsx'),
        [join(repositoryRoot, 'scripts', 'verify.ts')],
        { cwd: directory.path, timeout: 30_000, env: environment },
        (error, stdout, stderr) => {
          resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
        },
      );
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`checking the latest demo's data: ${join('data', 'demo-2026-12-02T09-30-00-000Z')}`);
    expect(run.stdout).toMatch(/ledger-PKR: 4 events, 2 accounts, 2 transfers, 1 pending, snapshot checked: every invariant holds/);
    expect(run.code).toBe(0);
  });

  it('exits 2 when there is no store in the directory', async () => {
    const run = await runVerify(join(directory.path, 'missing'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no event store/);
  });
});
