/**
 * Durable record of answered requests, so a repeated request gets the original answer instead of running again.
 * `scope` is the caller (`operator`, `participant:MARGALLA`): two callers never share keys.
 */
export type IdempotencyRecord = {
  scope: string;
  idempotencyKey: string;
  fingerprint: string;
  statusCode: number;
  /**
   * The JSON answer as sent; null when the answer carried a secret shown only once (an issued key). Such a
   * request runs again on a retry, and its domain logic replaces what the lost answer carried.
   */
  body: string | null;
  createdAt: string;
};

/** How long answers are kept: a client retries within minutes; a day covers a long outage on its side. */
export const idempotencyRetentionMs = 24 * 60 * 60 * 1000;

/**
 * Asynchronous, so that the records can live beside a remote log (PostgreSQL, issue 19) as well as in the data dir.
 */
export interface IdempotencyStore {
  find(scope: string, idempotencyKey: string): Promise<IdempotencyRecord | null>;
  /** Stores an answer, durable when it resolves; a record already there for (scope, key) is kept (the first answer wins). */
  save(record: IdempotencyRecord): Promise<void>;
  /** Deletes records created before `before`; returns how many. */
  prune(before: Date): Promise<number>;
}
