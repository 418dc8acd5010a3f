import { defaultWarmupIntervals, ratioSeries, soakVerdict, type SeriesName } from '../../../load-tests/soak-verdict';

/** Every judged series at a level, with `rss` replacing the memory series. */
function series(rss: readonly (number | null)[], level = 100): Record<SeriesName, (number | null)[]> {
  const flat = Array.from({ length: rss.length }, () => level);
  return { rssMiB: [...rss], heapAfterMajorGcMiB: flat, ownHandles: flat, latencyP99Ratio: flat, eventLoopDelayP99Ratio: flat };
}

describe('the soak verdict', () => {
  it('leaves the warm-up out: memory that settles during it is flat', () => {
    const verdict = soakVerdict(series([50, 80, 100, 101, 99, 100, 102, 100, 99, 101]), 3);
    expect(verdict.kind).toBe('judged');
    expect(verdict.kind === 'judged' && verdict.flat).toBe(true);
  });

  it('fails a rising series, naming the levels it rose between', () => {
    const verdict = soakVerdict(series([90, 100, 100, 100, 104, 108, 112, 116, 120, 124, 128, 132]), 3);
    if (verdict.kind !== 'judged') throw new Error('a twelve-interval soak is judged');
    expect(verdict.flat).toBe(false);
    const rss = verdict.series.find((found) => found.series === 'rssMiB');
    expect(rss).toEqual({
      series: 'rssMiB',
      warmupValue: 100,
      thirdMedians: [104, 116, 128],
      ceilings: [110, 110, 110],
      growth: 0.28,
      growthBetween: ['warm-up', 'third 3'],
      change: 0.28,
      flat: false,
    });
  });

  it('passes a flat series with noise on every sample, as 30 minutes of 10 s samples', () => {
    const noisy = Array.from({ length: 180 }, (_unused, interval) => 100 + 8 * Math.sin(interval * 2.1) + (interval % 7) - 3);
    const verdict = soakVerdict(series(noisy), defaultWarmupIntervals(180));
    expect(verdict.kind === 'judged' && verdict.flat).toBe(true);
  });

  it('passes a series that falls after a warm-up ending on a peak and then stays flat, and reports the fall', () => {
    const peakThenFlat = [
      ...Array.from({ length: 36 }, () => 130),
      ...Array.from({ length: 144 }, (_unused, interval) => 100 + (interval % 3)),
    ];
    const verdict = soakVerdict(series(peakThenFlat), 36);
    if (verdict.kind !== 'judged') throw new Error('a 180-interval soak is judged');
    expect(verdict.flat).toBe(true);
    expect(verdict.series[0]).toMatchObject({
      warmupValue: 130,
      thirdMedians: [101, 101, 101],
      growth: 0,
      growthBetween: null,
      change: -0.223,
    });
  });

  it('fails growth back up after a fall: a warm-up that ends high is no baseline to hide growth behind', () => {
    // The 30-minute soak of 2026-12-03 19:06: resident memory's warm-up ended on a peak, then rose 12.5 % across the thirds.
    const verdict = soakVerdict(series([100, 328.6, 328.6, 284.5, 284.5, 284.5, 310.1, 310.1, 310.1, 320.2, 320.2, 320.2]), 3);
    if (verdict.kind !== 'judged') throw new Error('a twelve-interval soak is judged');
    expect(verdict.series[0]).toMatchObject({
      flat: false,
      growth: 0.125,
      growthBetween: ['third 1', 'third 3'],
      ceilings: [361.46, 312.95, 312.95],
    });
  });

  it('fails a slow leak of 1 % a minute over 30 minutes, and a step that happens only in the middle third', () => {
    const leaking = Array.from({ length: 180 }, (_unused, interval) => 200 * (1 + 0.01 * (interval / 6)) + 10 * Math.sin(interval));
    const leak = soakVerdict(series(leaking), defaultWarmupIntervals(180));
    expect(leak.kind === 'judged' && leak.flat).toBe(false);
    const bulge = soakVerdict(series([100, 100, 100, 100, 100, 100, 130, 130, 130, 100, 100, 100]), 3);
    expect(bulge.kind === 'judged' && bulge.series[0]?.growthBetween).toEqual(['warm-up', 'third 2']);
    expect(bulge.kind === 'judged' && bulge.flat).toBe(false);
  });

  it('fails a series still climbing when warm-up ends, even if it is flat across the thirds', () => {
    const verdict = soakVerdict(series([60, 80, 100, 115, 115, 115, 115, 115, 115, 115, 115, 115]), 3);
    expect(verdict.kind === 'judged' && verdict.series[0]).toMatchObject({
      flat: false,
      growth: 0.15,
      growthBetween: ['warm-up', 'third 1'],
    });
  });

  it('judges the heap by what a major collection leaves: live data that stays passes, live data that climbs fails', () => {
    const steady = (level: number) => Array.from({ length: 30 }, (_unused, interval) => level + ((interval * 7) % 5) - 2);
    const flatHeap = {
      ...series(Array.from({ length: 120 }, () => 100)),
      heapAfterMajorGcMiB: [...steady(60), ...steady(60), ...steady(61), ...steady(60)],
    };
    const flatVerdict = soakVerdict(flatHeap, 30);
    expect(flatVerdict.kind === 'judged' && flatVerdict.series[1]).toMatchObject({ series: 'heapAfterMajorGcMiB', flat: true });
    const climbing = { ...flatHeap, heapAfterMajorGcMiB: [...steady(60), ...steady(62), ...steady(66), ...steady(70)] };
    const climbingVerdict = soakVerdict(climbing, 30);
    expect(climbingVerdict.kind === 'judged' && climbingVerdict.series[1]).toMatchObject({
      series: 'heapAfterMajorGcMiB',
      flat: false,
      growthBetween: ['warm-up', 'third 3'],
    });
  });

  it('lets one interval’s spike pass: a median is not moved by a single garbage collection or stall', () => {
    const spikes = soakVerdict(series([100, 100, 100, 100, 400, 100, 100, 100, 100, 100, 3, 100]), 3);
    expect(spikes.kind === 'judged' && spikes.flat).toBe(true);
  });

  it('counts a few handles as flat whatever the ratio, since 10 % of a small number is noise', () => {
    const small = { ...series(Array.from({ length: 9 }, () => 100)), ownHandles: [3, 3, 3, 4, 6, 7, 8, 5, 4] };
    const verdict = soakVerdict(small, 3);
    expect(verdict.kind === 'judged' && verdict.flat).toBe(true);
  });

  it('refuses a warm-up longer than a third of the run, which would leave out the growth the soak is for', () => {
    expect(soakVerdict(series(Array.from({ length: 30 }, () => 100)), 11)).toEqual({
      kind: 'too-short',
      warmupIntervals: 11,
      reason: expect.stringContaining('more than a third of the run') as string,
    });
    expect(soakVerdict(series(Array.from({ length: 30 }, () => 100)), 10).kind).toBe('judged');
  });

  it('skips missed samples, and refuses to judge a run with too few left after warm-up', () => {
    const gaps = soakVerdict(series([100, null, 100, 100, null, 100, 100, 100, null, 100]), 3);
    expect(gaps.kind === 'judged' && gaps.flat).toBe(true);
    expect(soakVerdict(series([100, 100, 100]), 1)).toEqual({
      kind: 'too-short',
      warmupIntervals: 1,
      reason: expect.stringContaining('too few samples') as string,
    });
    expect(soakVerdict(series([100, 100, 100, 100, 100]), 0).kind).toBe('too-short');
  });

  it('takes a fifth of the run as warm-up, at least one interval', () => {
    expect(defaultWarmupIntervals(180)).toBe(36);
    expect(defaultWarmupIntervals(10)).toBe(2);
    expect(defaultWarmupIntervals(2)).toBe(1);
  });
});

describe('the ratio to the reference', () => {
  it('divides interval by interval, and leaves a gap where either server has no figure', () => {
    expect(ratioSeries([100, 50, null, 30, 8], [10, 25, 5, null, 0])).toEqual([10, 2, null, null, null]);
  });
});

it('judges the heap after collection on the intervals that have it: none before the first major collection is no level of 0', () => {
  const heap = [null, null, null, ...Array.from({ length: 27 }, () => 48)];
  const verdict = soakVerdict({ ...series(Array.from({ length: 30 }, () => 100)), heapAfterMajorGcMiB: heap }, 6);
  expect(verdict.kind === 'judged' && verdict.series[1]).toMatchObject({ series: 'heapAfterMajorGcMiB', warmupValue: 48, flat: true });
});
