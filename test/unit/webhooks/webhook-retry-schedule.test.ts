import { exponentialRetrySchedule, retryPolicyDefault } from '../../../core/outbox/backoff';
import { webhookRetrySchedule } from '../../../core/webhooks/webhook-retry-schedule';

const secondMs = 1_000;
const minuteMs = 60 * secondMs;
const hourMs = 60 * minuteMs;
const queuedAt = new Date('2026-12-01T00:00:00.000Z');

/** Fails every attempt from the queueing on and records the waits until the schedule gives up. */
function failEveryAttempt(random: () => number): { delaysMs: number[]; lastAttemptAfterMs: number } {
  const schedule = webhookRetrySchedule();
  const delaysMs: number[] = [];
  let elapsedMs = 0;
  for (let failedAttempts = 1; failedAttempts <= 100; failedAttempts += 1) {
    const delayMs = schedule.retryDelayMs(
      { failedAttempts, destinationFailuresInARow: failedAttempts, queuedAt, now: new Date(queuedAt.getTime() + elapsedMs) },
      random,
    );
    if (delayMs === null) return { delaysMs, lastAttemptAfterMs: elapsedMs };
    delaysMs.push(delayMs);
    elapsedMs += delayMs;
  }
  throw new Error('the schedule never gave up');
}

describe('the webhook retry schedule (issue 11)', () => {
  it('waits 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h, 12 h, then 24 h until 3 days have passed, then gives up', () => {
    const { delaysMs, lastAttemptAfterMs } = failEveryAttempt(() => 0.5);
    expect(delaysMs).toEqual([
      5 * secondMs,
      30 * secondMs,
      2 * minuteMs,
      10 * minuteMs,
      30 * minuteMs,
      hourMs,
      3 * hourMs,
      6 * hourMs,
      12 * hourMs,
      24 * hourMs,
      24 * hourMs,
    ]);
    // Twelve attempts: the last about 70.7 h after queueing; one more day would pass the 72 h window.
    expect(lastAttemptAfterMs).toBe(81_755 * secondMs + 48 * hourMs);
    expect(lastAttemptAfterMs).toBeLessThanOrEqual(72 * hourMs);
  });

  it('jitters every wait by at most 10 % either way, and never schedules a try past the window', () => {
    const lowest = failEveryAttempt(() => 0);
    const highest = failEveryAttempt(() => 0.999_999);
    expect(lowest.delaysMs[0]).toBe(4_500);
    expect(highest.delaysMs[0]).toBe(5_500);
    expect(lowest.delaysMs[8]).toBe(0.9 * 12 * hourMs);
    for (const run of [lowest, highest]) expect(run.lastAttemptAfterMs).toBeLessThanOrEqual(72 * hourMs);
  });

  it("counts the event's own failures, not its endpoint's: a new event starts at 5 s even while the endpoint has failed for hours", () => {
    const delayMs = webhookRetrySchedule().retryDelayMs(
      { failedAttempts: 1, destinationFailuresInARow: 9, queuedAt, now: queuedAt },
      () => 0.5,
    );
    expect(delayMs).toBe(5 * secondMs);
  });

  it("leaves the payment channels' exponential schedule as it was: the larger of the delivery's and the destination's failures", () => {
    const schedule = exponentialRetrySchedule(retryPolicyDefault);
    const context = { queuedAt, now: queuedAt };
    expect(schedule.retryDelayMs({ ...context, failedAttempts: 1, destinationFailuresInARow: 0 }, () => 0)).toBe(250);
    expect(schedule.retryDelayMs({ ...context, failedAttempts: 1, destinationFailuresInARow: 3 }, () => 0)).toBe(1_000);
    expect(schedule.retryDelayMs({ ...context, failedAttempts: 1_000, destinationFailuresInARow: 0 }, () => 0)).toBe(15_000);
  });
});
