import Database from 'better-sqlite3';
import { dirname, join } from 'node:path';
import type { RequestNonceRegistry } from '../../core/auth/request-nonces';
import { ensurePrivateDirectory, preparePrivateDatabaseFile } from '../private-files';
import { NonceWriteQueue, type PendingNonce } from './nonce-write-queue';

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
  private readonly queue = new NonceWriteQueue((batch) => this.write(batch));

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

  /**
   * Queued and written with the others that arrive in the same turn of the event loop, in one transaction: one
   * fsync serves every signed request in flight (group commit), instead of one fsync each.
   */
  remember(participantId: string, jti: string, expiresAtSeconds: number, nowSeconds: number): Promise<'fresh' | 'replayed'> {
    return this.queue.remember(participantId, jti, expiresAtSeconds, nowSeconds);
  }

  /** One transaction: drop the batch's jtis whose window has passed, insert, prune now and then, say which were new. */
  private write(batch: readonly PendingNonce[]): boolean[] {
    return this.database.transaction(() => {
      const fresh = batch.map((entry) => {
        // A jti whose window has passed may be used again: the freshness check alone now refuses its old request.
        this.dropExpiredOne.run(entry.participantId, entry.jti, entry.nowSeconds);
        return this.insert.run(entry.participantId, entry.jti, entry.expiresAtSeconds).changes === 1;
      });
      this.insertsSincePrune += batch.length;
      if (this.insertsSincePrune >= pruneEveryInserts) {
        this.insertsSincePrune = 0;
        this.prune.run(batch[batch.length - 1]?.nowSeconds ?? 0);
      }
      return fresh;
    })();
  }

  /** Nonces still remembered (for tests and the README's bound). */
  count(): number {
    return Number((this.database.prepare('SELECT COUNT(*) AS count FROM request_nonces').get() as { count: number }).count);
  }

  close(): void {
    this.database.close();
  }
}
