import Database from 'better-sqlite3';
import { dirname, join } from 'node:path';
import { assert } from '../../core/assert';
import { START_POSITION } from '../../core/eventstore/event-store';
import type { ReadModelStore } from '../../core/eventstore/projection';
import { ensurePrivateDirectory, preparePrivateDatabaseFile } from '../private-files';
import { settlingReferenceData } from './reference-data-cache';

/** The transaction type of SQLite projections: the connection itself, inside a transaction the runner opened. */
export type SqliteReadModelTx = Database.Database;

/** File name of the read-model database inside the data dir (beside the event store's hisaab.db). */
export const readModelFileName = 'read-models.db';

export function readModelPath(dataDir: string): string {
  return join(dataDir, readModelFileName);
}

export type SqliteReadModelStoreOptions = {
  /**
   * NORMAL (default) may lose the last transactions on a power cut, never on a process crash, and keeps the
   * read model consistent with its checkpoint: lost work is replayed from the log. FULL fsyncs every commit.
   */
  synchronous?: 'NORMAL' | 'FULL';
};

/**
 * Read models and their checkpoints in one SQLite database of their own (WAL), separate from the event log:
 * the log is the truth, this file can be deleted and rebuilt from it at any time.
 *
 * Projections receive the connection as `tx` and run plain SQL on it. Integers come back as bigint (safe
 * integers on), so money in minor units never passes through a JS number.
 */
export class SqliteReadModelStore implements ReadModelStore<SqliteReadModelTx> {
  readonly path: string;
  /** For queries by the read side (api/). Writes belong to projections, through the runner's transactions. */
  readonly database: Database.Database;
  private readonly runInTransaction: (work: (tx: SqliteReadModelTx) => unknown) => unknown;
  private readonly readCheckpointStatement: Database.Statement;
  private readonly writeCheckpointStatement: Database.Statement;
  private readonly readVersionStatement: Database.Statement;
  private readonly writeVersionStatement: Database.Statement;

  constructor(path: string, options: SqliteReadModelStoreOptions = {}) {
    this.path = path;
    if (path !== ':memory:') {
      // Private from the first byte: these files hold what the switch knows (issue 9).
      ensurePrivateDirectory(dirname(path));
      preparePrivateDatabaseFile(path);
    }
    this.database = new Database(path);
    this.database.pragma('journal_mode = WAL');
    this.database.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    this.database.pragma('busy_timeout = 5000');
    this.database.defaultSafeIntegers(true);
    this.database.exec('CREATE TABLE IF NOT EXISTS projection_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL) STRICT');
    addVersionColumn(this.database);
    this.readCheckpointStatement = this.database.prepare('SELECT position FROM projection_checkpoints WHERE name = ?');
    this.readVersionStatement = this.database.prepare('SELECT version FROM projection_checkpoints WHERE name = ?');
    this.writeVersionStatement = this.database.prepare(
      'INSERT INTO projection_checkpoints (name, position, version) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version',
    );
    this.writeCheckpointStatement = this.database.prepare(
      'INSERT INTO projection_checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
    );
    // IMMEDIATE: the transaction reads the checkpoint and then writes; taking the write lock first means a second
    // process on this file waits its turn instead of failing with SQLITE_BUSY when it upgrades.
    // better-sqlite3 types a transaction's variants as methods, but they are plain functions that ignore `this`.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    this.runInTransaction = this.database.transaction((work: (tx: SqliteReadModelTx) => unknown) => work(this.database)).immediate;
  }

  transaction<Result>(work: (tx: SqliteReadModelTx) => Result): Result {
    return settlingReferenceData(this.database, () => this.runInTransaction(work) as Result);
  }

  readCheckpoint(tx: SqliteReadModelTx, projectionName: string): bigint {
    assert(tx === this.database, "a checkpoint is read through this store's own connection");
    const row = this.readCheckpointStatement.get(projectionName) as { position: bigint } | undefined;
    return row?.position ?? START_POSITION;
  }

  writeCheckpoint(tx: SqliteReadModelTx, projectionName: string, position: bigint): void {
    assert(tx === this.database, "a checkpoint is written through this store's own connection");
    assert(tx.inTransaction, 'a checkpoint is written inside the transaction that holds the read-model writes');
    this.writeCheckpointStatement.run(projectionName, position);
  }

  readVersion(tx: SqliteReadModelTx, projectionName: string): number | null {
    assert(tx === this.database, "a projection's version is read through this store's own connection");
    const row = this.readVersionStatement.get(projectionName) as { version: bigint } | undefined;
    return row === undefined ? null : Number(row.version);
  }

  writeVersion(tx: SqliteReadModelTx, projectionName: string, version: number): void {
    assert(tx === this.database, "a projection's version is written through this store's own connection");
    assert(tx.inTransaction, "a projection's version is written inside the transaction that resets or sets it up");
    // A new row starts at the start of the log; an existing one keeps its position (a reset has set it already).
    this.writeVersionStatement.run(projectionName, START_POSITION, version);
  }

  close(): void {
    if (this.database.open) this.database.close();
  }
}

/**
 * Read models written before projections had versions have no version column: add it, and count their rows as
 * version 1, which is what every projection was then.
 */
function addVersionColumn(database: Database.Database): void {
  const columns = database.prepare('SELECT name FROM pragma_table_info(?)').all('projection_checkpoints') as { name: string }[];
  if (columns.some((column) => column.name === 'version')) return;
  database.exec('ALTER TABLE projection_checkpoints ADD COLUMN version INTEGER NOT NULL DEFAULT 1');
}
