import { idempotencyRetentionMs } from './idempotency-store';

/**
 * Whether a request carrying `requestReference` at `now` can be a retry of the earlier request that left
 * `earlier` (issued at `issuedAt` under its reference). Only while that request's idempotency record could still
 * exist: past the retention the same Idempotency-Key is a new request, and what the old one made stays.
 */
export function couldBeRetryOf(earlier: { requestReference: string | null; issuedAt: string }, requestReference: string | null, now: Date): boolean {
  return requestReference !== null && earlier.requestReference === requestReference && now.getTime() - Date.parse(earlier.issuedAt) < idempotencyRetentionMs;
}
