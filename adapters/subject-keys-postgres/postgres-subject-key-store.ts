import type pg from 'pg';
import { dataSubjectStreamName } from '../../core/personal-data/data-subject-erasure';
import type { StoredSubjectKey, SubjectKeyStore } from '../../core/personal-data/subject-key-store';
import type { AppendedEvents, PostgresEventStore } from '../eventstore-postgres/postgres-event-store';
import type { PostgresSession } from '../eventstore-postgres/postgres-session';
import { SqliteSubjectKeyStore } from '../subject-keys-sqlite/sqlite-subject-key-store';

/** Keys one page of the start-up copy takes from PostgreSQL. */
const copyPageKeysMax = 5_000;
const erasureStreamPrefix = dataSubjectStreamName('');

type PendingKey = { key: StoredSubjectKey; createdAt: string };

/**
 * The data subjects' keys on PostgreSQL (issue 19, item 4), so that a switch on a new machine opens what the one
 * before it sealed. They sit in `hisaab_subject_keys`, a table beside the log and not in it: the log is append-only
 * and copied to every standby and backup, so a key written into it could never be destroyed, and erasure is the
 * destruction of the key. The table shares the log's transactions:
 * - a new key is inserted in the same transaction as the first events sealed under it (an append companion, under
 *   the writer-epoch check), so no event in the log is ever sealed under a key the table lacks, and a fenced
 *   writer's keys go nowhere;
 * - a `DataSubjectErased` event deletes the subject's key in the transaction that appends it, so the erasure and
 *   the key's destruction are durable together, on every synchronous standby at once.
 *
 * The cipher asks for keys synchronously, on every open in a read model: it reads a copy in the data dir
 * (`subject-keys.db`, the SQLite store, secure_delete on), which start-up rebuilds from the table and which the
 * switch's own front-end workers read. That copy is a cache: deleting it loses nothing.
 */
export class PostgresSubjectKeyStore implements SubjectKeyStore {
  private readonly pending = new Map<string, PendingKey>();

  private constructor(
    private readonly copy: SqliteSubjectKeyStore,
    store: PostgresEventStore,
  ) {
    // Never removed: appends the event store still commits while it closes carry the keys they were sealed under.
    store.addAppendCompanion((client, appended) => this.writeWithin(client, appended));
  }

  /**
   * Rebuilds the data dir's copy from the table, then keeps the table written with the store's appends. Call it as
   * the writer: only the writer makes or destroys keys, so the copy stays whole while this process holds the lease.
   */
  static async open(store: PostgresEventStore, session: PostgresSession, copyPath: string): Promise<PostgresSubjectKeyStore> {
    const copy = new SqliteSubjectKeyStore(copyPath);
    try {
      let after = '';
      for (let first = true; ; first = false) {
        const page = await session.query<{ subject_reference: string; key_id: string; wrapped_key: string; created_at: string }>(
          'SELECT subject_reference, key_id, wrapped_key, created_at FROM hisaab_subject_keys WHERE subject_reference > $1 ORDER BY subject_reference LIMIT $2',
          [after, copyPageKeysMax],
        );
        copy.copyPage(
          page.map((row) => ({
            subjectReference: row.subject_reference,
            keyId: row.key_id,
            wrappedKey: row.wrapped_key,
            createdAt: row.created_at,
          })),
          first,
        );
        const last = page[page.length - 1];
        if (last === undefined || page.length < copyPageKeysMax) break;
        after = last.subject_reference;
      }
    } catch (error) {
      copy.close();
      throw error;
    }
    return new PostgresSubjectKeyStore(copy, store);
  }

  find(subjectReference: string): StoredSubjectKey | null {
    return this.copy.find(subjectReference);
  }

  createIfAbsent(subjectReference: string, key: StoredSubjectKey, createdAt: string): StoredSubjectKey {
    const stored = this.copy.createIfAbsent(subjectReference, key, createdAt);
    // A value sealed under it is appended next: the key goes to the table in that append's transaction.
    if (stored.keyId === key.keyId) this.pending.set(subjectReference, { key, createdAt });
    return stored;
  }

  /** Destroys the copy; the table's row was deleted by the transaction that appended the erasure (see above). */
  destroy(subjectReference: string): number {
    this.pending.delete(subjectReference);
    return this.copy.destroy(subjectReference);
  }

  close(): void {
    this.copy.close();
  }

  /** Inside an append transaction: the keys made since the last commit, and the erasures it records. */
  private async writeWithin(client: pg.Client, appended: AppendedEvents): Promise<(() => void) | null> {
    const keys = [...this.pending];
    const erased: string[] = [];
    appended.stream.forEach((stream, index) => {
      if (!stream.startsWith(erasureStreamPrefix) || appended.type[index] !== 'DataSubjectErased') return;
      const data = JSON.parse(appended.data[index] ?? '{}') as { subjectReference?: unknown };
      if (typeof data.subjectReference === 'string') erased.push(data.subjectReference);
    });
    if (keys.length === 0 && erased.length === 0) return null;
    if (keys.length > 0) {
      await client.query(
        `INSERT INTO hisaab_subject_keys (subject_reference, key_id, wrapped_key, created_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ON CONFLICT (subject_reference) DO NOTHING`,
        [
          keys.map(([reference]) => reference),
          keys.map(([, entry]) => entry.key.keyId),
          keys.map(([, entry]) => entry.key.wrappedKey),
          keys.map(([, entry]) => entry.createdAt),
        ],
      );
    }
    // After the inserts: a subject first seen and erased in one transaction ends with no key.
    if (erased.length > 0) await client.query('DELETE FROM hisaab_subject_keys WHERE subject_reference = ANY($1::text[])', [erased]);
    return () => {
      for (const [reference, entry] of keys) if (this.pending.get(reference) === entry) this.pending.delete(reference);
    };
  }
}
