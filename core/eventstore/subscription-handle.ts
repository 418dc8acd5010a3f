import type { SubscribeOptions, Subscription } from './event-store';

/**
 * The Subscription an adapter returns for its delivery loop `run`: a failure is reported once through
 * `onError` and through `finished`, and `close` asks the loop to stop and waits for it.
 */
export function subscriptionHandle(run: Promise<void>, options: SubscribeOptions, stop: () => void): Subscription {
  const finished = run.catch((error: unknown) => {
    options.onError?.(error);
    throw error;
  });
  // A failure is reported through `finished` and onError; this keeps it from also being an unhandled rejection.
  finished.catch(() => undefined);
  return {
    finished,
    async close(): Promise<void> {
      stop();
      await finished.catch(() => undefined);
    },
  };
}

/** The subscriptions a store has open, so that closing the store closes them first. */
export class OpenSubscriptions {
  private readonly open = new Set<Subscription>();

  /** Holds the subscription until it finishes, however it finishes; returns it. */
  track(subscription: Subscription): Subscription {
    this.open.add(subscription);
    const forget = (): void => {
      this.open.delete(subscription);
    };
    void subscription.finished.then(forget, forget);
    return subscription;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open].map((subscription) => subscription.close()));
  }
}
