import { isDomainError } from '../core/errors';

/** The one error shape every answer uses: `{"error":{"code","message","details"}}`. */
export type ErrorBody = { error: { code: string; message: string; details: readonly unknown[] } };

/** An error the edge itself raises (bad body, missing key, unknown route), with its HTTP status. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: readonly unknown[];
  /** Extra response headers (Retry-After, Allow). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, details: readonly unknown[] = [], headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

/**
 * Statuses of the domain's error codes. A code missing here answers 422: the request was understood and a
 * rule refused it. Listing codes explicitly keeps 4xx/5xx a decision, not an accident.
 */
const statusByCode: Readonly<Record<string, number>> = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  INVALID_AMOUNT: 400,
  INVALID_IBAN: 400,
  INVALID_ALIAS: 400,
  INVALID_ACCOUNT: 400,
  INVALID_PARTY: 400,
  INVALID_IDEMPOTENCY_KEY: 400,
  IDEMPOTENCY_KEY_REQUIRED: 400,
  UNKNOWN_CURRENCY: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  PARTICIPANT_INACTIVE: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  PARTICIPANT_NOT_FOUND: 404,
  PARTY_NOT_FOUND: 404,
  ALIAS_NOT_FOUND: 404,
  KEY_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PARTICIPANT_EXISTS: 409,
  BANK_CODE_TAKEN: 409,
  ALIAS_TAKEN: 409,
  IDEMPOTENCY_CONFLICT: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  CONCURRENT_UPDATE: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INSUFFICIENT_LIQUIDITY: 422,
  KEY_LIMIT_REACHED: 422,
  SIGNING_SECRET_LIMIT_REACHED: 409,
  ACCOUNT_NOT_AT_PARTICIPANT: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  OVERLOADED: 503,
  EVENT_STORE_OVERLOADED: 503,
  LEDGER_UNAVAILABLE: 503,
  LEDGER_WRITE_FAILED: 503,
  LEDGER_STOPPED: 503,
  PROJECTION_WAIT_TIMEOUT: 503,
  PROJECTION_WAITERS_FULL: 503,
  PROJECTION_RUNNER_FAILED: 503,
  PROJECTION_RUNNER_STOPPED: 503,
  // Recorded, not refused: the outcome is not known yet, so the client asks again rather than giving up.
  TRANSFER_IN_FLIGHT: 503,
};

export function statusForCode(code: string): number {
  return statusByCode[code] ?? 422;
}

/** Converts an operating error (HttpError or DomainError) into status, body and headers; null for anything else. */
export function toErrorAnswer(error: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } | null {
  if (error instanceof HttpError) {
    return { status: error.status, body: errorBody(error.code, error.message, error.details), headers: { ...error.headers } };
  }
  if (isDomainError(error)) {
    const status = statusForCode(error.code);
    // A 503 is the switch catching up or shedding load: tell the client when to come back.
    const headers: Record<string, string> = status === 503 ? { 'Retry-After': '1' } : {};
    return { status, body: errorBody(error.code, error.message, error.details), headers };
  }
  return null;
}

export function errorBody(code: string, message: string, details: readonly unknown[] = []): ErrorBody {
  return { error: { code, message, details } };
}
