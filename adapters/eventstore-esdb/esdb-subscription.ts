import { streamNameFilter, type AllStreamSubscription, type EventStoreDBClient, type Filter } from '@eventstore/db-client';
import { assert } from '../../core/assert';
import type { SubscribeOptions, Subscription, SubscriptionHandler } from '../../core/eventstore/event-store';
import { subscriptionHandle } from '../../core/eventstore/subscription-handle';
import { drainTimeoutMs } from './esdb-bounded-read';
import { EsdbAdapterError } from './esdb-errors';
import { isAfter, toReadPosition } from './esdb-position';
import { checkStreamPrefixes, isSystemEvent, streamMatcher, toRecordedEvent } from './esdb-recorded-event';

/**
 * Events the client buffers ahead of the handler. When the buffer is full the client stops reading, gRPC flow
 * control stops the server, and the server (past its own live buffer) falls back to catching up from the log:
 * a slow handler costs memory bounded by this, never a growing queue.
 */
export const subscriptionBufferEventsMax = 100;

/** Matches every stream whose name does not start with `$`: the non-system part of $all. */
const userStreamsPattern = '^[^$]';

/**
 * The server-side filter: the caller's prefixes, or every non-system stream. Filtering on the server means a
 * sparse subscription (one kind of stream in a busy log) is not sent the rest of the log.
 */
export function serverFilter(options: SubscribeOptions): Filter {
  const prefixes = checkStreamPrefixes(options.filter);
  if (prefixes === null) return streamNameFilter({ regex: userStreamsPattern });
  return streamNameFilter({ prefixes: [...prefixes] });
}

type EsdbSubscriptionInput = {
  client: EventStoreDBClient;
  afterPosition: bigint;
  handler: SubscriptionHandler;
  options: SubscribeOptions;
};

/**
 * subscribeToAll as the port's subscription: catch-up, then live, from after `afterPosition`, one event at a
 * time. The loop pulls the next event only once the handler's promise has resolved, which is what makes the
 * client's stream apply backpressure. Each delivered event must come after the last one; anything at or before
 * it (the start position itself, which a resumed subscription must skip) is passed over, so there are no repeats.
 */
export function esdbSubscription(input: EsdbSubscriptionInput): Subscription {
  const matches = streamMatcher(input.options.filter);
  const subscription: AllStreamSubscription = input.client.subscribeToAll(
    { fromPosition: toReadPosition(input.afterPosition), filter: serverFilter(input.options), resolveLinkTos: false },
    { highWaterMark: subscriptionBufferEventsMax },
  );
  // The client re-emits transport errors on this stream; one arriving after the loop below has let go of it
  // would otherwise be an uncaught 'error' event. The loop still sees every error while it runs.
  subscription.on('error', () => undefined);
  let stopping = false;
  let failure: { error: unknown } | null = null;
  let drainTimer: ReturnType<typeof setTimeout> | null = null;

  /** Cancels the call; the loop then reads on, discarding, until the call ends (see esdb-bounded-read.ts). */
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void subscription.unsubscribe().catch(() => undefined);
    // Should the cancelled call not end, stop waiting for it.
    drainTimer = setTimeout(() => subscription.destroy(), drainTimeoutMs);
  };

  const run = async (): Promise<void> => {
    let position = input.afterPosition;
    try {
      for await (const resolved of subscription) {
        if (stopping) continue;
        const recorded = resolved.event;
        // The filter runs on the server; these checks keep system events out whatever the server's filter did.
        if (recorded === undefined || !isAfter(recorded.position, position) || isSystemEvent(recorded) || !matches(recorded.streamId))
          continue;
        try {
          const event = toRecordedEvent(recorded);
          assert(event.position > position, 'subscription positions strictly increase');
          await input.handler(event);
          position = event.position;
        } catch (error) {
          failure = { error };
          stop();
        }
      }
    } catch (error) {
      // A transport error ends the call by itself. After stop(), only the drain fallback's destroy lands here.
      if (!stopping) throw error;
    } finally {
      if (drainTimer !== null) clearTimeout(drainTimer);
    }
    if (failure !== null) throw failure.error;
    if (!stopping)
      throw new EsdbAdapterError(
        'ESDB_SUBSCRIPTION_ENDED',
        'EventStoreDB ended the $all subscription; resubscribe from the last checkpoint',
      );
  };

  return subscriptionHandle(run(), input.options, stop);
}
