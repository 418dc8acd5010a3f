/**
 * Is a soak flat? Each watched series (memory, event-loop delay, latency, the switch's own handles) is one value per interval. The
 * first intervals are warm-up (the JIT, caches and pools filling) and are left out; the rest is cut in thirds, and
 * a series is flat when the mean of its last third is within 10 % of the mean of its first third (or within a
 * small absolute slack, for series whose values are so small that 10 % of them is noise: 5 ms of delay, 5
 * handles). A series that grows without bound fails it; one that only wobbles passes.
 */

export const flatnessRatioMax = 0.1;

export type SeriesName = 'rssMiB' | 'heapUsedMiB' | 'eventLoopDelayP99Ms' | 'acceptedP99Ms' | 'ownHandles';

/** What each series is, and the absolute difference that counts as flat whatever the ratio. */
export const seriesDescriptions: Record<SeriesName, { label: string; unit: string; slack: number }> = {
  rssMiB: { label: 'resident memory', unit: 'MiB', slack: 0 },
  heapUsedMiB: { label: 'heap used', unit: 'MiB', slack: 0 },
  eventLoopDelayP99Ms: { label: 'event-loop delay p99', unit: 'ms', slack: 5 },
  acceptedP99Ms: { label: 'latency p99', unit: 'ms', slack: 5 },
  /** Node's active handles less the clients' connections, which follow the load generator, not the switch. */
  ownHandles: { label: "the switch's own open handles", unit: '', slack: 5 },
};

export const seriesNames = Object.keys(seriesDescriptions) as SeriesName[];

export type SeriesVerdict = {
  series: SeriesName;
  firstThirdMean: number;
  lastThirdMean: number;
  /** (last − first) / first; 0 when the first mean is 0. */
  change: number;
  flat: boolean;
};

export type SoakVerdict =
  | { kind: 'judged'; warmupIntervals: number; flat: boolean; series: SeriesVerdict[] }
  | { kind: 'too-short'; warmupIntervals: number; reason: string };

/** Intervals after warm-up needed to cut in thirds with at least one value each. */
const judgedIntervalsMin = 3;

function mean(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0) / values.length;
}

/** The verdict over series of one value (or null: no sample) per interval, the first `warmupIntervals` left out. */
export function soakVerdict(series: Record<SeriesName, readonly (number | null)[]>, warmupIntervals: number): SoakVerdict {
  const verdicts: SeriesVerdict[] = [];
  for (const name of seriesNames) {
    const judged = series[name].slice(warmupIntervals);
    const third = Math.floor(judged.length / 3);
    const present = (values: readonly (number | null)[]) => values.filter((value): value is number => value !== null);
    const first = present(judged.slice(0, third));
    const last = present(judged.slice(judged.length - third));
    if (judged.length < judgedIntervalsMin || first.length === 0 || last.length === 0) {
      return {
        kind: 'too-short',
        warmupIntervals,
        reason: `${seriesDescriptions[name].label} has too few samples after ${warmupIntervals} warm-up intervals to compare thirds`,
      };
    }
    const firstThirdMean = mean(first);
    const lastThirdMean = mean(last);
    const difference = Math.abs(lastThirdMean - firstThirdMean);
    const flat = difference <= Math.max(flatnessRatioMax * Math.abs(firstThirdMean), seriesDescriptions[name].slack);
    verdicts.push({
      series: name,
      firstThirdMean: Math.round(firstThirdMean * 100) / 100,
      lastThirdMean: Math.round(lastThirdMean * 100) / 100,
      change: firstThirdMean === 0 ? 0 : Math.round(((lastThirdMean - firstThirdMean) / firstThirdMean) * 1000) / 1000,
      flat,
    });
  }
  return { kind: 'judged', warmupIntervals, flat: verdicts.every((verdict) => verdict.flat), series: verdicts };
}
