/** Small helpers shared by the benchmarks: wall-clock timing, medians and aligned report lines. */

export type Measurement = { events: number; elapsedMs: number; perSecond: number };

export async function measure(events: number, work: () => Promise<void> | void): Promise<Measurement> {
  const startedNs = process.hrtime.bigint();
  await work();
  const elapsedNs = process.hrtime.bigint() - startedNs;
  const elapsedMs = Number(elapsedNs) / 1e6;
  return { events, elapsedMs, perSecond: events / (elapsedMs / 1000) };
}

/** The run with the median rate: one slow outlier (a page-cache flush, a GC) does not decide the figure. */
export function median(runs: readonly Measurement[]): Measurement {
  const sorted = [...runs].sort((left, right) => left.perSecond - right.perSecond);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (!middle) throw new Error('median of no runs');
  return middle;
}

export function formatRate(perSecond: number): string {
  return Math.round(perSecond).toLocaleString('en-US');
}

export function reportLine(label: string, measurement: Measurement): string {
  return `${label.padEnd(28)} ${String(measurement.events).padStart(7)} events  ${(measurement.elapsedMs / 1000).toFixed(3).padStart(7)} s  ${formatRate(measurement.perSecond).padStart(10)} events/s`;
}
