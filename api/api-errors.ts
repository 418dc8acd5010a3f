import type { ErrorCodeTable } from '../core/errors';

/** Codes the HTTP edge raises itself, about the request as HTTP: its route, method, body and media type. */
export const apiErrors = {
  ROUTE_NOT_FOUND: { status: 404, meaning: 'There is no route for this method and path.' },
  METHOD_NOT_ALLOWED: { status: 405, meaning: 'The path exists but does not take this method; the `Allow` header lists those it takes.' },
  MALFORMED_JSON: { status: 400, meaning: 'The body is not valid JSON, or not a JSON object or array.' },
  BAD_REQUEST: {
    status: 400,
    meaning:
      'The request could not be read: a malformed request line or header, a wrong declared length, a repeated Authorization header, or a broken connection.',
  },
  HEADERS_TOO_LARGE: { status: 431, meaning: 'The request line and headers are larger than the switch reads (16 KiB in all).' },
  REQUEST_TIMEOUT: { status: 408, meaning: 'The request did not arrive whole in time (its headers within 10 s, all of it within 30 s).' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The body is larger than the route accepts.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'The body is not uncompressed UTF-8 JSON sent as `Content-Type: application/json`.' },
  REPORT_RANGE_TOO_WIDE: {
    status: 400,
    meaning:
      "The report's range is wider than it covers (a participants report: 31 days; a timeseries: 744 buckets; a summary: 744 hours): ask for a shorter range or a larger bucket.",
  },
  INVALID_CURSOR: {
    status: 400,
    meaning: 'The `cursor` is not one this list returned (every list answers it so, naming `query.cursor`): follow nextCursor as given.',
  },
  RATE_LIMITED: {
    status: 429,
    meaning:
      'The key (without a valid key, or on the pay pages: the client address) sent more requests than its rate allows; nothing was done: retry after the `Retry-After` seconds.',
  },
  WRITER_UNAVAILABLE: {
    status: 503,
    meaning:
      'A front-end worker could not get an answer from the ledger writer in time, or too many requests wait for it: retry the same request (a transfer id makes a retry safe).',
  },
  AUDIT_UNAVAILABLE: {
    status: 503,
    meaning: 'The audit entry of an operator action could not be written, so the action was not carried out: retry shortly.',
  },
  INTERNAL: { status: 500, meaning: 'The switch failed unexpectedly; quote the request id to the operator.' },
} as const satisfies ErrorCodeTable;

export type ApiErrorCode = keyof typeof apiErrors;
