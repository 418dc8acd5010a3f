import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SqliteEventStore } from '../../adapters/eventstore-sqlite/sqlite-event-store';
import { createLedgerEngine } from '../../core/ledger/ledger-engine';
import { ledgerFacts } from '../../core/ledger/ledger-record';
import { verifyLedger } from '../../core/ledger/ledger-verification';
import { tempDir } from '../support/temp-dir';

/**
 * Nothing acknowledged is lost and nothing unacknowledged is half applied when the ledger engine decides its next
 * batch while the last is written (recordsInFlightMax 2), killed with SIGKILL at each point between deciding and
 * writing (see children/pipelined-ledger-child.ts): a batch decided on undurable state but not sent, a record
 * handed to the writer thread and perhaps half written, a record durable but not answered. The three generations
 * write one store file in turn, each starting from what the kill before it left.
 */
const repositoryRoot = join(__dirname, '..', '..');
const childScript = join(__dirname, 'children', 'pipelined-ledger-child.ts');

type Generation = { acknowledged: string[]; overlaps: number };

function runUntilKilled(path: string, prefix: string, killPoint: string): Promise<Generation> {
  return new Promise((resolve, reject) => {
    // Plain node with tsx's loader, not the tsx CLI: the child's own SIGKILL is then the exit the test sees.
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, path, prefix, killPoint], {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const generation: Generation = { acknowledged: [], overlaps: 0 };
    let stderr = '';
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line.startsWith('ok ')) generation.acknowledged.push(line.slice(3));
      else if (line.startsWith('overlap ')) generation.overlaps += 1;
    });
    const closed = new Promise<void>((done) => lines.once('close', () => done()));
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      void closed.then(() => {
        if (signal === 'SIGKILL' && stderr === '') resolve(generation);
        else reject(new Error(`the writer did not reach its kill point ${killPoint} (signal ${String(signal)}): ${stderr}`));
      });
    });
  });
}

/** Every transfer id in the ledger's log, from its records. */
async function loggedTransferIds(store: SqliteEventStore): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let revision = 0n; ;) {
    const page = await store.readStream('ledger-PKR', revision, 1000);
    for (const recorded of page)
      for (const fact of ledgerFacts(recorded)) if (fact.type === 'LedgerTransferPosted') ids.add(fact.data.transferId);
    if (page.length < 1000) return ids;
    revision += BigInt(page.length);
  }
}

describe('pipelined ledger crash (SIGKILL between deciding and writing)', () => {
  it('keeps every acknowledged transfer, applies linked pairs whole, and keeps every invariant', async () => {
    const directory = tempDir('hisaab-pipelined-ledger-crash-');
    const path = join(directory.path, 'hisaab.db');
    try {
      const generations = [
        await runUntilKilled(path, 'g1', 'decided:6'),
        await runUntilKilled(path, 'g2', 'sent:8'),
        await runUntilKilled(path, 'g3', 'durable:8'),
      ];
      // The first kill point is reached only by a batch decided while the one before it was still being written.
      expect(generations[0]?.overlaps).toBe(6);
      const acknowledged = generations.flatMap((generation) => generation.acknowledged);
      expect(acknowledged.length).toBeGreaterThan(0);

      const store = new SqliteEventStore(path);
      const logged = await loggedTransferIds(store);
      expect(acknowledged.filter((id) => !logged.has(id))).toEqual([]);
      // A linked pair is in the log whole or not at all, acknowledged or not.
      const halfPairs = [...logged].filter(
        (id) => (id.endsWith('-a') && !logged.has(`${id.slice(0, -2)}-b`)) || (id.endsWith('-b') && !logged.has(`${id.slice(0, -2)}-a`)),
      );
      expect(halfPairs).toEqual([]);
      // The last kill came after a record was durable and before its submits were answered: it is in the log.
      const lastAcknowledged = new Set(generations[2]?.acknowledged);
      expect([...logged].filter((id) => id.startsWith('g3-') && !lastAcknowledged.has(id)).length).toBeGreaterThan(0);
      const report = await verifyLedger(store, 'PKR');
      expect(report.violations).toEqual([]);

      // The engine that starts from this log (snapshots and all) knows every acknowledged transfer.
      const engine = createLedgerEngine({ ledger: 'PKR', store, now: () => new Date(), expiryCheckIntervalMs: 0 });
      await engine.start();
      const missing: string[] = [];
      for (const id of acknowledged) if ((await engine.lookupTransfer(id)) === undefined) missing.push(id);
      expect(missing).toEqual([]);
      await engine.stop();
      await store.close();
    } finally {
      directory.remove();
    }
  }, 240_000);
});
