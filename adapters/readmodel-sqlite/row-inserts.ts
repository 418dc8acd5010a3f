import { assert } from '../../core/assert';
import type { SqliteReadModelTx } from './sqlite-read-model-store';
import { preparedStatement } from './statement-cache';

/** Rows per multi-row INSERT: at 16 columns, 1,024 parameters, far below SQLite's limit of 32,766. */
const rowsPerStatement = 64;

/**
 * Inserts many rows of one table: `rowsPerStatement` at a time in one statement (one crossing into SQLite instead
 * of one per row), the rest one by one. `insertInto` is the statement's head, `INSERT INTO t (a, b, c)`; each row
 * holds one value per column, in that order. A batch of a thousand transfers writes its rows in 16 statements.
 */
export function insertRows(tx: SqliteReadModelTx, insertInto: string, columnCount: number, rows: readonly (readonly unknown[])[]): void {
  assert(Number.isSafeInteger(columnCount) && columnCount >= 1 && columnCount * rowsPerStatement <= 32_766, 'a row has 1 to 511 columns');
  const rowValues = `(${Array.from({ length: columnCount }, () => '?').join(', ')})`;
  let index = 0;
  if (rows.length >= rowsPerStatement) {
    const many = preparedStatement(tx, `${insertInto} VALUES ${Array.from({ length: rowsPerStatement }, () => rowValues).join(', ')}`);
    const parameters = new Array<unknown>(rowsPerStatement * columnCount);
    for (; index + rowsPerStatement <= rows.length; index += rowsPerStatement) {
      for (let offset = 0; offset < rowsPerStatement; offset += 1) {
        const row = rows[index + offset] as readonly unknown[];
        assert(row.length === columnCount, 'every row has a value per column');
        for (let column = 0; column < columnCount; column += 1) parameters[offset * columnCount + column] = row[column];
      }
      many.run(parameters);
    }
  }
  const one = preparedStatement(tx, `${insertInto} VALUES ${rowValues}`);
  for (; index < rows.length; index += 1) {
    const row = rows[index] as readonly unknown[];
    assert(row.length === columnCount, 'every row has a value per column');
    one.run(row);
  }
}
