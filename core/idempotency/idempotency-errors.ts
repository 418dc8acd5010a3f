import type { ErrorCodeTable } from '../errors';

/** Codes of the Idempotency-Key header and the answers it replays. */
export const idempotencyErrors = {
  INVALID_IDEMPOTENCY_KEY: {
    status: 400,
    meaning: 'The Idempotency-Key header is empty, too long, or holds characters other than letters, digits, "-", "_", "." and ":".',
  },
  IDEMPOTENCY_KEY_REQUIRED: { status: 400, meaning: 'This operation needs an Idempotency-Key header.' },
  IDEMPOTENCY_CONFLICT: {
    status: 409,
    meaning: 'This Idempotency-Key (or request reference) was used with a different request; use a new key for a new request.',
  },
} as const satisfies ErrorCodeTable;
