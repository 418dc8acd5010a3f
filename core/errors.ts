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

/** A detail path: the field names (and array indices) from an input's root to the field at fault. */
export type DetailPath = readonly (string | number)[];

/** A detail that names a field at fault, with whatever else its refusal says of it. */
export type FieldDetail = { readonly path: DetailPath };

/**
 * The same refusal as seen from an input that holds the refused one at `prefix`: every detail that names a field
 * has its path prefixed (a party's ['value'] is ['payee', 'value'] of a transfer request). A function names the
 * fields of what it was given, never those of a request as some client wrote it, so that each caller that nests
 * the input adds its own step; the edge adds the request's part (body, path) last. Other details pass unchanged.
 */
export function refusalUnder(error: DomainError, prefix: DetailPath, message: string = error.message): DomainError {
  const details = error.details.map((detail) => {
    const field = asFieldDetail(detail);
    return field === null ? detail : { ...field, path: [...prefix, ...field.path] };
  });
  return new DomainError(error.code, message, details);
}

/** The detail as one that names a field, or null when it names none. */
export function asFieldDetail(detail: unknown): FieldDetail | null {
  if (typeof detail !== 'object' || detail === null || !('path' in detail)) return null;
  const path: unknown = detail.path;
  if (!Array.isArray(path) || !path.every((part) => typeof part === 'string' || typeof part === 'number')) return null;
  return { ...detail, path };
}
