import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { canonicalState } from '../../../core/ledger/canonical-state';
import type { LedgerCommand } from '../../../core/ledger/commands';
import { ledgerSnapshotStreamName } from '../../../core/ledger/events';
import { createLedgerEngine, type LedgerEngine } from '../../../core/ledger/ledger-engine';
import { loadLedger } from '../../../core/ledger/ledger-loader';
import { defaultTunables } from '../../../core/ledger/ledger-limits';
import { verifyLedger } from '../../../core/ledger/ledger-verification';
import { ledgerWindowStreamName } from '../../../core/ledger/transfer-id-window-segment';
import { tempDir } from '../../support/temp-dir';

/**
 * Window segments (issue 18 item 5): a start that reads the id window from the segments written beside the
 * snapshots answers as one that rebuilds it from the log, and a damaged segment makes the start rebuild it.
 */
const windowEvents = 40;
const engineOptions = { snapshotEveryEvents: 10, transfersRememberedEvents: windowEvents, expiryCheckIntervalMs: 0 };
const tunables = { ...defaultTunables, transfersRememberedEvents: windowEvents };
const nowMs = Date.parse('2026-03-01T09:00:00.000Z');

function account(id: string): LedgerCommand {
  return { type: 'create_account', id, ledger: 'PKR', code: 'POSITION', owner: id };
}

function pay(id: string, amountMinor: bigint): LedgerCommand {
  return { type: 'transfer', id, ledger: 'PKR', debitAccountId: 'A', creditAccountId: 'B', amountMinor, code: 'P2P' };
}

function reserve(id: string, amountMinor: bigint): LedgerCommand {
  return {
    type: 'pending_transfer',
    id,
    ledger: 'PKR',
    debitAccountId: 'A',
    creditAccountId: 'B',
    amountMinor,
    code: 'P2P',
    timeoutMs: 600_000,
  };
}

/** Repeats and new ids of every kind the window decides: what both starts must answer alike. */
const probes: LedgerCommand[] = [
  pay('t29', 3n),
  pay('t29', 4n),
  pay('t-new', 3n),
  reserve('p20', 2n),
  reserve('p20', 5n),
  { type: 'post_pending', id: 'c-new-1', pendingId: 'p18', amountMinor: 1n },
  { type: 'void_pending', id: 'v-new-1', pendingId: 'p21' },
  { type: 'post_pending', id: 'c-new-2', pendingId: 'p29', amountMinor: 2n },
  { type: 'void_pending', id: 'v-new-2', pendingId: 'p28' },
  { type: 'post_pending', id: 'c24', pendingId: 'p24', amountMinor: 1n },
  pay('t0', 3n),
];

describe('ledger window segments', () => {
  let directory: ReturnType<typeof tempDir>;
  let stores: SqliteEventStore[];
  let engines: LedgerEngine[];

  const openStore = (name: string) => {
    const store = new SqliteEventStore(join(directory.path, name));
    stores.push(store);
    return store;
  };
  const startEngine = async (name: string) => {
    const engine = createLedgerEngine({ ledger: 'PKR', store: openStore(name), now: () => new Date(nowMs), ...engineOptions });
    engines.push(engine);
    await engine.start();
    return engine;
  };

  beforeEach(() => {
    directory = tempDir('hisaab-window-segments-');
    stores = [];
    engines = [];
  });

  afterEach(async () => {
    for (const engine of engines) await engine.stop().catch(() => undefined);
    for (const store of stores) await store.close().catch(() => undefined);
    directory.remove();
  });

  /** A log whose window spans several segments, with pending transfers resolved segments after their creation. */
  const writeHistory = async () => {
    const engine = await startEngine('hisaab.db');
    await engine.submit([account('A'), account('B')]);
    for (let round = 0; round < 30; round += 1) {
      await engine.submit([pay(`t${round}`, 3n), reserve(`p${round}`, 2n)]);
      if (round >= 6 && round % 2 === 0)
        await engine.submit([{ type: 'post_pending', id: `c${round - 6}`, pendingId: `p${round - 6}`, amountMinor: 1n }]);
      if (round >= 5 && round % 2 === 1) await engine.submit([{ type: 'void_pending', id: `v${round - 4}`, pendingId: `p${round - 4}` }]);
    }
    await engine.stop();
    for (const store of stores.splice(0)) await store.close();
    copyFileSync(join(directory.path, 'hisaab.db'), join(directory.path, 'damaged.db'));
  };

  it('starts from the segments to the state and answers of a rebuild from the log', async () => {
    await writeHistory();
    const store = openStore('hisaab.db');
    const fromSegments = await loadLedger(store, 'PKR', tunables, true);
    const fromLog = await loadLedger(store, 'PKR', tunables, false);
    expect(fromSegments.snapshotEventCount).not.toBeNull();
    expect(fromSegments.windowFromSegments).toBe(true);
    expect(fromSegments.state.window.length).toBeGreaterThan(0);
    expect(canonicalState(fromSegments.state)).toBe(canonicalState(fromLog.state));
    expect((await verifyLedger(store, 'PKR', tunables)).violations).toEqual([]);

    // The damaged copy's newest segment loses a byte: its start rebuilds the window from the log instead.
    const damaged = new Database(join(directory.path, 'damaged.db'));
    const newest = damaged
      .prepare('SELECT position, body FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1')
      .get(ledgerWindowStreamName('PKR')) as { position: number; body: Buffer };
    newest.body[newest.body.length - 1] = (newest.body[newest.body.length - 1] as number) ^ 0xff;
    damaged.prepare('UPDATE events SET body = ? WHERE position = ?').run(newest.body, newest.position);
    damaged.close();
    const damagedStore = openStore('damaged.db');
    const fromDamaged = await loadLedger(damagedStore, 'PKR', tunables, true);
    expect(fromDamaged.windowFromSegments).toBe(false);
    expect(canonicalState(fromDamaged.state)).toBe(canonicalState(fromLog.state));
    for (const opened of stores.splice(0)) await opened.close();

    const results = (await (await startEngine('hisaab.db')).submit(probes)).results;
    const rebuiltResults = (await (await startEngine('damaged.db')).submit(probes)).results;
    expect(results).toEqual(rebuiltResults);
    expect(results.slice(0, 5)).toEqual(['exists', 'exists_with_different_fields', 'ok', 'exists', 'exists_with_different_fields']);
    // t0 has left the window: a new transfer to both.
    expect(results[results.length - 1]).toBe('ok');
  });

  it('keeps the chain across restarts: a start after a rebuilt window writes it whole, and the next start uses it', async () => {
    await writeHistory();
    // The damaged copy rebuilds once, then writes the whole window beside its next snapshot.
    const damaged = new Database(join(directory.path, 'damaged.db'));
    damaged.prepare('UPDATE events SET body = NULL WHERE stream = ?').run(ledgerWindowStreamName('PKR'));
    damaged.close();
    const engine = await startEngine('damaged.db');
    for (let round = 0; round < 6; round += 1) await engine.submit([pay(`after${round}`, 1n)]);
    await engine.submit([{ type: 'post_pending', id: 'late-post', pendingId: 'p27', amountMinor: 1n }]);
    for (let round = 6; round < 12; round += 1) await engine.submit([pay(`after${round}`, 1n)]);
    await engine.stop();
    for (const store of stores.splice(0)) await store.close();
    const store = openStore('damaged.db');
    const fromSegments = await loadLedger(store, 'PKR', tunables, true);
    const fromLog = await loadLedger(store, 'PKR', tunables, false);
    expect(fromSegments.windowFromSegments).toBe(true);
    expect(canonicalState(fromSegments.state)).toBe(canonicalState(fromLog.state));
  });

  it('skips a segment whose snapshot was never written, before the snapshot and between the segments of a later one', async () => {
    await writeHistory();
    // The newest snapshot is lost (as when its append fails after its segment's): the newest segment ends past the
    // snapshot a start now uses.
    const database = new Database(join(directory.path, 'hisaab.db'));
    const snapshots = database
      .prepare('SELECT revision, data FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1')
      .get(ledgerSnapshotStreamName('PKR')) as { revision: number; data: string };
    const chunkCount = (JSON.parse(snapshots.data) as { chunkCount: number }).chunkCount;
    database
      .prepare('DELETE FROM events WHERE stream = ? AND revision > ?')
      .run(ledgerSnapshotStreamName('PKR'), snapshots.revision - chunkCount);
    database.close();
    const store = openStore('hisaab.db');
    const beforeLater = await loadLedger(store, 'PKR', tunables, true);
    expect(beforeLater.windowFromSegments).toBe(true);
    expect(canonicalState(beforeLater.state)).toBe(canonicalState((await loadLedger(store, 'PKR', tunables, false)).state));
    for (const opened of stores.splice(0)) await opened.close();

    // A start from that snapshot writes its next segment from it: the orphan now lies between two segments of the chain.
    const engine = await startEngine('hisaab.db');
    for (let round = 0; round < 12; round += 1) await engine.submit([pay(`later${round}`, 1n)]);
    await engine.stop();
    for (const opened of stores.splice(0)) await opened.close();
    const reopened = openStore('hisaab.db');
    const fromSegments = await loadLedger(reopened, 'PKR', tunables, true);
    const fromLog = await loadLedger(reopened, 'PKR', tunables, false);
    expect(fromSegments.snapshotEventCount).toBeGreaterThan(beforeLater.snapshotEventCount as number);
    expect(fromSegments.windowFromSegments).toBe(true);
    expect(canonicalState(fromSegments.state)).toBe(canonicalState(fromLog.state));
  });
});

describe('ledger window segments of thousands of ids (indexed in slot order)', () => {
  const largeWindowEvents = 10_000;
  const largeTunables = { ...defaultTunables, transfersRememberedEvents: largeWindowEvents };
  let directory: ReturnType<typeof tempDir>;

  beforeEach(() => {
    directory = tempDir('hisaab-window-segments-large-');
  });

  afterEach(() => directory.remove());

  it('restores a window of 10,000 ids from its chain of segments to the answers of a rebuild, and falls back when one is damaged', async () => {
    const path = join(directory.path, 'hisaab.db');
    const writer = new SqliteEventStore(path);
    const engine = createLedgerEngine({
      ledger: 'PKR',
      store: writer,
      now: () => new Date(nowMs),
      snapshotEveryEvents: 2_000,
      transfersRememberedEvents: largeWindowEvents,
      expiryCheckIntervalMs: 0,
    });
    await engine.start();
    await engine.submit([account('A'), account('B')]);
    // 13,000 transfers in ticks of 500, a pending transfer in each tick and its post two ticks later.
    for (let tick = 0; tick < 26; tick += 1) {
      const commands: LedgerCommand[] = [reserve(`lp${tick}`, 5n)];
      if (tick >= 2) commands.push({ type: 'post_pending', id: `lc${tick - 2}`, pendingId: `lp${tick - 2}`, amountMinor: 1n });
      for (let index = commands.length; index < 500; index += 1) commands.push(pay(`l${tick}-${index}`, 1n + BigInt(index)));
      expect((await engine.submit(commands)).results.every((result) => result === 'ok')).toBe(true);
    }
    await engine.stop();
    await writer.close();
    copyFileSync(path, join(directory.path, 'damaged.db'));

    const store = new SqliteEventStore(path);
    const fromSegments = await loadLedger(store, 'PKR', largeTunables, true);
    const fromLog = await loadLedger(store, 'PKR', largeTunables, false);
    await store.close();
    expect(fromSegments.windowFromSegments).toBe(true);
    expect(fromSegments.state.window.length).toBeGreaterThan(largeWindowEvents - 1_000);
    expect(canonicalState(fromSegments.state)).toBe(canonicalState(fromLog.state));

    // A byte of a segment's middle part flipped: that start rebuilds the window from the log instead.
    const damaged = new Database(join(directory.path, 'damaged.db'));
    const parts = damaged
      .prepare('SELECT position, body FROM events WHERE stream = ? ORDER BY revision')
      .all(ledgerWindowStreamName('PKR')) as { position: number; body: Buffer }[];
    const middle = parts[Math.floor(parts.length / 2)] as { position: number; body: Buffer };
    middle.body[100] = (middle.body[100] as number) ^ 0x01;
    damaged.prepare('UPDATE events SET body = ? WHERE position = ?').run(middle.body, middle.position);
    damaged.close();
    const damagedStore = new SqliteEventStore(join(directory.path, 'damaged.db'));
    const fromDamaged = await loadLedger(damagedStore, 'PKR', largeTunables, true);
    await damagedStore.close();
    expect(fromDamaged.windowFromSegments).toBe(false);
    expect(canonicalState(fromDamaged.state)).toBe(canonicalState(fromLog.state));

    // Both starts decide repeats, changed repeats, new ids and resolutions alike.
    const largeProbes: LedgerCommand[] = [
      pay('l25-499', 500n),
      pay('l25-499', 1n),
      pay('l20-7', 8n),
      pay('l4-7', 8n),
      pay('l-new', 1n),
      { type: 'post_pending', id: 'lc-new', pendingId: 'lp25', amountMinor: 1n },
      { type: 'post_pending', id: 'lc-again', pendingId: 'lp23', amountMinor: 1n },
    ];
    const answers = async (name: string): Promise<string[]> => {
      const opened = new SqliteEventStore(join(directory.path, name));
      const started = createLedgerEngine({
        ledger: 'PKR',
        store: opened,
        now: () => new Date(nowMs),
        snapshotEveryEvents: 2_000,
        transfersRememberedEvents: largeWindowEvents,
        expiryCheckIntervalMs: 0,
      });
      try {
        await started.start();
        return (await started.submit(largeProbes)).results;
      } finally {
        await started.stop();
        await opened.close();
      }
    };
    const results = await answers('hisaab.db');
    expect(results).toEqual(await answers('damaged.db'));
    expect(results).toEqual(['exists', 'exists_with_different_fields', 'exists', 'ok', 'ok', 'ok', 'pending_already_posted']);
  }, 120_000);
});
