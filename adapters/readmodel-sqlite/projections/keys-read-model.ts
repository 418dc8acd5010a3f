import type Database from 'better-sqlite3';
import type { IssuedKeyRole, KeyReader, StoredKey } from '../../../core/auth/key-reader';

type KeyRow = { key_id: string; key_hash: string; role: string; owner_id: string | null; revoked: bigint };

/** KeyReader over the keys projection. */
export class SqliteKeyReader implements KeyReader {
  private readonly byId: Database.Statement;

  constructor(database: Database.Database) {
    this.byId = database.prepare('SELECT key_id, key_hash, role, owner_id, revoked FROM api_keys WHERE key_id = ?');
  }

  findKey(keyId: string): StoredKey | null {
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
