import { declaredOnce, domainErrorTables, mergeErrorTables, type CodesDeclaredTwice, type DomainErrorCode } from '../core/error-catalogue';
import { isDomainError, type ErrorCodeEntry, type HttpStatus } from '../core/errors';
import { apiErrors, type ApiErrorCode } from './api-errors';

/** Every code an answer can carry: the domain's catalogue and the edge's own codes. */
export type ErrorCode = DomainErrorCode | ApiErrorCode;

/** The whole catalogue by module, in the order the README lists it. */
export const errorTables = { ...domainErrorTables, api: apiErrors } as const;

declaredOnce<CodesDeclaredTwice<typeof errorTables>>(true);

/** Code → status and meaning. One code answers one status on every route; nothing falls back to a default. */
export const errorCatalogue: Readonly<Record<ErrorCode, ErrorCodeEntry>> = mergeErrorTables(errorTables);

export function statusOf(code: ErrorCode): HttpStatus {
  return errorCatalogue[code].status;
}

/** The one error shape every answer uses: `{"error":{"code","message","details"}}`. */
export type ErrorBody = { error: { code: ErrorCode; message: string; details: readonly unknown[] } };

/** An error the edge itself raises (bad body, missing key, unknown route); its status is its code's. */
export class HttpError extends Error {
  readonly status: HttpStatus;
  readonly code: ErrorCode;
  readonly details: readonly unknown[];
  /** Extra response headers (Retry-After, Allow). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, details: readonly unknown[] = [], headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = statusOf(code);
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

/** Converts an operating error (HttpError or DomainError) into status, body and headers; null for anything else. */
export function toErrorAnswer(error: unknown): { status: HttpStatus; body: ErrorBody; headers: Record<string, string> } | null {
  if (error instanceof HttpError) {
    return { status: error.status, body: errorBody(error.code, error.message, error.details), headers: { ...error.headers } };
  }
  if (isDomainError(error)) {
    const status = statusOf(error.code);
    // A 503 is the switch catching up or shedding load: tell the client when to come back.
    const headers: Record<string, string> = status === 503 ? { 'Retry-After': '1' } : {};
    return { status, body: errorBody(error.code, error.message, error.details), headers };
  }
  return null;
}

export function errorBody(code: ErrorCode, message: string, details: readonly unknown[] = []): ErrorBody {
  return { error: { code, message, details } };
}
