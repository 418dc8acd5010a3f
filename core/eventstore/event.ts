/** JSON values: what event data and metadata may hold. Money inside events is an integer string of minor units. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type EventMetadata = {
  /** ISO-8601 instant at which the fact was decided (injected time, not the write time). */
  at: string;
  correlationId?: string;
  causationId?: string;
  /** Who caused it: `operator`, `participant:MARGALLA`, `engine:ledger-PKR`, ... */
  actor?: string;
};

/**
 * An event about to be appended. The id is chosen by the writer (a uuid) so retries can be recognised.
 *
 * A binary event carries its payload in `bytes` and an empty `data` ({}): the ledger writes one compact record per
 * batch this way (core/ledger/ledger-record.ts decodes it). Stores keep the bytes exactly: SQLite in its `body`
 * BLOB column, EventStoreDB as a binary (non-JSON) event, PostgreSQL as `bytea`. The size limit counts them.
 */
export type NewEvent<Type extends string = string, Data extends JsonObject = JsonObject> = {
  id: string;
  type: Type;
  data: Data;
  metadata: EventMetadata;
  bytes?: Uint8Array;
};

/** An event as stored: its stream revision (0-based, per stream) and its global log position. */
export type RecordedEvent<Type extends string = string, Data extends JsonObject = JsonObject> = NewEvent<Type, Data> & {
  stream: string;
  revision: bigint;
  /** Position in the global log: strictly increasing across all streams, not necessarily contiguous. */
  position: bigint;
};
