import type Database from 'better-sqlite3';

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * A prepared statement for this connection, prepared once. Projections run the same few statements for every
 * event, and preparing costs far more than running.
 */
export function preparedStatement(database: Database.Database, sql: string): Database.Statement {
  let statements = cache.get(database);
  if (!statements) {
    statements = new Map();
    cache.set(database, statements);
  }
  let statement = statements.get(sql);
  if (!statement) {
    statement = database.prepare(sql);
    statements.set(sql, statement);
  }
  return statement;
}
