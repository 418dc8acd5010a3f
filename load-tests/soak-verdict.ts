/**
 * Is a soak flat? Each judged series is one value per interval. Memory (resident, heap after collection) and the switch's own
 * open handles are judged as they are: the machine's other work does not change them. Latency p99 and event-loop
 * delay p99 swing with whatever else the machine runs, so they are judged as ratios: the switch's figure over the
 * reference's (a bare HTTP server in its own process, driven at a small fixed rate by the same load generator and
 * sampled on the same grid), one ratio per interval. A stall of the machine slows both; only what the switch adds
 * moves the ratio.
 *
 * The first intervals are warm-up and are left out (by default a fifth of the run, at most a third: V8 tiers its
 * code up and grows its heap to the live set, the allocator's arenas grow to the socket buffers and SQLite pages in
 * use, and the load generator brings up its virtual users). The run is then read as four **levels**: the **warm-up
 * value** (the warm-up's last third: the level the series reached as it ended) and each third after warm-up. A level
 * is the stretch's median, because one interval's p99 can be a single garbage collection or a stall of the machine.
 *
 * The heap is judged by **heap used just after the last major collection** (the switch's
 * `hisaab_heap_used_after_major_gc_bytes`): what a mark-compact leaves is the live data, which a leak raises and
 * nothing else does. Heap used sampled at a random moment is a sawtooth whose height V8 changes as it sizes its heap,
 * and even its floor (the 10th percentile, judged until 2026-12-04) follows that height: the 60-minute soak of
 * 2026-12-04 10:19 UTC saw it rise 15.9 % in its middle third and fall back, with p10 81 and p90 221 MiB. The sampled heap is
 * still drawn, not judged. This rule was set before the first run it judged.
 *
 * **Flat within 10 % after warm-up means: no level is more than 10 % above any level before it** (or more than a
 * small absolute slack for series so small that 10 % of them is noise: 5 handles). Each third has a ceiling, 10 %
 * above the lowest level before it, and must stay under it. Why this and not "every third within 10 % of the
 * warm-up value", which it replaces:
 *   - A leak detector judges growth. A series that falls after warm-up (the warm-up ending on a transient peak: k6
 *     bringing up its virtual users, V8 tiering up, a collection not yet run) is not leaking, and failing it like a
 *     leak made the verdict fail on noise. A fall is still reported (`change`), it just does not fail.
 *   - Judging only against the warm-up value can be gamed by a warm-up that ends high: after a fall, growth back up
 *     to that peak would pass. Comparing every level with every earlier one (the first third with the warm-up's
 *     end, the last with the first, and so on) leaves no baseline to hide behind: growth fails wherever it starts.
 *   - Judging only across the thirds would hide growth that happens right after warm-up and then stops, so the
 *     warm-up value stays a level: a series still climbing when warm-up ends fails (the run was too short to tell
 *     a warm-up from a leak, and the verdict says so rather than guess).
 * What it detects: the levels sit at the middle of their stretches, so in a 30-minute run the warm-up value and the
 * last third's median are 21 minutes apart, and any steady growth above about 0.5 % a minute fails; a run of T
 * minutes catches growth above about 10 % per 0.7 T minutes, so a short run can only catch a fast leak. A bounded
 * structure still filling during the run is growth here too: the soak shows its plateau only if the structure
 * fills during warm-up (soak.ts sizes the ledger's id window so that it does).
 */

export const flatnessRatioMax = 0.1;

/** The warm-up may be at most this share of the run: a longer one would leave out the growth the soak is for. */
export const warmupShareMax = 1 / 3;

export type SeriesName = 'rssMiB' | 'heapAfterMajorGcMiB' | 'ownHandles' | 'latencyP99Ratio' | 'eventLoopDelayP99Ratio';

/** What each judged series is, its unit, and the absolute difference that counts as flat whatever the ratio. */
export const seriesDescriptions: Record<SeriesName, { label: string; unit: string; slack: number }> = {
  rssMiB: { label: 'resident memory', unit: 'MiB', slack: 0 },
  heapAfterMajorGcMiB: { label: 'heap used after the last major collection', unit: 'MiB', slack: 0 },
  /** Node's active handles less the clients' connections, which follow the load generator, not the switch. */
  ownHandles: { label: "the switch's own open handles", unit: '', slack: 5 },
  latencyP99Ratio: { label: 'latency p99, switch / reference', unit: '×', slack: 0 },
  eventLoopDelayP99Ratio: { label: 'event-loop delay p99, switch / reference', unit: '×', slack: 0 },
};

export const seriesNames = Object.keys(seriesDescriptions) as SeriesName[];

/** The levels in order: the warm-up value, then the thirds after warm-up. */
export const levelNames = ['warm-up', 'third 1', 'third 2', 'third 3'] as const;
export type LevelName = (typeof levelNames)[number];

export type SeriesVerdict = {
  series: SeriesName;
  /** The level of the warm-up's last third (its median). */
  warmupValue: number;
  /** The level of each third after warm-up (its median). */
  thirdMedians: number[];
  /** Each third's ceiling: 10 % (or the slack) above the lowest level before it. */
  ceilings: number[];
  /** The largest rise of a level over an earlier one, relative to the earlier; 0 when no level rose (or rose from 0). */
  growth: number;
  /** Between which levels that rise was; null when no level rose. */
  growthBetween: [LevelName, LevelName] | null;
  /** (last third's median − warm-up value) / warm-up value, with its sign (a fall shows here); 0 when the warm-up value is 0. */
  change: number;
  flat: boolean;
};

export type SoakVerdict =
  | { kind: 'judged'; warmupIntervals: number; flat: boolean; series: SeriesVerdict[] }
  | { kind: 'too-short'; warmupIntervals: number; reason: string };

/** The default warm-up: a fifth of the run, at least one interval. */
export function defaultWarmupIntervals(intervalCount: number): number {
  return Math.max(1, Math.round(intervalCount / 5));
}

/** Each interval's switch figure over the reference's; null when either is missing or the reference's is 0. */
export function ratioSeries(switchValues: readonly (number | null)[], referenceValues: readonly (number | null)[]): (number | null)[] {
  return switchValues.map((value, interval) => {
    const reference = referenceValues[interval] ?? null;
    if (value === null || reference === null || reference <= 0) return null;
    return Math.round((value / reference) * 1000) / 1000;
  });
}

/** The median of the values, the mean of the middle two when their count is even. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const place = (sorted.length - 1) / 2;
  const below = sorted[Math.floor(place)] ?? 0;
  const above = sorted[Math.ceil(place)] ?? below;
  return (below + above) / 2;
}

const present = (values: readonly (number | null)[]) => values.filter((value): value is number => value !== null);
const rounded = (value: number) => Math.round(value * 1000) / 1000;

/** The highest a later level may reach over `level` and still be flat. */
function ceilingOver(level: number, slack: number): number {
  return level + Math.max(flatnessRatioMax * Math.abs(level), slack);
}

/** Judges one series' levels (the warm-up value first, then the thirds' medians). */
function judgeLevels(series: SeriesName, levels: readonly number[]): SeriesVerdict {
  const slack = seriesDescriptions[series].slack;
  const warmupValue = levels[0] ?? 0;
  const thirdMedians = levels.slice(1);
  const ceilings = thirdMedians.map((_median, third) => Math.min(...levels.slice(0, third + 1).map((level) => ceilingOver(level, slack))));
  let growth = 0;
  let growthBetween: [LevelName, LevelName] | null = null;
  levels.forEach((later, laterIndex) => {
    levels.slice(0, laterIndex).forEach((earlier, earlierIndex) => {
      // A rise from 0 has no ratio; the ceiling (the slack) still judges it.
      const rise = earlier === 0 ? 0 : (later - earlier) / Math.abs(earlier);
      if (rise > growth) {
        growth = rise;
        growthBetween = [levelNames[earlierIndex] ?? 'warm-up', levelNames[laterIndex] ?? 'third 3'];
      }
    });
  });
  const last = thirdMedians[thirdMedians.length - 1] ?? warmupValue;
  return {
    series,
    warmupValue: rounded(warmupValue),
    thirdMedians: thirdMedians.map(rounded),
    ceilings: ceilings.map(rounded),
    growth: rounded(growth),
    growthBetween,
    change: warmupValue === 0 ? 0 : rounded((last - warmupValue) / Math.abs(warmupValue)),
    flat: thirdMedians.every((value, third) => value <= (ceilings[third] ?? Number.NEGATIVE_INFINITY)),
  };
}

/** The verdict over series of one value (or null: no sample) per interval, the first `warmupIntervals` left out. */
export function soakVerdict(series: Record<SeriesName, readonly (number | null)[]>, warmupIntervals: number): SoakVerdict {
  const verdicts: SeriesVerdict[] = [];
  for (const name of seriesNames) {
    const values = series[name];
    if (warmupIntervals > Math.floor(values.length * warmupShareMax)) {
      return {
        kind: 'too-short',
        warmupIntervals,
        reason: `a warm-up of ${warmupIntervals} of ${values.length} intervals is more than a third of the run, and would leave out the growth the soak is for`,
      };
    }
    const baseline = present(values.slice(Math.max(0, warmupIntervals - Math.ceil(warmupIntervals / 3)), warmupIntervals));
    const judged = values.slice(warmupIntervals);
    const third = Math.floor(judged.length / 3);
    const thirds = [judged.slice(0, third), judged.slice(third, judged.length - third), judged.slice(judged.length - third)].map(present);
    if (warmupIntervals < 1 || baseline.length === 0 || third === 0 || thirds.some((values) => values.length === 0)) {
      return {
        kind: 'too-short',
        warmupIntervals,
        reason: `${seriesDescriptions[name].label} has too few samples to compare the thirds after ${warmupIntervals} warm-up intervals with the warm-up's end`,
      };
    }
    verdicts.push(judgeLevels(name, [median(baseline), ...thirds.map(median)]));
  }
  return { kind: 'judged', warmupIntervals, flat: verdicts.every((verdict) => verdict.flat), series: verdicts };
}
