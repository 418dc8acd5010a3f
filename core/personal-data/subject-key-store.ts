/**
 * Where the data keys of data subjects are kept, wrapped (sealed) under the master key: the port behind envelope
 * encryption (personal-data-cipher.ts). The adapter is a SQLite file of its own in the data dir
 * (adapters/subject-keys-sqlite); a KMS adapter would keep the same three operations, with the wrapping done by the
 * KMS instead. Destroying a subject's keys is what erasure is: every value sealed under them becomes unreadable.
 */
export type StoredSubjectKey = {
  /** Names one generation of the subject's key: a subject erased and seen again gets a new key, with a new id. */
  keyId: string;
  /** The data key sealed by the master key (SecretBox format), never the key itself. */
  wrappedKey: string;
};

export interface SubjectKeyStore {
  /** The subject's current key, or null when it has none (never seen, or erased). */
  find(subjectReference: string): StoredSubjectKey | null;
  /**
   * Stores a new key for the subject unless it already has one, and returns the one it has after (the first
   * writer wins, so two writers never seal one subject under two keys). Durable when it returns.
   */
  createIfAbsent(subjectReference: string, key: StoredSubjectKey, createdAt: string): StoredSubjectKey;
  /**
   * Destroys the subject's key so that nothing of it remains in the store's files (free pages and journal
   * included). Returns how many keys were destroyed: 0 when the subject had none.
   */
  destroy(subjectReference: string): number;
}
