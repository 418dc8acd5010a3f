import { defaultWarmupIntervals, ratioSeries, soakVerdict, type SeriesName } from '../../../load-tests/soak-verdict';

/** Every judged series at a level, with `rss` replacing the memory series. */
function series(rss: readonly (number | null)[], level = 100): Record<SeriesName, (number | null)[]> {
  const flat = Array.from({ length: rss.length }, () => level);
  return { rssMiB: [...rss], heapUsedMiB: flat, ownHandles: flat, latencyP99Ratio: flat, eventLoopDelayP99Ratio: flat };
}

describe('the soak verdict', () => {
  it('leaves the warm-up out: memory that settles during it is flat', () => {
    const verdict = soakVerdict(series([50, 80, 100, 101, 99, 100, 102, 100, 99, 101]), 3);
    expect(verdict.kind).toBe('judged');
    expect(verdict.kind === 'judged' && verdict.flat).toBe(true);
  });

  it('compares the median of each third after warm-up with the median of the warm-up’s last third', () => {
    const verdict = soakVerdict(series([90, 100, 100, 100, 104, 108, 112, 116, 120, 124, 128, 132]), 3);
    if (verdict.kind !== 'judged') throw new Error('a twelve-interval soak is judged');
    expect(verdict.flat).toBe(false);
    const rss = verdict.series.find((found) => found.series === 'rssMiB');
    expect(rss).toEqual({ series: 'rssMiB', warmupValue: 100, thirdMedians: [104, 116, 128], change: 0.28, flat: false });
  });

  it('fails growth that shows only in the middle third, and a fall as much as a rise', () => {
    const bulge = soakVerdict(series([100, 100, 100, 100, 100, 100, 130, 130, 130, 100, 100, 100]), 3);
    expect(bulge.kind === 'judged' && bulge.flat).toBe(false);
    const fall = soakVerdict(series([100, 100, 100, 85, 85, 85, 85, 85, 85, 85, 85, 85]), 3);
    expect(fall.kind === 'judged' && fall.series[0]?.change).toBe(-0.15);
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

  it('skips missed samples, and refuses to judge a run with too few left after warm-up', () => {
    const gaps = soakVerdict(series([100, null, 100, 100, null, 100, 100, 100, null, 100]), 3);
    expect(gaps.kind === 'judged' && gaps.flat).toBe(true);
    expect(soakVerdict(series([100, 100, 100, 100]), 2)).toEqual({
      kind: 'too-short',
      warmupIntervals: 2,
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
