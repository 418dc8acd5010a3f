import type { ErrorCodeTable } from './errors';

/** Codes any module may raise: input that breaks a rule of its shape, and a switch too busy to take the request. */
export const commonErrors = {
  VALIDATION_FAILED: {
    status: 400,
    meaning:
      'The request (its body, path, query or headers) does not have the shape or values the operation takes; `details` names each field.',
  },
  OVERLOADED: { status: 503, meaning: 'The switch is busy and did nothing with this request; retry after the `Retry-After` seconds.' },
} as const satisfies ErrorCodeTable;
