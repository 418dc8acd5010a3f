import Database from 'better-sqlite3';
import { join } from 'node:path';
import { transfersProjection } from '../../../adapters/readmodel-sqlite/projections/transfers-projection';
import { SqliteTransferReader } from '../../../adapters/readmodel-sqlite/projections/transfers-read-model';
import { tempDir } from '../../support/temp-dir';

/** A read-models.db written before transfer ids were scoped per payer opens as it is, without a rebuild. */
describe('the transfers read model from before per-payer ids', () => {
  it('gains client_id on start-up and shows its rows under their own ids', () => {
    const directory = tempDir('hisaab-transfers-upgrade-');
    const database = new Database(join(directory.path, 'read-models.db'));
    try {
      database.exec(`
        CREATE TABLE transfers (
          sequence INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, payer_participant TEXT NOT NULL, payee_participant TEXT NOT NULL,
          payer TEXT NOT NULL, payee TEXT NOT NULL, amount_minor INTEGER NOT NULL, currency TEXT NOT NULL, purpose TEXT NOT NULL,
          note TEXT, channel TEXT NOT NULL, state TEXT NOT NULL, abort_reason TEXT, reversed INTEGER NOT NULL DEFAULT 0,
          created_at TEXT NOT NULL, completed_at TEXT
        ) STRICT;
        INSERT INTO transfers VALUES (7, 'a4f1c2d3-0000-4000-8000-000000000001', 'MARGALLA', 'RAVI', '{"type":"WALLET","value":"W1"}',
          '{"type":"MSISDN","value":"923000000002"}', 1500, 'PKR', 'P2P', NULL, 'api', 'COMMITTED', NULL, 0, '2026-11-28T10:00:00.000Z', '2026-11-28T10:00:01.000Z');
      `);
      database.defaultSafeIntegers(true);
      database.transaction(() => transfersProjection.setup(database))();
      // Setup runs on every start: a second one finds the column there.
      database.transaction(() => transfersProjection.setup(database))();
      const reader = new SqliteTransferReader(database);
      const id = 'a4f1c2d3-0000-4000-8000-000000000001';
      expect(reader.findTransfer(id)).toMatchObject({ id, switchTransferId: id, state: 'COMMITTED', amount: '15.00' });
      expect(reader.findTransfersByReference(id, 'MARGALLA', 2)).toHaveLength(1);
      expect(reader.findTransfersByReference(id, 'KOHSAR', 2)).toHaveLength(0);
    } finally {
      database.close();
      directory.remove();
    }
  });
});
