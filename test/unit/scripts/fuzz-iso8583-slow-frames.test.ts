import { SlowFrames } from '../../../scripts/fuzz-iso8583/slow-frames';

/** A frame's work in this test: it spins for its own number of milliseconds, every time it is timed. */
function spin(milliseconds: number): number {
  const startMs = performance.now();
  while (performance.now() - startMs < milliseconds) {
    // Busy on purpose: a frame slow by itself is slow on every timing.
  }
  return performance.now() - startMs;
}

describe('the frames fuzz:iso8583 times again', () => {
  it('finds a frame slow by itself even when a longer pause of the machine hit another frame', () => {
    const slowFrames = new SlowFrames<{ name: string; spinMs: number }>(50, 1_000);
    // The first timings: a fast frame that a 600 ms pause of the machine hit, a frame that takes 80 ms every time,
    // and ordinary frames. Timing only the slowest first timing again would find the pause (fast now) and pass.
    const paused = { name: 'paused once', spinMs: 0 };
    const slowByItself = { name: 'slow by itself', spinMs: 80 };
    slowFrames.offer(paused, 600);
    slowFrames.offer(slowByItself, 80);
    for (let index = 0; index < 100; index += 1) slowFrames.offer({ name: `ordinary ${index}`, spinMs: 0 }, 0.05);
    expect(slowFrames.framesOverBound).toBe(2);
    const worst = slowFrames.retime((frame) => spin(frame.spinMs), 5);
    expect(worst?.frame).toBe(slowByItself);
    expect(worst?.firstMs).toBe(80);
    expect(worst?.retimedMs).toBeGreaterThanOrEqual(80);
  });

  it('keeps the slowest frames over the bound when more than it may keep, and the slowest frame when none is over it', () => {
    const slowFrames = new SlowFrames<number>(10, 3);
    for (const firstMs of [11, 50, 12, 40, 13, 30]) slowFrames.offer(firstMs, firstMs);
    expect(slowFrames.framesOverBound).toBe(6);
    const timedAgain: number[] = [];
    slowFrames.retime((frame) => {
      timedAgain.push(frame);
      return 0;
    }, 1);
    expect(timedAgain.sort((left, right) => left - right)).toEqual([30, 40, 50]);

    const quiet = new SlowFrames<string>(10, 3);
    quiet.offer('a', 1);
    quiet.offer('b', 2);
    expect(quiet.framesOverBound).toBe(0);
    expect(quiet.retime(() => 0.5, 5)).toEqual({ frame: 'b', firstMs: 2, retimedMs: 0.5 });
    expect(new SlowFrames<string>(10, 3).retime(() => 0, 5)).toBeNull();
  });

  it('refuses a bound or a size that cannot work', () => {
    expect(() => new SlowFrames(0, 10)).toThrow(/positive bound/);
    expect(() => new SlowFrames(50, 0)).toThrow(/at least one frame/);
  });
});
