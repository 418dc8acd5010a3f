import type { DomainErrorCode } from './error-catalogue';

/**
 * The HTTP statuses an error code can answer with. Core keeps a code's status as plain data (its answer class:
 * bad input, not found, conflict, refused by a rule, busy); it knows nothing of express or sockets.
 */
export type HttpStatus = 400 | 401 | 403 | 404 | 405 | 408 | 409 | 413 | 415 | 422 | 429 | 431 | 500 | 503;

/** What the catalogue says about one code: the status every answer carrying it has, and what it means. */
export type ErrorCodeEntry = { readonly status: HttpStatus; readonly meaning: string };

/**
 * One module's error codes, each with its status and a one-sentence meaning. A module declares its table as
 * `{ ... } as const satisfies ErrorCodeTable`, so a code without a status or a meaning does not compile.
 */
export type ErrorCodeTable = Readonly<Record<string, ErrorCodeEntry>>;

/**
 * An operating error the domain reports to its caller: a stable machine-readable code from the error catalogue
 * (core/error-catalogue.ts) and a sentence a person can act on. The edge answers the code's catalogued status.
 */
export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly details: readonly unknown[];

  constructor(code: DomainErrorCode, message: string, details: readonly unknown[] = []) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
