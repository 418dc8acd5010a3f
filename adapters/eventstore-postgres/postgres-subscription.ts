import type { RecordedEvent } from '../../core/eventstore/event';
import type { SubscribeOptions, Subscription, SubscriptionHandler } from '../../core/eventstore/event-store';
import { subscriptionHandle } from '../../core/eventstore/subscription-handle';
import { isConnectionFailure } from './postgres-errors';

const pageSize = 1000;
/** After the store failed to answer, the subscription waits this long first, doubling up to the maximum. */
const retryPauseMsFirst = 100;
const retryPauseMsMax = 500;

type PostgresSubscriptionInput = {
  afterPosition: bigint;
  handler: SubscriptionHandler;
  options: SubscribeOptions;
  pollIntervalMs: number;
  readPage: (afterPosition: bigint, limit: number) => Promise<RecordedEvent[]>;
  /** Registers a callback for appends made in this process; returns the function that unregisters it. */
  listen: (wake: () => void) => () => void;
};

/**
 * Catch-up then live delivery by polling the log by position. Positions are assigned in commit order (see the
 * store), so a page never skips an event that becomes visible later. A lost connection is not the end of the
 * subscription: it waits and reads again from where it was (a failover takes seconds), so read models keep
 * following the log through it. A failing handler ends it, as on every store.
 */
export function postgresSubscription(input: PostgresSubscriptionInput): Subscription {
  let stopping = false;
  let wakeSleeper: (() => void) | null = null;
  const wake = (): void => {
    const sleeper = wakeSleeper;
    wakeSleeper = null;
    sleeper?.();
  };
  const unlisten = input.listen(wake);
  const sleep = (durationMs: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wakeSleeper = null;
        resolve();
      }, durationMs);
      wakeSleeper = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const run = async (): Promise<void> => {
    let position = input.afterPosition;
    let failuresInRow = 0;
    try {
      while (!stopping) {
        let page: RecordedEvent[];
        try {
          page = await input.readPage(position, pageSize);
          failuresInRow = 0;
        } catch (error) {
          if (!isConnectionFailure(error)) throw error;
          failuresInRow += 1;
          await sleep(Math.min(retryPauseMsMax, retryPauseMsFirst * 2 ** (failuresInRow - 1)));
          continue;
        }
        for (const event of page) {
          if (stopping) return;
          await input.handler(event);
          position = event.position;
        }
        if (page.length === 0) await sleep(input.pollIntervalMs);
      }
    } finally {
      unlisten();
    }
  };

  return subscriptionHandle(run(), input.options, () => {
    stopping = true;
    wake();
  });
}
