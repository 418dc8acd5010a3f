import Database from 'better-sqlite3';
import { participantStatisticsProjection as projection } from '../../../adapters/readmodel-sqlite/projections/participant-statistics-projection';
import { SqliteParticipantStatisticsReader } from '../../../adapters/readmodel-sqlite/projections/participant-statistics-read-model';
import type { RecordedEvent } from '../../../core/eventstore/event';

const base = Date.parse('2026-11-28T10:00:00Z');
const range = { currency: 'PKR', from: '2026-11-28T00:00:00Z', to: '2026-11-29T00:00:00Z' };

function open(): { database: Database.Database; apply: (type: string, data: Record<string, unknown>) => void } {
  const database = new Database(':memory:');
  database.defaultSafeIntegers(true);
  projection.setup(database);
  let position = 0n;
  const apply = (type: string, data: Record<string, unknown>): void =>
    projection.apply({ type, data, stream: 'test', position: position++ } as unknown as RecordedEvent, database);
  return { database, apply };
}

function initiate(apply: (type: string, data: Record<string, unknown>) => void, transferId: string, payer: string, payee: string): void {
  apply('TransferInitiated', {
    transferId,
    payerParticipant: payer,
    payeeParticipant: payee,
    amountMinor: '1000',
    currency: 'PKR',
    createdAt: new Date(base).toISOString(),
  });
}

it('gives nearest-rank p50 and p99 of the completion times, counting a transfer to oneself once', () => {
  const { database, apply } = open();
  // 1 to 200 ms for A→B, and one transfer of 5 ms from C to itself.
  for (let ms = 1; ms <= 200; ms++) {
    initiate(apply, `t${ms}`, 'A', 'B');
    apply('TransferCommitted', { transferId: `t${ms}`, completedAt: new Date(base + ms).toISOString() });
  }
  initiate(apply, 'self', 'C', 'C');
  apply('TransferAborted', {
    transferId: 'self',
    reason: 'PAYEE_TIMEOUT',
    reversalQueued: true,
    detail: null,
    completedAt: new Date(base + 5).toISOString(),
  });
  initiate(apply, 'pending', 'A', 'C');
  const rows = new SqliteParticipantStatisticsReader(database).participants(range);
  expect(rows.map((row) => [row.participant, row.p50CompletionMs, row.p99CompletionMs])).toEqual([
    ['A', 100, 198],
    ['B', 100, 198],
    ['C', 5, 5],
  ]);
  const c = rows.find((row) => row.participant === 'C')!;
  // The pending transfer counts in C's volume as payee, with no outcome yet; its own transfer counts on both sides.
  expect(c.asPayee).toEqual({ count: 2, valueMinor: 2000n, approved: 0, businessDeclines: 0, technicalDeclines: 1 });
  expect(c.asPayer).toEqual({ count: 1, valueMinor: 1000n, approved: 0, businessDeclines: 0, technicalDeclines: 1 });
});

it('counts a reversal once for the payee that receives it, delivered on its success', () => {
  const { database, apply } = open();
  const queued = {
    deliveryId: 'REVERSAL:t1',
    kind: 'REVERSAL',
    destination: 'B',
    payload: { currency: 'PKR' },
    fingerprint: 'f',
    queuedAt: new Date(base).toISOString(),
  };
  apply('DeliveryQueued', queued);
  apply('DeliveryQueued', queued);
  apply('DeliveryQueued', { ...queued, deliveryId: 'CREDIT_ADVICE:t2', kind: 'CREDIT_ADVICE' });
  apply('DeliverySucceeded', { deliveryId: 'REVERSAL:t1', attempt: 2, detail: 'ok', deliveredAt: new Date(base + 10).toISOString() });
  const rows = new SqliteParticipantStatisticsReader(database).participants(range);
  expect(rows.map((row) => [row.participant, row.reversals])).toEqual([['B', { count: 1, delivered: 1 }]]);
});

it('groups days by midnight in Karachi: 18:59Z and 19:00Z fall on two days there', () => {
  const { database, apply } = open();
  const created = (transferId: string, createdAt: string): void =>
    apply('TransferInitiated', {
      transferId,
      payerParticipant: 'A',
      payeeParticipant: 'B',
      amountMinor: '1000',
      currency: 'PKR',
      createdAt,
    });
  created('last-minute-of-the-28th-in-karachi', '2026-11-28T18:59:59.999Z');
  created('first-minute-of-the-29th-in-karachi', '2026-11-28T19:00:00.000Z');
  created('afternoon-of-the-29th-in-karachi', '2026-11-29T10:00:00.000Z');
  const days = new SqliteParticipantStatisticsReader(database).buckets(
    { currency: 'PKR', from: '2026-11-27T19:00:00.000Z', to: '2026-11-29T19:00:00.000Z' },
    'day',
    null,
  );
  expect(days.map((day) => [day.start, day.count])).toEqual([
    ['2026-11-27T19:00:00.000Z', 1],
    ['2026-11-28T19:00:00.000Z', 2],
  ]);
});
