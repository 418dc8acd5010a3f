import { assert } from '../assert';
import type { RetrySchedule } from '../outbox/backoff';

const secondMs = 1_000;
const minuteMs = 60 * secondMs;
const hourMs = 60 * minuteMs;

export type WebhookRetryScheduleOptions = {
  /** The waits after the first, second, … failed attempt. */
  delaysMs: readonly number[];
  /** The wait after every failed attempt past the list. */
  repeatDelayMs: number;
  /** No try is scheduled later than this after the event was queued: the delivery is FAILED instead. */
  windowMs: number;
  /** Each wait is stretched or shrunk by up to this fraction, at random. */
  jitterFraction: number;
};

/** Issue 11's schedule, as Stripe publishes its own: 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h, 12 h, then daily for 3 days. */
export const webhookRetryScheduleDefault: WebhookRetryScheduleOptions = {
  delaysMs: [5 * secondMs, 30 * secondMs, 2 * minuteMs, 10 * minuteMs, 30 * minuteMs, hourMs, 3 * hourMs, 6 * hourMs, 12 * hourMs],
  repeatDelayMs: 24 * hourMs,
  windowMs: 72 * hourMs,
  jitterFraction: 0.1,
};

/**
 * The retry schedule of merchant webhooks. It counts the delivery's own failures only (not its destination's), so
 * every event follows the published schedule whatever else the merchant's endpoint is failing; the outbox still
 * keeps a down endpoint from being hit by every event at once. Jitter spreads the retries of many events so that a
 * merchant coming back is not hit by all of them at the same instant. A retry that would fall after the window is
 * not scheduled: the delivery is given up (FAILED) at the attempt that would have needed it.
 */
export function webhookRetrySchedule(options: WebhookRetryScheduleOptions = webhookRetryScheduleDefault): RetrySchedule {
  assert(options.delaysMs.length <= 100, 'a webhook schedule lists at most 100 waits');
  for (const delayMs of [...options.delaysMs, options.repeatDelayMs, options.windowMs])
    assert(Number.isSafeInteger(delayMs) && delayMs >= 1, 'the waits and the window of a webhook schedule are positive whole milliseconds');
  assert(options.jitterFraction >= 0 && options.jitterFraction < 1, 'a jitter fraction is in [0, 1)');
  return {
    retryDelayMs(context, random) {
      assert(Number.isSafeInteger(context.failedAttempts) && context.failedAttempts >= 1, 'a retry follows at least one failed attempt');
      const baseMs = options.delaysMs[context.failedAttempts - 1] ?? options.repeatDelayMs;
      const fraction = random();
      assert(fraction >= 0 && fraction < 1, 'random() returns a number in [0, 1)');
      const delayMs = Math.round(baseMs * (1 + options.jitterFraction * (2 * fraction - 1)));
      const retryAtMs = context.now.getTime() + delayMs;
      return retryAtMs - context.queuedAt.getTime() > options.windowMs ? null : delayMs;
    },
  };
}
