import { DomainError } from '../../core/errors';

/** Why the PostgreSQL adapter refused or failed, as a stable code the switch can answer with. */
export type PostgresAdapterErrorCode = 'INVALID_EVENTSTORE_URL' | 'SCHEMA_TOO_NEW' | 'POSTGRES_CLOSED';

/**
 * An error of the PostgreSQL event store. Its message never carries the password of the connection string: it
 * names hosts and ports only.
 */
export class PostgresAdapterError extends Error {
  readonly code: PostgresAdapterErrorCode;

  constructor(code: PostgresAdapterErrorCode, message: string) {
    super(message);
    this.name = 'PostgresAdapterError';
    this.code = code;
  }
}

const connectionErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Whether an error means the server (or the way to it) is gone rather than that the statement was wrong: a
 * dropped socket, a refused connection, a server shutting down or terminating our session (SQLSTATE class 08 and
 * 57P), a timeout, or a server that is now read-only (a primary demoted to a standby: 25006).
 */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof DomainError) return error.code === 'STORE_UNAVAILABLE';
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (connectionErrorCodes.has(code)) return true;
    if (code.startsWith('08') || code.startsWith('57P') || code === '25006' || code === '53300') return true;
  }
  return /Connection terminated|connection timeout|Query read timeout|Client has encountered a connection error|not queryable/i.test(
    error.message,
  );
}

/** The store cannot be reached: the switch answers 503 STORE_UNAVAILABLE (Retry-After) and nothing is acknowledged. */
export function storeUnavailable(message: string): DomainError {
  return new DomainError('STORE_UNAVAILABLE', message);
}

/** This process does not hold the writer lease: the switch answers 503 NOT_WRITER. */
export function notWriter(message: string): DomainError {
  return new DomainError('NOT_WRITER', message);
}
