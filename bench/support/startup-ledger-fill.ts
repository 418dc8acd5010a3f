import { join } from 'node:path';
import { SqliteEventStore } from '../../adapters/eventstore-sqlite/sqlite-event-store';
import { defaultEventStoreFileName } from '../../adapters/eventstore-factory';
import { switchProjections } from '../../adapters/readmodel-sqlite/projections/switch-projections';
import { readModelPath, SqliteReadModelStore } from '../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { ProjectionRunner } from '../../core/eventstore/projection-runner';
import type { LedgerCommand } from '../../core/ledger/commands';
import { createLedgerEngine } from '../../core/ledger/ledger-engine';
import { batchCommandsMax } from '../../core/ledger/ledger-limits';
import { catchUp } from './startup-history';

/** The two hub accounts the fill moves money between, back and forth, so neither balance grows without end. */
const fillAccounts = ['bench-fill-a', 'bench-fill-b'] as const;
/** Batches in flight: enough to keep the engine's ticks full while the previous one is written. */
const batchesInFlight = 2;

/**
 * Adds `transfers` single-phase transfers to the PKR ledger of a data dir through the real ledger engine, in full
 * ticks of 8,190, then lets the switch's projections catch up and stops: the issue 18 start-up case (a ledger
 * with a long history) written in a minute or two rather than through the payment path. The ledger takes its
 * snapshots as it goes, as it does in the switch, so a start reads the latest one and then the window's part of
 * the log (the last 10,000,000 transfers at most) for its idempotency memory.
 */
export async function writeLedgerFill(dataDir: string, transfers: number, report: (line: string) => void): Promise<void> {
  const store = new SqliteEventStore(join(dataDir, defaultEventStoreFileName));
  const readModelStore = new SqliteReadModelStore(readModelPath(dataDir));
  const runner = new ProjectionRunner({ store, readModels: readModelStore, projections: switchProjections });
  const ledger = createLedgerEngine({ ledger: 'PKR', store, now: () => new Date() });
  await ledger.start();
  const startedAtMs = Date.now();
  try {
    const opened = await ledger.submit(
      fillAccounts.map((id) => ({ type: 'create_account', id, ledger: 'PKR', code: 'HUB_SUSPENSE', owner: 'hub' })),
    );
    if (opened.results.some((result) => result !== 'ok' && result !== 'exists')) throw new Error('the fill accounts could not be opened');
    const run = `${Date.now().toString(36)}`;
    let next = 0;
    const submitBatch = async (): Promise<void> => {
      while (next < transfers) {
        const first = next;
        const count = Math.min(batchCommandsMax, transfers - first);
        next += count;
        const batch: LedgerCommand[] = [];
        for (let index = first; index < first + count; index += 1) {
          const forward = index % 2 === 0;
          batch.push({
            type: 'transfer',
            id: `fill-${run}-${index}`,
            ledger: 'PKR',
            debitAccountId: forward ? fillAccounts[0] : fillAccounts[1],
            creditAccountId: forward ? fillAccounts[1] : fillAccounts[0],
            amountMinor: 100n,
            code: 'P2P',
          });
        }
        const receipt = await ledger.submit(batch);
        if (receipt.results.some((result) => result !== 'ok')) throw new Error('a fill transfer was refused');
        if (Math.floor(next / 1_000_000) !== Math.floor(first / 1_000_000))
          report(`ledger fill: ${next} transfers (${Math.round(next / ((Date.now() - startedAtMs) / 1000))}/s)`);
      }
    };
    await Promise.all(Array.from({ length: batchesInFlight }, submitBatch));
  } finally {
    await ledger.stop();
  }
  await runner.start();
  try {
    await catchUp(runner, store);
  } finally {
    await runner.stop();
    readModelStore.close();
    await store.close();
  }
  report(`ledger fill: ${transfers} transfers and read models caught up in ${((Date.now() - startedAtMs) / 1000).toFixed(1)} s`);
}
