import type Database from 'better-sqlite3';
import { assert } from '../../core/assert';
import type { AppendResult } from '../../core/eventstore/event-store';
import type { SerializedEvent } from '../../core/eventstore/limits';

/** Events per multi-row INSERT of new streams: 7 parameters each, far below SQLite's parameter limit. */
export const newStreamRowsPerInsertMax = 64;

/** One new stream's events, at its index among the appends of one transaction. */
export type NewStreamAppend = { index: number; stream: string; rows: readonly SerializedEvent[] };

/**
 * Writes appends that expect `no_stream` many streams to a statement, with no read of any stream's revision: each
 * stream's events go in at revisions 0, 1, …, and the `(stream, revision)` unique index refuses the statement if
 * revision 0 of one of its streams is there already (or the same stream is twice among them), which is exactly
 * when `no_stream` does not hold. A batch of a thousand payments thus writes its thousand transfer streams in a few
 * dozen statements instead of a revision read and an insert per stream.
 *
 * A refused statement changes nothing (SQLite undoes that statement alone, the transaction goes on): `onConflict`
 * then appends that statement's streams one at a time through the checked path, which names the stream that is not
 * as expected.
 */
export class NewStreamInserts {
  /** Prepared per row count (1 to newStreamRowsPerInsertMax), as they are first needed. */
  private readonly statements = new Map<number, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  /**
   * Writes the appends, in the order given, into `results` at each one's index; groups never split a stream, so
   * every stream given must hold at most newStreamRowsPerInsertMax events.
   */
  write(
    appends: readonly NewStreamAppend[],
    results: AppendResult[],
    onConflict: (append: NewStreamAppend) => AppendResult,
  ): void {
    let groupStart = 0;
    let groupRows = 0;
    for (let index = 0; index < appends.length; index += 1) {
      const rowCount = (appends[index] as NewStreamAppend).rows.length;
      assert(rowCount >= 1 && rowCount <= newStreamRowsPerInsertMax, 'a new stream written in a group fits in one statement');
      if (groupRows + rowCount > newStreamRowsPerInsertMax) {
        this.writeGroup(appends.slice(groupStart, index), groupRows, results, onConflict);
        groupStart = index;
        groupRows = 0;
      }
      groupRows += rowCount;
    }
    if (groupRows > 0) this.writeGroup(appends.slice(groupStart), groupRows, results, onConflict);
  }

  private writeGroup(
    group: readonly NewStreamAppend[],
    rowCount: number,
    results: AppendResult[],
    onConflict: (append: NewStreamAppend) => AppendResult,
  ): void {
    let inserted: Database.RunResult;
    try {
      inserted = this.statementFor(rowCount).run(groupParameters(group, rowCount));
    } catch (error) {
      if (!isUniqueConflict(error)) throw error;
      // The checked path throws WrongExpectedRevisionError at the first stream that exists (nothing of this group
      // was written), and the caller's transaction takes back what came before.
      for (const append of group) results[append.index] = onConflict(append);
      return;
    }
    assert(inserted.changes === rowCount, 'a multi-row insert writes every row it was given');
    // Rows take consecutive positions in the order given (each one above the highest before it), so the statement's
    // last row id places every stream's last event.
    const lastPosition = BigInt(inserted.lastInsertRowid);
    let rowsAfter = rowCount;
    for (const append of group) {
      rowsAfter -= append.rows.length;
      results[append.index] = {
        nextExpectedRevision: BigInt(append.rows.length - 1),
        position: lastPosition - BigInt(rowsAfter),
      };
    }
    assert(rowsAfter === 0, 'the group accounted for every row it wrote');
  }

  private statementFor(rowCount: number): Database.Statement {
    let statement = this.statements.get(rowCount);
    if (statement === undefined) {
      const values = Array.from({ length: rowCount }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
      statement = this.db.prepare(`INSERT INTO events (stream, revision, id, type, data, metadata, body) VALUES ${values}`);
      this.statements.set(rowCount, statement);
    }
    return statement;
  }
}

function groupParameters(group: readonly NewStreamAppend[], rowCount: number): unknown[] {
  const parameters = new Array<unknown>(rowCount * 7);
  let base = 0;
  for (const append of group) {
    append.rows.forEach((row, revision) => {
      parameters[base] = append.stream;
      parameters[base + 1] = revision;
      parameters[base + 2] = row.id;
      parameters[base + 3] = row.type;
      parameters[base + 4] = row.data;
      parameters[base + 5] = row.metadata;
      parameters[base + 6] = row.bytes;
      base += 7;
    });
  }
  return parameters;
}

/**
 * By its code, not its class: better-sqlite3's native part throws the SqliteError of whichever copy of the module
 * loaded it first (a test runner's module registries hold several), so `instanceof` may miss the one thrown.
 */
function isUniqueConflict(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'SQLITE_CONSTRAINT_UNIQUE';
}
