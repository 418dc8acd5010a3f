import type { StreamingRead } from '@eventstore/db-client';
import { assert } from '../../core/assert';
import { EsdbAdapterError } from './esdb-errors';

export type ReadVerdict = 'more' | 'enough';

/**
 * How long a cancelled call may take to hand over what it had already received. Draining is local (the server
 * sends nothing more after the cancel), so this only bounds a call that misbehaves.
 */
export const drainTimeoutMs = 5000;

/**
 * Consumes one streaming read of the client, record by record, under a deadline. The client gives reads no
 * deadline at all (a stalled server would hold the caller forever), so this one adds it.
 *
 * `visit` says 'enough' to stop early. Stopping early, a failing `visit` and the deadline all cancel the call and
 * then keep reading, discarding, until the call ends. Why not just stop reading: grpc-js reports a call's end
 * only after the application has read every message it received, so a call abandoned with messages in its buffer
 * never ends, and the client's dispose() (which waits for every call to end) would then never return.
 *
 * Resolves true when the read ended because the server had nothing more (the end of the stream or `maxCount`).
 */
export async function consumeRead<Item>(
  read: StreamingRead<Item>,
  visit: (item: Item) => ReadVerdict,
  deadline: { timeoutMs: number; what: string },
): Promise<boolean> {
  assert(Number.isSafeInteger(deadline.timeoutMs) && deadline.timeoutMs > 0, 'a read deadline is a positive number of milliseconds');
  // Errors the client re-emits after this function has let go of the stream would otherwise be uncaught.
  read.on('error', () => undefined);
  // An object, not `let`s: the timers change it behind the loop's back, which flow analysis cannot see.
  const progress: { state: 'reading' | 'enough' | 'failed'; failure: unknown } = { state: 'reading', failure: null };
  let drainTimer: ReturnType<typeof setTimeout> | null = null;
  const stop = (next: 'enough' | 'failed', error?: unknown): void => {
    if (progress.state !== 'reading') return;
    progress.state = next;
    progress.failure = error ?? null;
    void read.cancel().catch(() => undefined);
    drainTimer = setTimeout(() => read.destroy(), drainTimeoutMs);
  };
  const deadlineTimer = setTimeout(() => {
    stop('failed', new EsdbAdapterError('ESDB_READ_TIMEOUT', `${deadline.what} took longer than ${deadline.timeoutMs} ms`));
  }, deadline.timeoutMs);
  try {
    for await (const item of read) {
      if (progress.state !== 'reading') continue;
      try {
        if (visit(item) === 'enough') stop('enough');
      } catch (error) {
        stop('failed', error);
      }
    }
  } catch (error) {
    // The drain fallback destroys the stream, which ends the loop with a premature-close error.
    if (progress.state === 'reading') throw error;
  } finally {
    clearTimeout(deadlineTimer);
    if (drainTimer !== null) clearTimeout(drainTimer);
  }
  if (progress.state === 'failed') throw progress.failure;
  return progress.state === 'reading';
}
