import { join } from 'node:path';
import { SqliteEventStore } from '../../../adapters/eventstore-sqlite/sqlite-event-store';
import type { NewEvent } from '../../../core/eventstore/event';
import type { EventStore } from '../../../core/eventstore/event-store';
import { WrongExpectedRevisionError } from '../../../core/eventstore/expected-revision';
import type { LedgerCommand } from '../../../core/ledger/commands';
import { createLedgerEngine, type LedgerEngine } from '../../../core/ledger/ledger-engine';
import type { CompanionAppend } from '../../../core/ledger/ledger-engine-contract';
import { verifyLedger } from '../../../core/ledger/ledger-verification';
import { tempDir } from '../../support/temp-dir';

/**
 * Companion appends (issue 10, part 2): another stream's events ride in the ledger engine's tick, in the same
 * durable write as the ledger events, and a companion stream that is not as expected fails only its own submit.
 */
let directory: ReturnType<typeof tempDir>;
let store: SqliteEventStore;
let engine: LedgerEngine | null;
let commits: string[][];

function account(id: string): LedgerCommand {
  return { type: 'create_account', id, ledger: 'PKR', code: 'POSITION', owner: id, debitLimitMinor: 1_000n };
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
    timeoutMs: 60_000,
  };
}

function event(type: string): NewEvent {
  return { id: crypto.randomUUID(), type, data: {}, metadata: { at: '2026-03-01T09:00:00.000Z' } };
}

/** A companion that writes Saw-ok when its submit is accepted, else Saw-refused with the refusing result in its data. */
function companion(stream: string, expectedRevision: CompanionAppend['expectedRevision'] = 'no_stream'): CompanionAppend {
  return {
    stream,
    expectedRevision,
    placement: 'before_ledger',
    acceptedWhen: ['ok'],
    accepted: [event('Saw-ok')],
    refused: [event('Saw-refused')],
    refusal: {
      eventType: 'Saw-refused',
      resultField: 'result',
      reasonField: 'reason',
      reasons: { exceeds_net_debit_cap: 'CAP' },
      otherReason: 'OTHER',
    },
  };
}

/** The store seen only through the EventStore port: the engine's asynchronous path (no appendSync). */
function portOnly(inner: SqliteEventStore, beforeRevisionRead?: (stream: string) => void): EventStore {
  const hidden = new Set(['appendSync', 'appendManySync', 'streamRevisionSync']);
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (typeof property === 'string' && hidden.has(property)) return undefined;
      if (property === 'streamRevision' && beforeRevisionRead !== undefined) {
        return async (stream: string) => {
          const revision = await target.streamRevision(stream);
          beforeRevisionRead(stream);
          return revision;
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function start(on: EventStore): Promise<LedgerEngine> {
  engine = createLedgerEngine({ ledger: 'PKR', store: on, now: () => new Date('2026-03-01T09:00:00.000Z'), expiryCheckIntervalMs: 0 });
  await engine.start();
  await engine.submit([account('A'), account('B')]);
  return engine;
}

beforeEach(() => {
  directory = tempDir('hisaab-companions-');
  store = new SqliteEventStore(join(directory.path, 'hisaab.db'));
  engine = null;
  commits = [];
  store.onDurableCommit = (appends) => commits.push(appends.map((append) => `${append.stream}:${append.types.join('+')}`));
});

afterEach(async () => {
  await engine?.stop();
  await store.close();
  directory.remove();
});

describe.each([
  ['synchronous (SQLite appendManySync)', (inner: SqliteEventStore) => inner],
  ['asynchronous (the port appendMany)', (inner: SqliteEventStore) => portOnly(inner)],
])('on the %s path', (_name, storeFor) => {
  it('writes the companions and the ledger events of one tick in one durable write', async () => {
    const ledger = await start(storeFor(store));
    commits = [];
    const [first, second] = await Promise.all([
      ledger.submit([reserve('t1', 100n)], [companion('transfer-t1')]),
      ledger.submit([reserve('t2', 5_000n)], [companion('transfer-t2')]),
    ]);
    expect(first?.results).toEqual(['ok']);
    // A refused command still gets its companion, which is told the refusal.
    expect(second?.results).toEqual(['exceeds_net_debit_cap']);
    expect(commits).toEqual([['transfer-t1:Saw-ok', 'transfer-t2:Saw-refused', 'ledger-PKR:LedgerBatch']]);
    expect(first?.position).toBe(await store.headPosition());
    expect((await store.readStream('transfer-t2', 0n, 10)).map((recorded) => [recorded.type, recorded.data])).toEqual([
      ['Saw-refused', { result: 'exceeds_net_debit_cap', reason: 'CAP' }],
    ]);
  });

  it('refuses only the submit whose companion stream is not as expected, its commands undecided', async () => {
    const ledger = await start(storeFor(store));
    await store.append('transfer-taken', [event('Before')], 'no_stream');
    commits = [];
    const taken = ledger.submit([reserve('t-taken', 100n)], [companion('transfer-taken')]);
    const other = ledger.submit([reserve('t-other', 100n)], [companion('transfer-other')]);
    // The second claim of a stream in the same tick loses as well: the first one writes it.
    const twice = ledger.submit([reserve('t-twice', 100n)], [companion('transfer-other')]);
    await expect(taken).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await expect(twice).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect((await other).results).toEqual(['ok']);
    expect(await ledger.lookupTransfer('t-taken')).toBeUndefined();
    expect(await ledger.lookupTransfer('t-twice')).toBeUndefined();
    expect(commits).toEqual([['transfer-other:Saw-ok', 'ledger-PKR:LedgerBatch']]);
  });
});

it('writes a companion alone when the submit made no ledger event, also on a ledger with no event yet', async () => {
  engine = createLedgerEngine({ ledger: 'PKR', store, now: () => new Date('2026-03-01T09:00:00.000Z'), expiryCheckIntervalMs: 0 });
  await engine.start();
  const receipt = await engine.submit([reserve('t-nowhere', 100n)], [companion('transfer-nowhere')]);
  expect(receipt.results).toEqual(['account_not_found']);
  expect(commits).toEqual([['transfer-nowhere:Saw-refused']]);
  expect(engine.stats().revision).toBeNull();
  // The engine goes on: its next tick appends to the ledger with the right expected revision.
  expect((await engine.submit([account('A')])).results).toEqual(['ok']);
});

it('retries the other submits of a tick, unseen by them, when a companion stream changes between the check and the write', async () => {
  // Another writer appends to transfer-raced just after the engine read its revision: the tick's one write fails.
  let raced = false;
  const ledger = await start(
    portOnly(store, (stream) => {
      if (stream !== 'transfer-raced' || raced) return;
      raced = true;
      store.appendSync('transfer-raced', [event('Interloper')], 'any');
    }),
  );
  const racedSubmit = ledger.submit([reserve('t-raced', 100n)], [companion('transfer-raced')]);
  const bystander = ledger.submit([reserve('t-bystander', 100n)], [companion('transfer-bystander')]);
  await expect(racedSubmit).rejects.toBeInstanceOf(WrongExpectedRevisionError);
  expect((await bystander).results).toEqual(['ok']);
  expect(raced).toBe(true);
  expect(await ledger.lookupTransfer('t-raced')).toBeUndefined();
  expect(await ledger.lookupTransfer('t-bystander')).toMatchObject({ pendingStatus: 'pending' });
  expect((await store.readStream('transfer-raced', 0n, 10)).map((recorded) => recorded.type)).toEqual(['Interloper']);
  expect((await verifyLedger(store, 'PKR')).violations).toEqual([]);
});
