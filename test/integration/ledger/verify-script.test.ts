import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { newId } from '../../../core/ids';
import { createLedgerEngine } from '../../../core/ledger/ledger-engine';
import { tempDir } from '../../support/temp-dir';

type Run = { code: number; stdout: string; stderr: string };

function runVerify(dataDir: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile('node_modules/.bin/tsx', ['scripts/verify.ts', '--data-dir', dataDir], { timeout: 30_000 }, (error, stdout, stderr) => {
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

  async function writeGoodLedger(): Promise<SqliteEventStore> {
    const store = new SqliteEventStore(join(directory.path, 'hisaab.db'));
    const engine = createLedgerEngine({ ledger: 'PKR', store, now: () => new Date('2026-01-01T00:00:00Z'), snapshotEveryEvents: 3 });
    await engine.start();
    await engine.submit([
      { type: 'create_account', id: 'A', ledger: 'PKR', code: 'POSITION', owner: 'A', debitLimitMinor: 100n },
      { type: 'create_account', id: 'B', ledger: 'PKR', code: 'POSITION', owner: 'B' },
      { type: 'transfer', id: 't1', ledger: 'PKR', debitAccountId: 'A', creditAccountId: 'B', amountMinor: 100n, code: 'P2P' },
      { type: 'pending_transfer', id: 'p1', ledger: 'PKR', debitAccountId: 'B', creditAccountId: 'A', amountMinor: 40n, code: 'P2P', timeoutMs: 1000 },
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
          type: 'LedgerTransferPosted',
          data: { transferId: 't2', debitAccountId: 'A', creditAccountId: 'B', amountMinor: '1', code: 'P2P', userData: null },
          metadata: { at: '2026-01-01T00:00:00.000Z' },
        },
      ],
      3n,
    );
    await store.close();
    const run = await runVerify(directory.path);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/invariant broken: ledger-PKR revision 4: transfer t2 takes A past its net debit cap/);
  });

  it('exits 2 when there is no store in the directory', async () => {
    const run = await runVerify(join(directory.path, 'missing'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no event store/);
  });
});
