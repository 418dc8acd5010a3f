import type pg from 'pg';
import { PostgresAdapterError } from './postgres-errors';

/**
 * The schema, one migration per version, applied in order and never edited once released: a database at
 * version N has run exactly migrations 1..N. Add a version to change the schema.
 */
const migrations: readonly { version: number; statements: string }[] = [
  {
    version: 1,
    statements: `
      CREATE TABLE hisaab_events (
        position bigint PRIMARY KEY,
        stream   text   NOT NULL,
        revision bigint NOT NULL,
        id       text   NOT NULL,
        type     text   NOT NULL,
        data     text   NOT NULL,
        metadata text   NOT NULL,
        UNIQUE (stream, revision)
      );
      -- One row: the log's head position (every append takes its row lock, which orders positions by commit) and
      -- the writer epoch (every append checks it: the fencing token of the writer lease).
      CREATE TABLE hisaab_log (
        id            integer PRIMARY KEY CHECK (id = 1),
        head_position bigint  NOT NULL,
        writer_epoch  bigint  NOT NULL,
        writer_name   text,
        writer_since  timestamptz
      );
      INSERT INTO hisaab_log (id, head_position, writer_epoch) VALUES (1, -1, 0);
    `,
  },
  {
    // Binary events (NewEvent.bytes: the ledger's batch records) keep their payload here; null for a JSON event.
    version: 2,
    statements: `ALTER TABLE hisaab_events ADD COLUMN body bytea;`,
  },
  {
    // What the switch needs besides the log and is not derivable from it (issue 19, item 4), beside it in the same
    // database so that a switch on a new machine finds it: the data subjects' keys (wrapped by the master key; a
    // table, not the log, because erasure must be able to delete them), the answers kept for retries (pruned after
    // a day), and the jtis of signed requests (forgotten after their window).
    version: 3,
    statements: `
      CREATE TABLE hisaab_subject_keys (
        subject_reference text PRIMARY KEY,
        key_id            text NOT NULL,
        wrapped_key       text NOT NULL,
        created_at        text NOT NULL
      );
      CREATE TABLE hisaab_idempotency_records (
        scope           text    NOT NULL,
        idempotency_key text    NOT NULL,
        fingerprint     text    NOT NULL,
        status_code     integer NOT NULL,
        body            text,
        created_at      text    NOT NULL,
        PRIMARY KEY (scope, idempotency_key)
      );
      CREATE INDEX hisaab_idempotency_records_by_age ON hisaab_idempotency_records (created_at);
      CREATE TABLE hisaab_request_nonces (
        participant_id text   NOT NULL,
        jti            text   NOT NULL,
        expires_at     bigint NOT NULL,
        PRIMARY KEY (participant_id, jti)
      );
      CREATE INDEX hisaab_request_nonces_by_expiry ON hisaab_request_nonces (expires_at);
      CREATE TABLE hisaab_request_nonce_registry (
        id         integer PRIMARY KEY CHECK (id = 1),
        created_at bigint  NOT NULL
      );
    `,
  },
];

/** The newest schema version this code knows. */
export const schemaVersion = migrations.reduce((newest, migration) => Math.max(newest, migration.version), 0);

/** Serializes migrations between switches started at once against an empty database (a transaction-level lock). */
const migrationLockKey = 0x4869_7361_6162_01n;

/**
 * Brings the database to `schemaVersion`, in one transaction under an advisory lock, so two switches starting at
 * once migrate it once, and running it again changes nothing. A database newer than the code is refused: this
 * code would misread what a later version wrote.
 */
export async function migrateSchema(client: pg.Client): Promise<{ from: number; to: number }> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLockKey.toString()]);
    await client.query('CREATE TABLE IF NOT EXISTS hisaab_schema (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL)');
    await client.query('INSERT INTO hisaab_schema (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING');
    const answer = await client.query<{ version: number }>('SELECT version FROM hisaab_schema WHERE id = 1');
    const current = answer.rows[0]?.version ?? 0;
    if (current > schemaVersion) {
      throw new PostgresAdapterError(
        'SCHEMA_TOO_NEW',
        `the event store's schema is version ${current}, newer than this switch knows (${schemaVersion}): run the newer switch, or restore a database of version ${schemaVersion} or older`,
      );
    }
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await client.query(migration.statements);
      await client.query('UPDATE hisaab_schema SET version = $1 WHERE id = 1', [migration.version]);
    }
    await client.query('COMMIT');
    return { from: current, to: Math.max(current, schemaVersion) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
