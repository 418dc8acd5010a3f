import { randomUUID } from 'node:crypto';
import { participantStatisticsProjection } from '../../../adapters/readmodel-sqlite/projections/participant-statistics-projection';
import { settlementProjection } from '../../../adapters/readmodel-sqlite/projections/settlement-projection';
import { ProjectionRunner } from '../../../core/eventstore/projection-runner';
import type { NewEvent } from '../../../core/eventstore/event';
import type { TransferInitiated } from '../../../core/transfers/transfer-events';
import { transferStreamName } from '../../../core/transfers/transfer-events';
import { openProjectionFixture } from '../../support/projection-fixture';

function initiation(transferId: string): TransferInitiated['data'] {
  return {
    transferId,
    payerParticipant: 'INDUS',
    payeeParticipant: 'RAVI',
    payer: { type: 'MSISDN', value: '923001111111' },
    payee: { type: 'MSISDN', value: '923002222222' },
    payeeAccount: { type: 'WALLET', value: '03002222222' },
    amountMinor: '5000',
    currency: 'PKR',
    purpose: 'P2P',
    note: null,
    creditMode: 'ADVICE',
    requestDigest: 'digest',
    channel: 'api',
    createdAt: '2026-12-03T10:00:00.000Z',
  };
}

function event(type: string, data: NewEvent['data']): NewEvent {
  return { id: randomUUID(), type, data, metadata: { at: '2026-12-03T10:00:00.000Z' } };
}

it('rebuilds the settlement and participant statistics read models of rowid tables into WITHOUT ROWID ones, with the same rows', async () => {
  const fixture = openProjectionFixture('hisaab-without-rowid-');
  const transferId = randomUUID();
  const { position } = await fixture.store.append(
    transferStreamName(transferId),
    [
      event('TransferInitiated', initiation(transferId)),
      event('TransferCommitted', { transferId, completedAt: '2026-12-03T10:00:01.000Z' }),
    ],
    'no_stream',
  );
  // A read model as the versions before wrote it: every table as now, but the two per-transfer tables with rowids,
  // holding a row that the log does not (so a rebuild is seen to have started again from the log).
  fixture.readModels.transaction((tx) => {
    settlementProjection.setup(tx);
    participantStatisticsProjection.setup(tx);
    tx.exec(`DROP TABLE settlement_transfers;
      CREATE TABLE settlement_transfers (transfer_id TEXT PRIMARY KEY, currency TEXT NOT NULL, payer TEXT NOT NULL, payee TEXT NOT NULL,
        amount_minor INTEGER NOT NULL, state TEXT NOT NULL, window_id TEXT) STRICT;
      INSERT INTO settlement_transfers VALUES ('stale', 'PKR', 'A', 'B', 1, 'COMMITTED', 'PKR-000001');
      DROP TABLE participant_statistics_transfers;
      CREATE TABLE participant_statistics_transfers (transfer_id TEXT PRIMARY KEY, currency TEXT NOT NULL, payer TEXT NOT NULL,
        payee TEXT NOT NULL, amount_minor INTEGER NOT NULL, created_at TEXT NOT NULL, created_hour TEXT NOT NULL,
        created_day TEXT NOT NULL, outcome TEXT NOT NULL, completion_ms INTEGER) STRICT;
      CREATE INDEX participant_statistics_by_created ON participant_statistics_transfers (currency, created_at);
      INSERT INTO participant_statistics_transfers VALUES ('stale', 'PKR', 'A', 'B', 1, 'x', 'x', 'x', 'APPROVED', 0);`);
    fixture.readModels.writeVersion(tx, 'settlement', 1);
    fixture.readModels.writeVersion(tx, 'participant-statistics', 2);
  });
  const runner = new ProjectionRunner({
    store: fixture.store,
    readModels: fixture.readModels,
    projections: [settlementProjection, participantStatisticsProjection],
  });
  try {
    await runner.start();
    await runner.waitForPosition(position, 10_000);
    const database = fixture.readModels.database;
    const shapeOf = (table: string) =>
      (database.prepare('SELECT sql FROM sqlite_master WHERE type = ? AND name = ?').pluck().get('table', table) as string).replace(/\s+/g, ' ');
    expect(shapeOf('settlement_transfers')).toMatch(/STRICT, WITHOUT ROWID$/);
    expect(shapeOf('participant_statistics_transfers')).toMatch(/STRICT, WITHOUT ROWID$/);
    expect(database.prepare('SELECT transfer_id, state, window_id FROM settlement_transfers').raw().all()).toEqual([
      [transferId, 'COMMITTED', 'PKR-000001'],
    ]);
    expect(database.prepare('SELECT transfer_id, outcome, completion_ms FROM participant_statistics_transfers').raw().all()).toEqual([
      [transferId, 'APPROVED', 1000n],
    ]);
    const versions = fixture.readModels.transaction((tx) => [
      fixture.readModels.readVersion(tx, 'settlement'),
      fixture.readModels.readVersion(tx, 'participant-statistics'),
    ]);
    expect(versions).toEqual([2, 3]);
  } finally {
    await runner.stop();
    await fixture.close();
  }
});
