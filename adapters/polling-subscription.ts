import type { RecordedEvent } from '../core/eventstore/event';
import type { SubscribeOptions, Subscription, SubscriptionHandler } from '../core/eventstore/event-store';
import { subscriptionHandle } from '../core/eventstore/subscription-handle';

const pageSize = 1000;

type PollingSubscriptionInput = {
  afterPosition: bigint;
  handler: SubscriptionHandler;
  options: SubscribeOptions;
  pollIntervalMs: number;
  readPage: (afterPosition: bigint, limit: number) => RecordedEvent[] | Promise<RecordedEvent[]>;
  /** Registers a callback for appends made in this process; returns the function that unregisters it. */
  listen: (wake: () => void) => () => void;
  /**
   * For a store over a network (PostgreSQL): how long to wait before reading again after a read failed, given the
   * failures in a row, or null when the error ends the subscription. Without it every read error ends it.
   */
  retryPauseMs?: (error: unknown, failuresInRow: number) => number | null;
};

/**
 * Catch-up then live delivery over a log that can be read by position. It reads a page, hands each event to
 * the handler in order, and when the log is exhausted sleeps until an append in this process wakes it or the
 * poll interval passes (appends by another process are only seen by polling).
 */
export function pollingSubscription(input: PollingSubscriptionInput): Subscription {
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
          failuresInRow += 1;
          const pauseMs = input.retryPauseMs?.(error, failuresInRow) ?? null;
          if (pauseMs === null) throw error;
          await sleep(pauseMs);
          continue;
        }
        for (const event of page) {
          if (stopping) return;
          await input.handler(event);
          position = event.position;
        }
        if (page.length === 0) await sleep(input.pollIntervalMs);
        else await Promise.resolve();
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
