/**
 * Is a soak flat? Each judged series is one value per interval. Memory (resident, heap used) and the switch's own
 * open handles are judged as they are: the machine's other work does not change them. Latency p99 and event-loop
 * delay p99 swing with whatever else the machine runs, so they are judged as ratios: the switch's figure over the
 * reference's (a bare HTTP server in its own process, driven at a small fixed rate by the same load generator and
 * sampled on the same grid), one ratio per interval. A stall of the machine slows both; only what the switch adds
 * moves the ratio.
 *
 * The first intervals are warm-up and are left out (by default a fifth of the run: V8 tiers its code up and grows
 * its heap to the live set, the allocator's arenas grow to the socket buffers and SQLite pages in use, and the load
 * generator brings up its virtual users; in a 10-minute run resident memory still rose for several minutes). The
 * **warm-up value** is the median of the last third of the warm-up: the level the series reached as it ended. After
 * warm-up the run is cut in thirds, and a series is flat when the median of every third is within 10 % of the
 * warm-up value (or within a small absolute slack for series so small that 10 % of them is noise: 5 handles).
 * Medians, because one interval's p99 can be a single garbage collection or a stall of the machine; thirds, so that
 * growth shows wherever in the run it happens. A series that grows without bound fails it; one that only wobbles
 * passes.
 */

export const flatnessRatioMax = 0.1;

export type SeriesName = 'rssMiB' | 'heapUsedMiB' | 'ownHandles' | 'latencyP99Ratio' | 'eventLoopDelayP99Ratio';

/** What each judged series is, and the absolute difference that counts as flat whatever the ratio. */
export const seriesDescriptions: Record<SeriesName, { label: string; unit: string; slack: number }> = {
  rssMiB: { label: 'resident memory', unit: 'MiB', slack: 0 },
  heapUsedMiB: { label: 'heap used', unit: 'MiB', slack: 0 },
  /** Node's active handles less the clients' connections, which follow the load generator, not the switch. */
  ownHandles: { label: "the switch's own open handles", unit: '', slack: 5 },
  latencyP99Ratio: { label: 'latency p99, switch / reference', unit: '×', slack: 0 },
  eventLoopDelayP99Ratio: { label: 'event-loop delay p99, switch / reference', unit: '×', slack: 0 },
};

export const seriesNames = Object.keys(seriesDescriptions) as SeriesName[];

export type SeriesVerdict = {
  series: SeriesName;
  /** The median of the warm-up's last third. */
  warmupValue: number;
  /** The median of each third after warm-up. */
  thirdMedians: number[];
  /** The largest (median − warm-up value) / warm-up value of the thirds, with its sign; 0 when the warm-up value is 0. */
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

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const present = (values: readonly (number | null)[]) => values.filter((value): value is number => value !== null);
const rounded = (value: number) => Math.round(value * 1000) / 1000;

/** The verdict over series of one value (or null: no sample) per interval, the first `warmupIntervals` left out. */
export function soakVerdict(series: Record<SeriesName, readonly (number | null)[]>, warmupIntervals: number): SoakVerdict {
  const verdicts: SeriesVerdict[] = [];
  for (const name of seriesNames) {
    const values = series[name];
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
    const warmupValue = median(baseline);
    const thirdMedians = thirds.map(median);
    const allowed = Math.max(flatnessRatioMax * Math.abs(warmupValue), seriesDescriptions[name].slack);
    const worst = thirdMedians.reduce((found, value) => (Math.abs(value - warmupValue) > Math.abs(found - warmupValue) ? value : found));
    verdicts.push({
      series: name,
      warmupValue: rounded(warmupValue),
      thirdMedians: thirdMedians.map(rounded),
      change: warmupValue === 0 ? 0 : rounded((worst - warmupValue) / warmupValue),
      flat: thirdMedians.every((value) => Math.abs(value - warmupValue) <= allowed),
    });
  }
  return { kind: 'judged', warmupIntervals, flat: verdicts.every((verdict) => verdict.flat), series: verdicts };
}
