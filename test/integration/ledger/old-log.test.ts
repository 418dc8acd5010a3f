import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import type { RecordedEvent } from '../../../core/eventstore/event';
import { canonicalState } from '../../../core/ledger/canonical-state';
import { SingleWriterLedgerEngine } from '../../../core/ledger/single-writer-engine';
import { defaultTunables } from '../../../core/ledger/ledger-limits';
import { loadLedger } from '../../../core/ledger/ledger-loader';
import { ledgerBatchType, ledgerFacts } from '../../../core/ledger/ledger-record';
import { verifyLedger } from '../../../core/ledger/ledger-verification';
import { tempDir } from '../../support/temp-dir';

/**
 * A log written by the engine before the batch record (test/fixtures/make-ledger-log-v0.ts made it: one JSON event
 * per fact, JSON snapshot chunks) opens, replays to the very state its engine held, verifies, and takes new
 * records after its old ones.
 */
const fixtureDirectory = join(__dirname, '..', '..', 'fixtures');
const stateWhenWritten = inTodaysCanonicalForm(readFileSync(join(fixtureDirectory, 'ledger-log-v0.state.json'), 'utf8').trim());

type OldTransferEntry = [string, string, ...unknown[]];

/**
 * The fixture's state as its engine printed it, in today's canonical form: the engine then kept every remembered
 * transfer whole; today it keeps pending transfers whole and every remembered one as [fact number, kind, pending
 * status] in the id window off the object heap (core/ledger/transfer-id-window.ts). The same facts, another form.
 */
function inTodaysCanonicalForm(oldText: string): string {
  const old = JSON.parse(oldText) as { transfers: OldTransferEntry[] } & Record<string, unknown>;
  const statusAt = 9;
  const eventNumberAt = 12;
  const pending = old.transfers.filter((entry) => entry[statusAt] === 'pending');
  const window = old.transfers
    .map((entry) => [entry[eventNumberAt], entry[1], entry[1] === 'pending_transfer' ? entry[statusAt] : null] as [number, string, unknown])
    .sort((left, right) => left[0] - right[0]);
  return JSON.stringify({ ...old, transfers: pending, window });
}
/** The fixture's clock ended at 2026-01-01T00:00:03.500Z; later facts are decided after it. */
const afterFixtureMs = Date.parse('2026-01-01T00:00:10.000Z');

describe('a ledger log written before the batch record', () => {
  let directory: ReturnType<typeof tempDir>;
  let path: string;
  beforeEach(() => {
    directory = tempDir('hisaab-old-log-');
    path = join(directory.path, 'hisaab.db');
    copyFileSync(join(fixtureDirectory, 'ledger-log-v0.db'), path);
  });
  afterEach(() => directory.remove());

  it('replays, from its snapshot and from empty, to the state its engine held, and verifies', async () => {
    const store = new SqliteEventStore(path);
    try {
      const fromSnapshot = await loadLedger(store, 'PKR', defaultTunables, true);
      const fromEmpty = await loadLedger(store, 'PKR', defaultTunables, false);
      expect(fromSnapshot.snapshotEventCount).not.toBeNull();
      expect(canonicalState(fromSnapshot.state)).toBe(stateWhenWritten);
      expect(canonicalState(fromEmpty.state)).toBe(stateWhenWritten);
      const report = await verifyLedger(store, 'PKR');
      expect(report.violations).toEqual([]);
      expect(report).toMatchObject({ accounts: 4, openPendingTransfers: 1, snapshotChecked: true });
    } finally {
      await store.close();
    }
  });

  it('takes new records after the old ones, and the mixed log replays and verifies', async () => {
    const store = new SqliteEventStore(path);
    try {
      const engine = new SingleWriterLedgerEngine({
        ledger: 'PKR',
        store,
        now: () => new Date(afterFixtureMs),
        snapshotEveryEvents: 4,
        expiryCheckIntervalMs: 0,
      });
      await engine.start();
      expect(await engine.canonicalState()).toBe(stateWhenWritten);
      const receipt = await engine.submit([
        { type: 'post_pending', id: 'p-4-post', pendingId: 'p-4' },
        {
          type: 'transfer',
          id: 't-3',
          ledger: 'PKR',
          debitAccountId: 'RAVI-position',
          creditAccountId: 'MARGALLA-position',
          amountMinor: 42n,
          code: 'P2P',
          userData: { transferId: 't-3' },
        },
        // Ids the old log holds answer `exists`, as they did before.
        {
          type: 'transfer',
          id: 't-2',
          ledger: 'PKR',
          debitAccountId: 'RAVI-position',
          creditAccountId: 'MARGALLA-position',
          amountMinor: 99_99n,
          code: 'P2P',
        },
        { type: 'create_account', id: 'JHELUM-position', ledger: 'PKR', code: 'POSITION', owner: 'JHELUM', debitLimitMinor: 10_000n },
        {
          type: 'pending_transfer',
          id: 'p-5',
          ledger: 'PKR',
          debitAccountId: 'JHELUM-position',
          creditAccountId: 'RAVI-position',
          amountMinor: 5_000n,
          code: 'P2P',
          timeoutMs: 60_000,
        },
      ]);
      expect(receipt.results).toEqual(['ok', 'ok', 'exists', 'ok', 'ok']);
      const live = await engine.canonicalState();
      await engine.stop();

      const restarted = new SingleWriterLedgerEngine({
        ledger: 'PKR',
        store,
        now: () => new Date(afterFixtureMs),
        expiryCheckIntervalMs: 0,
      });
      await restarted.start();
      expect(await restarted.canonicalState()).toBe(live);
      expect(await restarted.lookupTransfer('t-1')).toMatchObject({ amountMinor: 1500_50n, code: 'P2P' });
      expect(await restarted.lookupAccount('JHELUM-position')).toMatchObject({ debitsPendingMinor: 5_000n });
      await restarted.stop();

      // The old log's fifteen JSON facts, then one batch record for the new tick's four facts.
      const records = await store.readStream('ledger-PKR', 0n, 100);
      expect(records.map((recorded) => recorded.type)).toEqual([...records.slice(0, 15).map((recorded) => recorded.type), ledgerBatchType]);
      expect(records.slice(0, 15).every((recorded) => recorded.bytes === undefined)).toBe(true);
      expect(ledgerFacts(records[15] as RecordedEvent).map((fact) => fact.type)).toEqual([
        'LedgerPendingPosted',
        'LedgerTransferPosted',
        'LedgerAccountOpened',
        'LedgerTransferReserved',
      ]);
      const fromEmpty = await loadLedger(store, 'PKR', defaultTunables, false);
      expect(canonicalState(fromEmpty.state)).toBe(live);
      const report = await verifyLedger(store, 'PKR');
      expect(report.violations).toEqual([]);
      expect(report).toMatchObject({ accounts: 5, openPendingTransfers: 1, snapshotChecked: true });
    } finally {
      await store.close();
    }
  });
});
