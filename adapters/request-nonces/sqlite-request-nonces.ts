import Database from 'better-sqlite3';
import { dirname, join } from 'node:path';
import { assert } from '../../core/assert';
import { jtiLengthMax } from '../../core/auth/request-signature';
import type { RequestNonceRegistry } from '../../core/auth/request-nonces';
import { ensurePrivateDirectory, preparePrivateDatabaseFile } from '../private-files';

export const requestNoncesFileName = 'request-nonces.db';

export function requestNoncesPath(dataDir: string): string {
  return join(dataDir, requestNoncesFileName);
}

/** Expired nonces are deleted every so many accepted ones, at most this many at a time: each insert's work stays bounded. */
const pruneEveryInserts = 64;
const prunedPerPassMax = 4096;

/**
 * The jti registry in its own SQLite file in the data dir (WAL, synchronous=FULL), shared by every process of the
 * switch (the writer and its front-end workers open the same file, so a request replayed to another worker is
 * caught too) and kept across restarts: a restart within the 300 s window cannot accept a replay. The file holds
 * only the signed writes of the last window (expired rows are pruned as new ones arrive); one that is lost or
 * deleted is made anew, and requests signed before that are refused as stale (`rememberedSinceSeconds`).
 */
export class SqliteRequestNonces implements RequestNonceRegistry {
  readonly rememberedSinceSeconds: number;
  private readonly database: Database.Database;
  private readonly insert: Database.Statement;
  private readonly dropExpiredOne: Database.Statement;
  private readonly prune: Database.Statement;
  private insertsSincePrune = 0;

  constructor(path: string, nowSeconds: number) {
    if (path !== ':memory:') {
      ensurePrivateDirectory(dirname(path));
      preparePrivateDatabaseFile(path);
    }
    this.database = new Database(path);
    this.database.pragma('journal_mode = WAL');
    // A nonce accepted is a nonce kept, also through a power cut: otherwise a replay right after it would pass.
    this.database.pragma('synchronous = FULL');
    this.database.pragma('busy_timeout = 5000');
    this.database.exec(`
      CREATE TABLE IF NOT EXISTS request_nonces (
        participant_id TEXT NOT NULL,
        jti            TEXT NOT NULL,
        expires_at     INTEGER NOT NULL,
        PRIMARY KEY (participant_id, jti)
      ) STRICT;
      CREATE INDEX IF NOT EXISTS request_nonces_by_expiry ON request_nonces (expires_at);
      CREATE TABLE IF NOT EXISTS registry (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
    `);
    this.database.prepare("INSERT OR IGNORE INTO registry (name, value) VALUES ('created_at', ?)").run(nowSeconds);
    const created = this.database.prepare("SELECT value FROM registry WHERE name = 'created_at'").get() as { value: number };
    this.rememberedSinceSeconds = Number(created.value);
    this.insert = this.database.prepare('INSERT OR IGNORE INTO request_nonces (participant_id, jti, expires_at) VALUES (?, ?, ?)');
    this.dropExpiredOne = this.database.prepare('DELETE FROM request_nonces WHERE participant_id = ? AND jti = ? AND expires_at <= ?');
    this.prune = this.database.prepare(
      `DELETE FROM request_nonces WHERE rowid IN (SELECT rowid FROM request_nonces WHERE expires_at <= ? ORDER BY expires_at LIMIT ${prunedPerPassMax})`,
    );
  }

  remember(participantId: string, jti: string, expiresAtSeconds: number, nowSeconds: number): 'fresh' | 'replayed' {
    assert(jti.length >= 1 && jti.length <= jtiLengthMax, `a jti is 1 to ${jtiLengthMax} characters`);
    assert(Number.isSafeInteger(expiresAtSeconds) && expiresAtSeconds > nowSeconds, 'a nonce is remembered until a later time');
    const inserted = this.database.transaction(() => {
      // A jti whose window has passed may be used again: the freshness check alone now refuses its old request.
      this.dropExpiredOne.run(participantId, jti, nowSeconds);
      return this.insert.run(participantId, jti, expiresAtSeconds).changes === 1;
    })();
    if (inserted && ++this.insertsSincePrune >= pruneEveryInserts) {
      this.insertsSincePrune = 0;
      this.prune.run(nowSeconds);
    }
    return inserted ? 'fresh' : 'replayed';
  }

  /** Nonces still remembered (for tests and the README's bound). */
  count(): number {
    return Number((this.database.prepare('SELECT COUNT(*) AS count FROM request_nonces').get() as { count: number }).count);
  }

  close(): void {
    this.database.close();
  }
}
