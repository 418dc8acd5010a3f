/**
 * Errors the EventStoreDB adapter raises on its own account, each with a stable code and a sentence an operator
 * can act on. Errors of the port (WrongExpectedRevisionError, EventStoreInputError) come from core/eventstore;
 * transport errors of @eventstore/db-client (UnavailableError, NotLeaderError, ...) pass through unchanged.
 */
export type EsdbErrorCode =
  /** The connection string is not an esdb:// or esdb+discover:// URL the client can use. */
  | 'INVALID_EVENTSTORE_URL'
  /** A record whose commit and prepare positions differ: written by a legacy explicit transaction. */
  | 'ESDB_UNSUPPORTED_POSITION'
  /** The server sent an event without its log position (EventStoreDB older than 22.6 does, on stream reads). */
  | 'ESDB_POSITION_UNAVAILABLE'
  /** An event in a user stream that is not a JSON object with Hisaab metadata. */
  | 'ESDB_NOT_A_HISAAB_EVENT'
  /** A read walked past its bound of records without finding what it needed. */
  | 'ESDB_SCAN_LIMIT'
  /** A read from the server took longer than its deadline. */
  | 'ESDB_READ_TIMEOUT'
  /** The server ended a subscription that should have run until closed. */
  | 'ESDB_SUBSCRIPTION_ENDED'
  /** The store was used after close(). */
  | 'ESDB_CLOSED';

export class EsdbAdapterError extends Error {
  readonly code: EsdbErrorCode;

  constructor(code: EsdbErrorCode, message: string) {
    super(message);
    this.name = 'EsdbAdapterError';
    this.code = code;
  }
}
