import fc from 'fast-check';
import { retryDelayMs, retryPolicyDefault } from '../../../core/outbox/backoff';

describe('retry backoff', () => {
  it('doubles from the base delay up to the 30 s cap, half fixed and half jittered', () => {
    const lowest = () => 0;
    const highest = () => 0.999_999_999;
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => retryDelayMs(attempt, retryPolicyDefault, lowest))).toEqual([
      250, 500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000,
    ]);
    expect([1, 2, 3, 7, 8, 1_000].map((attempt) => retryDelayMs(attempt, retryPolicyDefault, highest))).toEqual([
      499, 999, 1_999, 29_999, 29_999, 29_999,
    ]);
  });

  it('never waits more than the cap nor less than half the current step, whatever the attempt and the draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.double({ min: 0, max: 0.999_999, noNaN: true }), (attempt, draw) => {
        const delayMs = retryDelayMs(attempt, retryPolicyDefault, () => draw);
        const stepMs = Math.min(retryPolicyDefault.retryDelayCapMs, retryPolicyDefault.retryDelayBaseMs * 2 ** Math.min(attempt - 1, 30));
        return delayMs <= retryPolicyDefault.retryDelayCapMs && delayMs >= Math.floor(stepMs / 2);
      }),
    );
  });

  it('crashes on a policy or a draw out of range (programmer errors)', () => {
    expect(() => retryDelayMs(0, retryPolicyDefault, () => 0.5)).toThrow(/invariant/);
    expect(() => retryDelayMs(1, { retryDelayBaseMs: 10, retryDelayCapMs: 5 }, () => 0.5)).toThrow(/invariant/);
    expect(() => retryDelayMs(1, retryPolicyDefault, () => 1)).toThrow(/invariant/);
  });
});
