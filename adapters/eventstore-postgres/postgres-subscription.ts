import { isConnectionFailure } from './postgres-errors';

/** After the store failed to answer, the subscription waits this long first, doubling up to the maximum. */
const retryPauseMsFirst = 100;
const retryPauseMsMax = 500;

/**
 * A PostgreSQL subscription (adapters/polling-subscription.ts) outlives a lost connection: it waits and reads
 * again from where it was (a failover takes seconds), so read models keep following the log through it. Any other
 * error, and a failing handler, ends it, as on every store. Positions are assigned in commit order (see the store),
 * so a page never skips an event that becomes visible later.
 */
export function postgresRetryPauseMs(error: unknown, failuresInRow: number): number | null {
  if (!isConnectionFailure(error)) return null;
  return Math.min(retryPauseMsMax, retryPauseMsFirst * 2 ** (failuresInRow - 1));
}
