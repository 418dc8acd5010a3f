import type Database from 'better-sqlite3';
import type { IssuedKeyRole, KeyReader, StoredKey } from '../../../core/auth/key-reader';
import { ReferenceDataCache } from '../reference-data-cache';

type KeyRow = { key_id: string; key_hash: string; role: string; owner_id: string | null; revoked: bigint };

/**
 * KeyReader over the keys projection: every authenticated request looks its key up, so keys are kept in memory until
 * a projection of reference data writes (a revocation is seen by the next request).
 */
export class SqliteKeyReader implements KeyReader {
  private readonly byId: Database.Statement;
  private readonly cache: ReferenceDataCache<StoredKey | null>;

  constructor(database: Database.Database) {
    this.byId = database.prepare('SELECT key_id, key_hash, role, owner_id, revoked FROM api_keys WHERE key_id = ?');
    this.cache = new ReferenceDataCache(database);
  }

  findKey(keyId: string): StoredKey | null {
    return this.cache.get(keyId, () => this.readKey(keyId));
  }

  private readKey(keyId: string): StoredKey | null {
    const row = this.byId.get(keyId) as KeyRow | undefined;
    if (!row) return null;
    return {
      keyId: row.key_id,
      keyHash: row.key_hash,
      role: row.role as IssuedKeyRole,
      ownerId: row.owner_id,
      revoked: row.revoked === 1n,
    };
  }
}
