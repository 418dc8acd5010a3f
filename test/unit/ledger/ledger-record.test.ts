import { crc32 } from 'node:zlib';
import type { RecordedEvent } from '../../../core/eventstore/event';
import { AssertionError } from '../../../core/assert';
import { canonicalState } from '../../../core/ledger/canonical-state';
import type { LedgerCommand } from '../../../core/ledger/commands';
import { decideCommands } from '../../../core/ledger/decide-batch';
import type { LedgerEvent, UserDataJson } from '../../../core/ledger/events';
import { evolve } from '../../../core/ledger/evolve';
import { firstFactNumber, ledgerBatchType, ledgerFacts } from '../../../core/ledger/ledger-record';
import { defaultTunables } from '../../../core/ledger/ledger-limits';
import { initialState } from '../../../core/ledger/ledger-state';
import { restoreSnapshot, snapshotChunks, type SnapshotChunk } from '../../../core/ledger/snapshot';
import { LedgerRecordReplay } from '../../../core/ledger/replay-ledger-record';
import { encodeLedgerRecords, LedgerRecordEncoder } from '../../../core/ledger/ledger-record-encoder';
import { createAccount, nowMs, pendingTransfer, post, transfer } from './ledger-fixtures';

/** One fact of every kind, with every optional field both present and absent somewhere. */
const facts: LedgerEvent[] = [
  {
    type: 'LedgerAccountOpened',
    data: {
      accountId: 'MARGALLA-position',
      ledger: 'PKR',
      code: 'POSITION',
      owner: 'MARGALLA',
      debitsMustNotExceedCredits: false,
      creditsMustNotExceedDebits: false,
      debitLimitMinor: '100000000',
    },
  },
  {
    type: 'LedgerAccountOpened',
    data: {
      accountId: 'hub-fees',
      ledger: 'PKR',
      code: 'HUB_FEES',
      owner: 'hub',
      debitsMustNotExceedCredits: true,
      creditsMustNotExceedDebits: false,
      debitLimitMinor: null,
    },
  },
  {
    type: 'LedgerDebitLimitChanged',
    data: { accountId: 'MARGALLA-position', debitLimitMinor: null, previousDebitLimitMinor: '100000000' },
  },
  {
    type: 'LedgerTransferPosted',
    data: {
      transferId: 't-1',
      debitAccountId: 'MARGALLA-position',
      creditAccountId: 'hub-fees',
      amountMinor: '9223372036854775807',
      code: 'FEE',
      userData: { transferId: 't-1', note: 'ünïcödé ✓' },
    },
  },
  {
    type: 'LedgerTransferReserved',
    data: {
      transferId: 'p-1',
      debitAccountId: 'MARGALLA-position',
      creditAccountId: 'hub-fees',
      amountMinor: '150050',
      code: 'P2P',
      timeoutMs: 60_000,
      expiresAt: '2026-01-01T00:01:00.000Z',
      userData: null,
    },
  },
  {
    type: 'LedgerPendingPosted',
    data: {
      transferId: 'p-1-post',
      pendingId: 'p-1',
      debitAccountId: 'MARGALLA-position',
      creditAccountId: 'hub-fees',
      amountMinor: '100000',
      pendingAmountMinor: '150050',
      requestedAmountMinor: '100000',
      code: 'P2P',
      userData: null,
    },
  },
  {
    type: 'LedgerPendingPosted',
    data: {
      transferId: 'p-2-post',
      pendingId: 'p-2',
      debitAccountId: 'MARGALLA-position',
      creditAccountId: 'hub-fees',
      amountMinor: '7',
      pendingAmountMinor: '7',
      requestedAmountMinor: null,
      code: 'P2P',
      userData: { a: '' },
    },
  },
  {
    type: 'LedgerPendingVoided',
    data: {
      transferId: 'p-3-void',
      pendingId: 'p-3',
      debitAccountId: 'hub-fees',
      creditAccountId: 'MARGALLA-position',
      amountMinor: '1',
      code: 'REFUND',
      userData: null,
    },
  },
  {
    type: 'LedgerPendingExpired',
    data: {
      pendingId: 'p-4',
      debitAccountId: 'hub-fees',
      creditAccountId: 'MARGALLA-position',
      amountMinor: '2',
      code: 'P2P',
      userData: { k: 'v' },
    },
  },
];

function recorded(bytes: Uint8Array, revision = 0n): RecordedEvent {
  return {
    id: 'r',
    type: ledgerBatchType,
    data: {},
    metadata: { at: '2026-01-01T00:00:00.000Z' },
    bytes,
    stream: 'ledger-PKR',
    revision,
    position: 1n,
  };
}

describe('the ledger batch record', () => {
  it('carries every kind of fact, field for field, in order, with the number of its first fact', () => {
    const records = encodeLedgerRecords(facts, 41);
    expect(records).toHaveLength(1);
    const record = recorded(records[0] as Uint8Array);
    expect(ledgerFacts(record)).toEqual(facts);
    expect(firstFactNumber(record)).toBe(41);
  });

  it('replays a record into the dense state exactly as evolving its decoded facts does, and decides repeats alike', () => {
    const opened = (accountId: string, debitLimitMinor: string | null): LedgerEvent => ({
      type: 'LedgerAccountOpened',
      data: {
        accountId,
        ledger: 'PKR',
        code: 'POSITION',
        owner: accountId,
        debitsMustNotExceedCredits: false,
        creditsMustNotExceedDebits: false,
        debitLimitMinor,
      },
    });
    const posted = (
      transferId: string,
      debitAccountId: string,
      creditAccountId: string,
      amountMinor: string,
      userData: UserDataJson | null,
    ): LedgerEvent => ({
      type: 'LedgerTransferPosted',
      data: { transferId, debitAccountId, creditAccountId, amountMinor, code: 'P2P', userData },
    });
    const ledger: LedgerEvent[] = [
      opened('A', '9223372036854775807'),
      opened('B', null),
      opened('C', '5'),
      posted('t-1', 'A', 'B', '150050', null),
      posted('t-2', 'B', 'C', '4294967296', { note: 'ünïcödé ✓', a: 'b' }),
      posted('t-3', 'A', 'C', '9223372030000000000', null),
      {
        type: 'LedgerTransferReserved',
        data: {
          transferId: 'p-1',
          debitAccountId: 'C',
          creditAccountId: 'A',
          amountMinor: '7',
          code: 'P2P',
          timeoutMs: 60_000,
          expiresAt: '2026-01-01T00:01:00.000Z',
          userData: null,
        },
      },
      posted('t-4', 'B', 'A', '1', null),
    ];
    const [bytes] = encodeLedgerRecords(ledger, 0);
    const decoded = initialState('PKR');
    for (const fact of ledgerFacts(recorded(bytes as Uint8Array))) evolve(decoded, fact);
    const replayed = initialState('PKR');
    new LedgerRecordReplay(replayed).apply(recorded(bytes as Uint8Array));
    expect(canonicalState(replayed)).toBe(canonicalState(decoded));
    const context = { nowMs: Date.parse('2026-01-01T00:00:00.000Z') };
    const repeats: LedgerCommand[] = [
      { type: 'transfer', id: 't-1', ledger: 'PKR', debitAccountId: 'A', creditAccountId: 'B', amountMinor: 150050n, code: 'P2P' },
      {
        type: 'transfer',
        id: 't-2',
        ledger: 'PKR',
        debitAccountId: 'B',
        creditAccountId: 'C',
        amountMinor: 4294967296n,
        code: 'P2P',
        userData: { a: 'b', note: 'ünïcödé ✓' },
      },
      { type: 'transfer', id: 't-2', ledger: 'PKR', debitAccountId: 'B', creditAccountId: 'C', amountMinor: 4294967296n, code: 'P2P' },
      {
        type: 'transfer',
        id: 't-3',
        ledger: 'PKR',
        debitAccountId: 'A',
        creditAccountId: 'C',
        amountMinor: 9223372030000000001n,
        code: 'P2P',
      },
      { type: 'transfer', id: 't-4', ledger: 'PKR', debitAccountId: 'A', creditAccountId: 'B', amountMinor: 1n, code: 'P2P' },
    ];
    const expected = ['exists', 'exists', 'exists_with_different_fields', 'exists_with_different_fields', 'exists_with_different_fields'];
    expect(decideCommands(replayed, repeats, context, () => undefined)).toEqual(expected);
    expect(decideCommands(decoded, repeats, context, () => undefined)).toEqual(expected);
    // From a snapshot of that state, the window's ids come from the record alone (`remember`), to the same state.
    const chunks = snapshotChunks(decoded) as unknown as SnapshotChunk[];
    const restored = restoreSnapshot(chunks, 'PKR', defaultTunables);
    new LedgerRecordReplay(restored).remember(recorded(bytes as Uint8Array), 0, restored.eventCount);
    expect(canonicalState(restored)).toBe(canonicalState(decoded));
    expect(decideCommands(restored, repeats, context, () => undefined)).toEqual(expected);

    // A posted transfer's string reference past the record's strings is a damaged record (the checksum recomputed).
    const row = 32 + 3 * 56;
    const broken = Buffer.from(Uint8Array.from(bytes as Uint8Array));
    broken.writeUInt32LE(4_000_000, row + 12);
    broken.writeUInt32LE(crc32(broken.subarray(32)), 24);
    expect(() => new LedgerRecordReplay(initialState('PKR')).apply(recorded(broken))).toThrow(/every field of its facts/);
    // A posted transfer naming an account the ledger does not hold breaks the log, as evolve says.
    const [orphan] = encodeLedgerRecords([opened('A', null), posted('t-9', 'A', 'Z', '1', null)], 0);
    expect(() => new LedgerRecordReplay(initialState('PKR')).apply(recorded(orphan as Uint8Array))).toThrow('account Z exists');
  });

  it('stores each distinct string once: a thousand transfers between two accounts cost a fixed row each', () => {
    const many: LedgerEvent[] = Array.from({ length: 1000 }, (_, index) => ({
      type: 'LedgerTransferPosted',
      data: {
        transferId: `t-${index}`,
        debitAccountId: 'MARGALLA-position',
        creditAccountId: 'RAVI-position',
        amountMinor: '100',
        code: 'P2P',
        userData: null,
      },
    }));
    const [record] = encodeLedgerRecords(many, 0);
    // 32 header + 56 per row + the ids (2 + up to 5 bytes each) + the two accounts and the code once.
    expect(record?.byteLength).toBeLessThan(32 + 1000 * (56 + 7) + 100);
    expect(ledgerFacts(recorded(record as Uint8Array))).toEqual(many);
  });

  it('splits a tick past the size limit into several records that follow each other', () => {
    const records = encodeLedgerRecords(facts, 0, 300);
    expect(records.length).toBeGreaterThan(1);
    let next = 0;
    const decoded: LedgerEvent[] = [];
    records.forEach((bytes, index) => {
      expect(bytes.byteLength).toBeLessThanOrEqual(300);
      const record = recorded(bytes, BigInt(index));
      expect(firstFactNumber(record)).toBe(next);
      const part = ledgerFacts(record);
      decoded.push(...part);
      next += part.length;
    });
    expect(decoded).toEqual(facts);
  });

  it('takes decided transfers, reservations and posts as rows straight from the decider: the same facts, split past the limit', () => {
    const opening = [createAccount('A'), createAccount('B'), createAccount('C', { debitLimitMinor: 10n })];
    const commands: LedgerCommand[] = [];
    for (let index = 0; index < 40; index += 1) {
      // Amounts past 2^53 (exact only as words or bigints), user data with characters past ASCII, and refusals.
      commands.push(
        transfer(`t-${index}`, 'A', 'B', 2n ** 56n + BigInt(index), index % 3 === 0 ? { userData: { note: `ü ${index}` } } : {}),
      );
      commands.push(pendingTransfer(`p-${index}`, 'B', 'A', 5n + BigInt(index)));
      commands.push(post(`c-${index}`, `p-${index}`, index % 2 === 0 ? undefined : 3n));
      commands.push(transfer(`x-${index}`, 'C', 'A', 11n));
    }
    const viaEvents = initialState('PKR');
    const events: LedgerEvent[] = [];
    decideCommands(viaEvents, opening, { nowMs }, (event) => events.push(event));
    const expected = decideCommands(viaEvents, commands, { nowMs }, (event) => events.push(event));
    expect(expected.filter((result) => result === 'exceeds_net_debit_cap')).toHaveLength(40);

    const viaRows = initialState('PKR');
    const encoder = new LedgerRecordEncoder(2000);
    encoder.begin(0);
    decideCommands(viaRows, opening, { nowMs }, encoder);
    expect(decideCommands(viaRows, commands, { nowMs }, encoder)).toEqual(expected);
    expect(encoder.factCount).toBe(events.length);
    const records = encoder.finish();
    expect(records.length).toBeGreaterThan(2);
    let next = 0;
    const decoded: LedgerEvent[] = [];
    records.forEach((bytes, index) => {
      expect(bytes.byteLength).toBeLessThanOrEqual(2000);
      const record = recorded(bytes, BigInt(index));
      expect(firstFactNumber(record)).toBe(next);
      const part = ledgerFacts(record);
      decoded.push(...part);
      next += part.length;
    });
    expect(decoded).toEqual(events);
    expect(canonicalState(viaRows)).toBe(canonicalState(viaEvents));
    // Replaying the records from empty (the start-up path) reaches the same state, and repeats answer alike.
    const replayed = initialState('PKR');
    const replay = new LedgerRecordReplay(replayed);
    records.forEach((bytes, index) => replay.apply(recorded(bytes, BigInt(index))));
    expect(canonicalState(replayed)).toBe(canonicalState(viaEvents));
    const repeats: LedgerCommand[] = [
      transfer('t-3', 'A', 'B', 2n ** 56n + 3n, { userData: { note: 'ü 3' } }),
      transfer('t-3', 'A', 'B', 2n ** 56n + 3n),
      post('c-1', 'p-1', 3n),
      post('c-1', 'p-1'),
      pendingTransfer('p-2', 'B', 'A', 7n),
    ];
    const answers = ['exists', 'exists_with_different_fields', 'exists', 'exists_with_different_fields', 'exists'];
    encoder.begin(viaRows.eventCount);
    expect(decideCommands(viaRows, repeats, { nowMs }, encoder)).toEqual(answers);
    expect(decideCommands(replayed, repeats, { nowMs }, () => undefined)).toEqual(answers);
    expect(encoder.finish()).toEqual([]);
  });

  it('refuses a damaged record, an unknown version and a type it does not know', () => {
    const [bytes] = encodeLedgerRecords(facts, 0);
    const damaged = Uint8Array.from(bytes as Uint8Array);
    damaged[100] = (damaged[100] as number) ^ 1;
    expect(() => ledgerFacts(recorded(damaged))).toThrow(/checksum/);
    const future = Uint8Array.from(bytes as Uint8Array);
    future[4] = 9;
    expect(() => ledgerFacts(recorded(future))).toThrow(/version/);
    expect(() => ledgerFacts(recorded((bytes as Uint8Array).subarray(0, 40)))).toThrow(AssertionError);
    expect(() => ledgerFacts({ ...recorded(bytes as Uint8Array), type: 'SomethingElse' })).toThrow(/only ledger events/);
  });

  it('reads a fact of a log before batch records (one JSON event) as itself, numbered by its revision', () => {
    const fact = facts[3] as LedgerEvent;
    const legacy: RecordedEvent = {
      id: 'e',
      type: fact.type,
      data: fact.data,
      metadata: { at: 'x' },
      stream: 'ledger-PKR',
      revision: 7n,
      position: 9n,
    };
    expect(ledgerFacts(legacy)).toEqual([fact]);
    expect(firstFactNumber(legacy)).toBe(7);
  });
});
