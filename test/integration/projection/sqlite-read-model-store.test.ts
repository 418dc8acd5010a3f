import { join } from 'node:path';
import { clearTables } from '../../../adapters/readmodel-sqlite/clear-tables';
import { readModelPath, SqliteReadModelStore } from '../../../adapters/readmodel-sqlite/sqlite-read-model-store';
import { START_POSITION } from '../../../core/eventstore/event-store';
import { tempDir } from '../../support/temp-dir';

describe('SqliteReadModelStore', () => {
  const directory = tempDir('hisaab-read-models-');
  let store: SqliteReadModelStore;
  beforeEach(() => {
    store = new SqliteReadModelStore(join(directory.path, `${Math.random().toString(36).slice(2)}.db`));
  });
  afterEach(() => store.close());
  afterAll(() => directory.remove());

  it('opens its own WAL database beside the event store', () => {
    expect(readModelPath('/srv/hisaab')).toBe('/srv/hisaab/read-models.db');
    expect(store.database.pragma('journal_mode', { simple: true })).toBe('wal');
    // NORMAL = 1: the read model is rebuilt from the log, so it does not pay an fsync per commit.
    expect(store.database.pragma('synchronous', { simple: true })).toBe(1n);
  });

  it('reads START_POSITION for a projection without a checkpoint, then what was written', () => {
    expect(store.transaction((tx) => store.readCheckpoint(tx, 'p'))).toBe(START_POSITION);
    store.transaction((tx) => store.writeCheckpoint(tx, 'p', 41n));
    store.transaction((tx) => store.writeCheckpoint(tx, 'p', 9_007_199_254_740_993n));
    expect(store.transaction((tx) => store.readCheckpoint(tx, 'p'))).toBe(9_007_199_254_740_993n);
    expect(store.transaction((tx) => store.readCheckpoint(tx, 'q'))).toBe(START_POSITION);
  });

  it('rolls back read-model writes and the checkpoint together when the work throws', () => {
    store.transaction((tx) => tx.exec('CREATE TABLE totals (amount_minor INTEGER NOT NULL) STRICT'));
    expect(() =>
      store.transaction((tx) => {
        tx.prepare('INSERT INTO totals (amount_minor) VALUES (?)').run(5n);
        store.writeCheckpoint(tx, 'p', 7n);
        throw new Error('projection bug');
      }),
    ).toThrow('projection bug');
    expect(store.database.prepare('SELECT COUNT(*) AS count FROM totals').get()).toEqual({ count: 0n });
    expect(store.transaction((tx) => store.readCheckpoint(tx, 'p'))).toBe(START_POSITION);
  });

  it('refuses a checkpoint written outside a transaction', () => {
    expect(() => store.writeCheckpoint(store.database, 'p', 1n)).toThrow('inside the transaction');
  });

  it('returns integers as bigint, so minor units never pass through a JS number', () => {
    store.transaction((tx) => {
      tx.exec('CREATE TABLE balances (amount_minor INTEGER NOT NULL) STRICT');
      tx.prepare('INSERT INTO balances (amount_minor) VALUES (?)').run(123_456_789_012_345_678n);
    });
    expect(store.database.prepare('SELECT amount_minor FROM balances').get()).toEqual({ amount_minor: 123_456_789_012_345_678n });
  });

  it('clears tables by name and refuses a name that is not a plain identifier', () => {
    store.transaction((tx) => {
      tx.exec('CREATE TABLE a_rows (n INTEGER) STRICT; INSERT INTO a_rows VALUES (1), (2);');
      clearTables(tx, ['a_rows']);
    });
    expect(store.database.prepare('SELECT COUNT(*) AS count FROM a_rows').get()).toEqual({ count: 0n });
    expect(() => store.transaction((tx) => clearTables(tx, ['a_rows; DROP TABLE a_rows']))).toThrow('is a plain SQL table name');
  });
});
