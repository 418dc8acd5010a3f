import Database from 'better-sqlite3';
import { dirname, join } from 'node:path';
import type { StoredSubjectKey, SubjectKeyStore } from '../../core/personal-data/subject-key-store';
import { ensurePrivateDirectory, preparePrivateDatabaseFile } from '../private-files';

export const subjectKeysFileName = 'subject-keys.db';

export function subjectKeysPath(dataDir: string): string {
  return join(dataDir, subjectKeysFileName);
}

type KeyRow = { key_id: string; wrapped_key: string };

/**
 * The data subjects' keys in a SQLite file of their own (issue 15.4), apart from the log they unlock: the log is
 * append-only and copied to backups, this file is where erasure happens. Its settings make a destroyed key gone
 * from the file, not merely unlinked: secure_delete overwrites the freed cells with zeros, and a TRUNCATE checkpoint
 * after each destruction empties the write-ahead log that still held the page as it was. Every key is wrapped by the
 * master key, so even a copy taken before an erasure is no use without it.
 */
export class SqliteSubjectKeyStore implements SubjectKeyStore {
  private readonly database: Database.Database;
  private readonly findStatement: Database.Statement;
  private readonly insertStatement: Database.Statement;
  private readonly deleteStatement: Database.Statement;

  constructor(path: string) {
    if (path !== ':memory:') {
      ensurePrivateDirectory(dirname(path));
      preparePrivateDatabaseFile(path);
    }
    this.database = new Database(path);
    this.database.pragma('journal_mode = WAL');
    // A key handed out seals values that are appended right after: it must outlive any crash that they outlive.
    this.database.pragma('synchronous = FULL');
    this.database.pragma('secure_delete = ON');
    this.database.pragma('busy_timeout = 5000');
    this.database.exec(`
      CREATE TABLE IF NOT EXISTS subject_keys (
        subject_reference TEXT PRIMARY KEY,
        key_id            TEXT NOT NULL,
        wrapped_key       TEXT NOT NULL,
        created_at        TEXT NOT NULL
      ) STRICT;
    `);
    this.findStatement = this.database.prepare('SELECT key_id, wrapped_key FROM subject_keys WHERE subject_reference = ?');
    this.insertStatement = this.database.prepare(
      'INSERT INTO subject_keys (subject_reference, key_id, wrapped_key, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (subject_reference) DO NOTHING',
    );
    this.deleteStatement = this.database.prepare('DELETE FROM subject_keys WHERE subject_reference = ?');
  }

  find(subjectReference: string): StoredSubjectKey | null {
    const row = this.findStatement.get(subjectReference) as KeyRow | undefined;
    return row === undefined ? null : { keyId: row.key_id, wrappedKey: row.wrapped_key };
  }

  createIfAbsent(subjectReference: string, key: StoredSubjectKey, createdAt: string): StoredSubjectKey {
    this.insertStatement.run(subjectReference, key.keyId, key.wrappedKey, createdAt);
    const stored = this.find(subjectReference);
    if (stored === null) throw new Error(`the key of subject ${subjectReference} was destroyed while it was being made`);
    return stored;
  }

  destroy(subjectReference: string): number {
    const destroyed = this.deleteStatement.run(subjectReference).changes;
    // The write-ahead log still holds the page with the key until it is checkpointed and emptied.
    this.database.pragma('wal_checkpoint(TRUNCATE)');
    return destroyed;
  }

  /**
   * Makes this file a copy of `keys` (the store of record elsewhere: PostgreSQL's table, issue 19): every key it held
   * is destroyed first, so a key erased there is gone here too. Called page by page: `first` empties the file.
   */
  copyPage(keys: readonly (StoredSubjectKey & { subjectReference: string; createdAt: string })[], first: boolean): void {
    this.database.transaction(() => {
      if (first) this.database.exec('DELETE FROM subject_keys');
      for (const key of keys) this.insertStatement.run(key.subjectReference, key.keyId, key.wrappedKey, key.createdAt);
    })();
    if (first) this.database.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    if (this.database.open) this.database.close();
  }
}
