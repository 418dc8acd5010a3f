import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import { DomainError } from '../../../core/errors';
import { canonicalState } from '../../../core/ledger/canonical-state';
import type { LedgerCommand } from '../../../core/ledger/commands';
import { createLedgerEngine, type LedgerEngine } from '../../../core/ledger/ledger-engine';
import type { CompanionAppend } from '../../../core/ledger/ledger-engine-contract';
import { loadLedger } from '../../../core/ledger/ledger-loader';
import { defaultTunables } from '../../../core/ledger/ledger-limits';
import { ledgerFacts } from '../../../core/ledger/ledger-record';
import { verifyLedger } from '../../../core/ledger/ledger-verification';
import type { SingleWriterLedgerEngine } from '../../../core/ledger/single-writer-engine';
import { tempDir } from '../../support/temp-dir';

/**
 * The ledger engine with its records pipelined (recordsInFlightMax 2: the next batch is decided while the last is
 * written by the SQLite store's writer thread), on a real store file. The crash behaviour is in
 * test/reliability/pipelined-ledger-crash.test.ts.
 */
const account = (id: string): LedgerCommand => ({
  type: 'create_account',
  id,
  ledger: 'PKR',
  code: 'POSITION',
  owner: id,
  debitLimitMinor: null,
});
const pay = (id: string, from: string, to: string, amountMinor: bigint): LedgerCommand => ({
  type: 'transfer',
  id,
  ledger: 'PKR',
  debitAccountId: from,
  creditAccountId: to,
  amountMinor,
  code: 'P2P',
});

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

type Outcome = { ids: string[]; results: string[] | null; error: unknown };

/**
 * `submitters` callers, each submitting batches of `size` transfers between A, B and C one after another until
 * `done(submit)` says so (asked before each submit, with how many that caller has made).
 */
async function drive(
  engine: LedgerEngine,
  prefix: string,
  submitters: number,
  size: number,
  done: (submit: number) => boolean,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  await Promise.all(
    Array.from({ length: submitters }, async (_, submitter) => {
      for (let submit = 0; !done(submit); submit += 1) {
        const ids = Array.from({ length: size }, (_unused, index) => `${prefix}-${submitter}-${submit}-${index}`);
        const commands = ids.map((id, index) => {
          const from = index % 2 === 0 ? 'A' : 'B';
          return pay(id, from, index % 3 === 0 ? 'C' : from === 'A' ? 'B' : 'A', BigInt(index + 1));
        });
        try {
          const receipt = await engine.submit(commands);
          outcomes.push({ ids, results: receipt.results, error: null });
        } catch (error) {
          outcomes.push({ ids, results: null, error });
        }
      }
    }),
  );
  return outcomes;
}

describe('pipelined ledger engine', () => {
  const directory = tempDir('hisaab-pipelined-engine-');
  afterAll(() => directory.remove());
  let fileNumber = 0;
  const openStore = () => {
    fileNumber += 1;
    return new SqliteEventStore(join(directory.path, `ledger-${fileNumber}.db`));
  };

  it('answers every submit once its record is durable, in order, to the state a replay reproduces', async () => {
    const store = openStore();
    const committed: number[] = [];
    const engine = createLedgerEngine({
      ledger: 'PKR',
      store,
      now: () => new Date(),
      recordsInFlightMax: 2,
      // Two submits per tick, so that more than one tick's worth waits and the next is decided while one is written.
      batchCommandsMax: 50,
      snapshotEveryEvents: 500,
      onTickCommitted: (tick) => committed.push(tick.commands),
    });
    await engine.start();
    await engine.submit([account('A'), account('B'), account('C')]);
    const outcomes = await drive(engine, 'p', 6, 25, (submit) => submit >= 20);
    expect(outcomes.every((outcome) => outcome.results?.every((result) => result === 'ok'))).toBe(true);
    // A lookup waits for the pipeline to empty: it sees durable state only.
    expect(await engine.lookupTransfer('p-5-19-24')).toMatchObject({ id: 'p-5-19-24', amountMinor: 25n });
    expect(committed.reduce((sum, commands) => sum + commands, 0)).toBe(3 + 6 * 20 * 25);
    const stateBefore = await (engine as SingleWriterLedgerEngine).canonicalState();
    await engine.stop();

    const logged = await loggedTransferIds(store);
    expect(logged.size).toBe(6 * 20 * 25);
    const replayed = await loadLedger(store, 'PKR', defaultTunables, false);
    expect(canonicalState(replayed.state)).toBe(stateBefore);
    expect((await verifyLedger(store, 'PKR')).violations).toEqual([]);
    expect(await store.streamRevision('snapshot-ledger-PKR')).not.toBeNull();
    await store.close();
  });

  it('after a failed append answers nothing decided on top of it, decides the followers again, and rebuilds', async () => {
    const store = openStore();
    const engine = createLedgerEngine({ ledger: 'PKR', store, now: () => new Date(), recordsInFlightMax: 2, batchCommandsMax: 40 });
    await engine.start();
    await engine.submit([account('A'), account('B'), account('C')]);
    // A second engine on the same file writes one transfer while the first is busy: the first's next append then
    // expects a revision the stream has passed, fails, and fences the appends decided on top of it.
    const intruderStore = new SqliteEventStore(store.path);
    let intruded = false;
    let attemptsOver = false;
    // The callers go on for 40 more submits after the intruder wrote, so that the first engine appends after it.
    let submitsAfterIntrusion = 0;
    const running = drive(engine, 'f', 6, 20, () => {
      if (!attemptsOver) return false;
      submitsAfterIntrusion += 1;
      return submitsAfterIntrusion > 40;
    });
    for (let attempt = 0; attempt < 200 && !intruded; attempt += 1) {
      const intruder = createLedgerEngine({ ledger: 'PKR', store: intruderStore, now: () => new Date(), expiryCheckIntervalMs: 0 });
      await intruder.start();
      try {
        intruded = (await intruder.submit([pay('intruder', 'C', 'A', 7n)])).results[0] === 'ok';
      } catch (error) {
        // It decided on a state the first engine had moved past: try again from the log.
        expect(error).toMatchObject({ code: 'LEDGER_WRITE_FAILED' });
      }
      await intruder.stop();
    }
    attemptsOver = true;
    const outcomes = await running;
    expect(intruded).toBe(true);
    await intruderStore.close();

    const failed = outcomes.filter((outcome) => outcome.results === null);
    expect(failed.length).toBeGreaterThan(0);
    for (const outcome of failed) {
      expect(outcome.error).toBeInstanceOf(DomainError);
      expect((outcome.error as DomainError).code).toBe('LEDGER_WRITE_FAILED');
    }
    const stateAfter = await (engine as SingleWriterLedgerEngine).canonicalState();
    await engine.stop();
    const logged = await loggedTransferIds(store);
    // What was answered is in the log; what failed is not, not even in part.
    const answered = outcomes.filter((outcome) => outcome.results !== null).flatMap((outcome) => outcome.ids);
    expect(outcomes.every((outcome) => outcome.results === null || outcome.results.every((result) => result === 'ok'))).toBe(true);
    expect(answered.filter((id) => !logged.has(id))).toEqual([]);
    expect(failed.flatMap((outcome) => outcome.ids).filter((id) => logged.has(id))).toEqual([]);
    expect(logged.has('intruder')).toBe(true);
    const replayed = await loadLedger(store, 'PKR', defaultTunables, false);
    expect(canonicalState(replayed.state)).toBe(stateAfter);
    expect((await verifyLedger(store, 'PKR')).violations).toEqual([]);
    await store.close();
  });

  it('holds back a submit whose companion stream a record in flight writes until that record is durable', async () => {
    const store = openStore();
    const engine = createLedgerEngine({ ledger: 'PKR', store, now: () => new Date(), recordsInFlightMax: 2 });
    await engine.start();
    await engine.submit([account('A'), account('B')]);
    const companion = (revision: bigint | 'no_stream', id: string): CompanionAppend => ({
      stream: 'transfer-shared',
      expectedRevision: revision,
      placement: 'after_ledger',
      acceptedWhen: ['ok'],
      accepted: [{ id, type: 'TransferNoted', data: { id }, metadata: { at: new Date().toISOString() } }],
      refused: [],
    });
    // The first tick runs on the next turn of the event loop and hands its record to the writer thread; the second
    // submit, made just after, expects the stream as the first leaves it, which it sees only once that is durable
    // (read at once, the stream would still be empty and the submit refused for it).
    const firstSubmit = engine.submit([pay('c1', 'A', 'B', 1n)], [companion('no_stream', 'n1')]);
    await new Promise<void>((resolve) => setImmediate(resolve));
    const second = await engine.submit([pay('c2', 'A', 'B', 2n)], [companion(0n, 'n2')]);
    const first = await firstSubmit;
    expect(first.results).toEqual(['ok']);
    expect(second.results).toEqual(['ok']);
    expect(await store.streamRevision('transfer-shared')).toBe(1n);
    await engine.stop();
    await store.close();
  });
});
