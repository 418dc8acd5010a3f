import { assert } from '../../core/assert';
import type { SqliteReadModelTx } from './sqlite-read-model-store';

const tableNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Empties the tables a projection owns: the usual body of `reset(tx)`. Table names are checked because they
 * cannot be bound as SQL parameters.
 */
export function clearTables(tx: SqliteReadModelTx, tables: readonly string[]): void {
  for (const table of tables) {
    assert(tableNamePattern.test(table), `"${table}" is a plain SQL table name`);
    tx.exec(`DELETE FROM "${table}"`);
  }
}

/**
 * Drops the tables a projection owns, for a `reset` whose `setup` creates them in a new shape (a projection version
 * that adds columns): emptying would keep the old shape. Missing tables are fine (a read model older than the table).
 */
export function dropTables(tx: SqliteReadModelTx, tables: readonly string[]): void {
  for (const table of tables) {
    assert(tableNamePattern.test(table), `"${table}" is a plain SQL table name`);
    tx.exec(`DROP TABLE IF EXISTS "${table}"`);
  }
}
