import Database from 'better-sqlite3';
import { createHmac } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { IdempotencyRecord, IdempotencyStore } from '../core/idempotency/idempotency-store';
import { isSealed, type SecretBox } from '../core/secrets/secret-box';
import { ensurePrivateDirectory, preparePrivateDatabaseFile } from '../adapters/private-files';

export const idempotencyFileName = 'idempotency.db';

export function idempotencyPath(dataDir: string): string {
  return join(dataDir, idempotencyFileName);
}

type RecordRow = {
  scope: string;
  idempotency_key: string;
  fingerprint: string;
  status_code: bigint;
  body: string | null;
  created_at: string;
};

/**
 * Answered requests in their own SQLite file (WAL, synchronous=FULL: an answer recorded is an answer kept).
 * The record is written before the answer is sent; a crash before that leaves no record, and the retry runs
 * again, where the domain's own keys (request references, ledger transfer ids) stop it from acting twice.
 */
export class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly database: Database.Database;
  private readonly findStatement: Database.Statement;
  private readonly saveStatement: Database.Statement;
  private readonly pruneStatement: Database.Statement;

  /**
   * `sealing` keeps personal data out of the file in plain text (issue 15.4): the answers kept for retries repeat what
   * requests named (payers, payees, names) and are sealed by `box`; a client's Idempotency-Key may name a person too
   * (`alias-MSISDN-9230…`) and is stored as its HMAC under `keyHashKey`. Records stored before sealing are not found
   * by their key any more (a retry then runs again, which the domain's own keys make safe) and are pruned as usual.
   */
  constructor(
    path: string,
    private readonly sealing: { box: SecretBox; keyHashKey: Buffer } | null = null,
  ) {
    if (path !== ':memory:') {
      // Private from the first byte: these files hold what the switch knows (issue 9).
      ensurePrivateDirectory(dirname(path));
      preparePrivateDatabaseFile(path);
    }
    this.database = new Database(path);
    this.database.pragma('journal_mode = WAL');
    this.database.pragma('synchronous = FULL');
    this.database.pragma('busy_timeout = 5000');
    this.database.defaultSafeIntegers(true);
    this.database.exec(`
      CREATE TABLE IF NOT EXISTS idempotency_records (
        scope           TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        fingerprint     TEXT NOT NULL,
        status_code     INTEGER NOT NULL,
        body            TEXT,
        created_at      TEXT NOT NULL,
        PRIMARY KEY (scope, idempotency_key)
      ) STRICT;
      CREATE INDEX IF NOT EXISTS idempotency_records_by_age ON idempotency_records (created_at);
    `);
    this.findStatement = this.database.prepare('SELECT * FROM idempotency_records WHERE scope = ? AND idempotency_key = ?');
    this.saveStatement = this.database.prepare(
      `INSERT INTO idempotency_records (scope, idempotency_key, fingerprint, status_code, body, created_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (scope, idempotency_key) DO NOTHING`,
    );
    this.pruneStatement = this.database.prepare('DELETE FROM idempotency_records WHERE created_at < ?');
  }

  async find(scope: string, idempotencyKey: string): Promise<IdempotencyRecord | null> {
    const row = this.findStatement.get(scope, this.storedKey(idempotencyKey)) as RecordRow | undefined;
    if (!row) return null;
    return {
      scope: row.scope,
      idempotencyKey,
      fingerprint: row.fingerprint,
      statusCode: Number(row.status_code),
      body: row.body !== null && this.sealing !== null && isSealed(row.body) ? this.sealing.box.open(row.body) : row.body,
      createdAt: row.created_at,
    };
  }

  async save(record: IdempotencyRecord): Promise<void> {
    const body = record.body !== null && this.sealing !== null ? this.sealing.box.seal(record.body) : record.body;
    this.saveStatement.run(
      record.scope,
      this.storedKey(record.idempotencyKey),
      record.fingerprint,
      record.statusCode,
      body,
      record.createdAt,
    );
  }

  private storedKey(idempotencyKey: string): string {
    if (this.sealing === null) return idempotencyKey;
    return `hmac.${createHmac('sha256', this.sealing.keyHashKey).update(idempotencyKey, 'utf8').digest('base64url')}`;
  }

  async prune(before: Date): Promise<number> {
    return Number(this.pruneStatement.run(before.toISOString()).changes);
  }

  close(): void {
    if (this.database.open) this.database.close();
  }
}
