import { soakVerdict, type SeriesName } from '../../../load-tests/soak-verdict';

/** Ten intervals of every series at a level, with `rss` replacing the memory series. */
function series(rss: readonly (number | null)[], level = 100): Record<SeriesName, (number | null)[]> {
  const flat = Array.from({ length: rss.length }, () => level);
  return { rssMiB: [...rss], heapUsedMiB: flat, eventLoopDelayP99Ms: flat, acceptedP99Ms: flat, ownHandles: flat };
}

describe('the soak verdict', () => {
  it('leaves the warm-up out: memory that settles after it is flat', () => {
    const verdict = soakVerdict(series([50, 80, 100, 101, 99, 100, 102, 100, 99, 101]), 2);
    expect(verdict.kind).toBe('judged');
    expect(verdict.kind === 'judged' && verdict.flat).toBe(true);
  });

  it('fails memory whose last third is more than 10 % above its first third after warm-up', () => {
    const verdict = soakVerdict(series([100, 100, 100, 104, 108, 112, 116, 120, 124, 128]), 1);
    if (verdict.kind !== 'judged') throw new Error('a ten-interval soak is judged');
    expect(verdict.flat).toBe(false);
    const rss = verdict.series.find((found) => found.series === 'rssMiB');
    expect(rss).toEqual({ series: 'rssMiB', firstThirdMean: 101.33, lastThirdMean: 124, change: 0.224, flat: false });
  });

  it('counts a few milliseconds or handles as flat whatever the ratio, since 10 % of a small number is noise', () => {
    const small = { ...series(Array.from({ length: 9 }, () => 100)), eventLoopDelayP99Ms: [1, 1, 1, 2, 1, 4, 5, 6, 5] };
    const verdict = soakVerdict(small, 0);
    expect(verdict.kind === 'judged' && verdict.flat).toBe(true);
  });

  it('skips missed samples, and refuses to judge a run with too few left after warm-up', () => {
    const gaps = soakVerdict(series([100, null, 100, 100, null, 100, 100, 100, null, 100]), 1);
    expect(gaps.kind === 'judged' && gaps.flat).toBe(true);
    expect(soakVerdict(series([100, 100, 100]), 1)).toEqual({
      kind: 'too-short',
      warmupIntervals: 1,
      reason: expect.stringContaining('too few samples') as string,
    });
  });
});
