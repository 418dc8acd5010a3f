import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { SqliteEventStore } from '../../adapters/eventstore-sqlite/sqlite-event-store';
import { createLedgerEngine } from '../../core/ledger/ledger-engine';
import { verifyLedger } from '../../core/ledger/ledger-verification';
import { tempDir } from '../support/temp-dir';

/**
 * Nothing acknowledged is lost: a writer process is killed with SIGKILL in the middle of its work, twice; every
 * transfer it acknowledged must be in the ledger afterwards, and the log must pass every invariant.
 */
function runUntilKilled(path: string, prefix: string, acknowledgementsBeforeKill: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    // Detached into its own process group: tsx runs the script in a child node process, and a kill must take both.
    const child = spawn('node_modules/.bin/tsx', ['test/integration/ledger/ledger-writer-process.ts', path, prefix], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const killGroup = () => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    };
    const acknowledged: string[] = [];
    let buffered = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      if (!killed) killGroup();
      reject(new Error(`writer did not acknowledge ${acknowledgementsBeforeKill} transfers in time: ${stderr}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('ok ')) acknowledged.push(line.slice(3));
      if (!killed && acknowledged.length >= acknowledgementsBeforeKill) {
        killed = true;
        killGroup();
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(acknowledged);
      else reject(new Error(`writer exited on its own: ${stderr}`));
    });
  });
}

describe('ledger crash (SIGKILL) reliability', () => {
  it('keeps every acknowledged transfer and every invariant across kills', async () => {
    const directory = tempDir('hisaab-ledger-crash-');
    const path = join(directory.path, 'hisaab.db');
    try {
      const first = await runUntilKilled(path, 'g1', 300);
      const second = await runUntilKilled(path, 'g2', 300);
      const store = new SqliteEventStore(path);
      const engine = createLedgerEngine({ ledger: 'PKR', store, now: () => new Date(), expiryCheckIntervalMs: 0 });
      await engine.start();
      const missing: string[] = [];
      for (const id of [...first, ...second]) if ((await engine.lookupTransfer(id)) === undefined) missing.push(id);
      expect(missing).toEqual([]);
      expect(first.length + second.length).toBeGreaterThanOrEqual(600);
      const report = await verifyLedger(store, 'PKR');
      expect(report.violations).toEqual([]);
      await engine.stop();
      await store.close();
    } finally {
      directory.remove();
    }
  });
});
