import { assert } from '../assert';

export type RetryPolicy = {
  /** Delay after the first failed attempt, before jitter. */
  retryDelayBaseMs: number;
  /** No wait between two tries is ever longer than this (issue 4: 30 s). */
  retryDelayCapMs: number;
};

export const retryPolicyDefault: RetryPolicy = { retryDelayBaseMs: 500, retryDelayCapMs: 30_000 };

/** What a retry schedule decides the next try from, after a failed attempt. */
export type RetryContext = {
  /** Failed attempts of this delivery so far, this one included (1 after the first). */
  failedAttempts: number;
  /** Failed attempts on the delivery's destination since it last answered, whichever deliveries made them. */
  destinationFailuresInARow: number;
  /** When the delivery was queued: a schedule may give up once a window from it has passed. */
  queuedAt: Date;
  now: Date;
};

/**
 * When an outbox tries a failed delivery again. Pluggable so that each channel keeps the promise it makes: the
 * wallet and ISO 8583 channels retry fast (capped at 30 s) until their attempt limit, merchant webhooks follow the
 * published schedule of issue 11 (core/webhooks/webhook-retry-schedule.ts). `random` returns a number in [0, 1).
 */
export interface RetrySchedule {
  /** Milliseconds until the next try, or null when no try is left and the delivery is given up. */
  retryDelayMs(context: RetryContext, random: () => number): number | null;
}

/**
 * The schedule the outboxes of the payment channels have always used: exponential backoff on whichever is larger,
 * the delivery's own failures or its destination's (successive probes of a receiver that is down may be different
 * deliveries), never given up by the schedule itself (the outbox's attempt limit does that).
 */
export function exponentialRetrySchedule(policy: RetryPolicy): RetrySchedule {
  return {
    retryDelayMs: (context, random) => retryDelayMs(Math.max(context.failedAttempts, context.destinationFailuresInARow), policy, random),
  };
}

/**
 * Exponential backoff with "equal jitter": the delay doubles with each failed attempt up to the cap, and a
 * random half of it is added on top of a fixed half. The fixed half keeps retries spaced as the receiver
 * stays down; the random half spreads the retries of many deliveries so a recovering receiver is not hit by
 * all of them at the same instant. `random` is injected (returns [0, 1)) so tests can fix it.
 */
export function retryDelayMs(failedAttempts: number, policy: RetryPolicy, random: () => number): number {
  assert(Number.isSafeInteger(failedAttempts) && failedAttempts >= 1, 'a retry delay follows at least one failed attempt');
  assert(
    policy.retryDelayBaseMs >= 1 && policy.retryDelayBaseMs <= policy.retryDelayCapMs,
    'the retry base delay is positive and at most the cap',
  );
  // 2^30 times any sane base is far past the cap: stop doubling there so the number stays exact.
  const exponent = Math.min(failedAttempts - 1, 30);
  const ceilingMs = Math.min(policy.retryDelayCapMs, policy.retryDelayBaseMs * 2 ** exponent);
  const fraction = random();
  assert(fraction >= 0 && fraction < 1, 'random() returns a number in [0, 1)');
  const delayMs = Math.floor(ceilingMs / 2 + (fraction * ceilingMs) / 2);
  assert(delayMs >= 0 && delayMs <= policy.retryDelayCapMs, 'a retry delay never exceeds the cap');
  return delayMs;
}
