import { idempotencyRetentionMs } from './idempotency-store';

/**
 * Whether something a request did at `at` can still be asked for again by a retry of that request at `now`:
 * only while the request's idempotency record could still exist. Past the retention the same Idempotency-Key
 * is a new request, and what the old one made stays.
 */
export function withinRetryWindow(at: string, now: Date): boolean {
  return now.getTime() - Date.parse(at) < idempotencyRetentionMs;
}

/**
 * Whether a request carrying `requestReference` at `now` can be a retry of the earlier request that left
 * `earlier` (issued at `issuedAt` under its reference).
 */
export function couldBeRetryOf(
  earlier: { requestReference: string | null; issuedAt: string },
  requestReference: string | null,
  now: Date,
): boolean {
  return requestReference !== null && earlier.requestReference === requestReference && withinRetryWindow(earlier.issuedAt, now);
}
