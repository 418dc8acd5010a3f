/**
 * The measurement both event-store benches make (`npm run bench:eventstore`, with or without `--store postgres`):
 * the adapter at batch sizes 1 and 100, then batch 1000 in turns with the raw ceiling, and the ratio between them.
 * Only how a run opens its store and how the raw rows are written differ between SQLite and PostgreSQL.
 */
import type { EventStore } from '../../core/eventstore/event-store';
import type { NewEvent } from '../../core/eventstore/event';
import { transferEvents } from './bench-events';
import { measure, median, reportLine, type Measurement } from './measure';

export type EventStoreComparison = {
  /** What the JSON line names as the store, when it is not the default SQLite. */
  store?: string;
  /** Events for the batch-1 and batch-100 figures (PostgreSQL takes fewer: each run is a database). */
  batch100Events: number;
  /** Events for each of the alternating batch-1000 and raw runs. */
  pairedEvents: number;
  adapterRun(events: readonly NewEvent[], batchSize: number): Promise<Measurement>;
  rawRun(events: readonly NewEvent[]): Promise<Measurement>;
};

const runsPerFigure = 3;
/** Batch 1000 against the raw ceiling: the ratio the target is about, so more runs. */
const pairedRuns = 5;
export const rawBatchSize = 1000;

/** Appends the events to one stream in batches, each batch expecting the revision the last one ended on. */
export function appendInBatches(store: EventStore, events: readonly NewEvent[], batchSize: number): Promise<Measurement> {
  let expected: bigint | 'no_stream' = 'no_stream';
  return measure(events.length, async () => {
    for (let start = 0; start < events.length; start += batchSize) {
      const result = await store.append('ledger-PKR', events.slice(start, start + batchSize), expected);
      expected = result.nextExpectedRevision;
    }
  });
}

export async function compareWithRawCeiling(comparison: EventStoreComparison): Promise<void> {
  console.log(`median of ${runsPerFigure} runs (${pairedRuns} alternating for batch 1000 and raw), fresh database per run`);
  // Warm-up: JIT and the page cache, so the first measured figure is not the cold one.
  await comparison.adapterRun(transferEvents(5000), 1000);
  await comparison.rawRun(transferEvents(5000));

  const figures = new Map<number, Measurement>();
  for (const { batchSize, events } of [
    { batchSize: 1, events: 2_000 },
    { batchSize: 100, events: comparison.batch100Events },
  ]) {
    const input = transferEvents(events);
    const runs: Measurement[] = [];
    for (let run = 0; run < runsPerFigure; run += 1) runs.push(await comparison.adapterRun(input, batchSize));
    figures.set(batchSize, median(runs));
    console.log(reportLine(`adapter batch=${batchSize}`, median(runs)));
  }
  // Batch 1000 and the raw ceiling take turns, so both meet the same disk and the same neighbours on the machine.
  const input = transferEvents(comparison.pairedEvents);
  const adapterRuns: Measurement[] = [];
  const rawRuns: Measurement[] = [];
  for (let run = 0; run < pairedRuns; run += 1) {
    rawRuns.push(await comparison.rawRun(input));
    adapterRuns.push(await comparison.adapterRun(input, rawBatchSize));
  }
  figures.set(1000, median(adapterRuns));
  const raw = median(rawRuns);
  console.log(reportLine('adapter batch=1000', median(adapterRuns)));
  console.log(reportLine(`raw ceiling batch=${rawBatchSize}`, raw));

  const perSecond = (batchSize: number): number => Math.round(figures.get(batchSize)?.perSecond ?? 0);
  const ratio = Number(((figures.get(1000)?.perSecond ?? 0) / raw.perSecond).toFixed(3));
  console.log(`ratio adapter batch=1000 / raw ceiling = ${ratio} (target >= 0.8)`);
  console.log(
    JSON.stringify({
      bench: 'eventstore',
      ...(comparison.store === undefined ? {} : { store: comparison.store }),
      batch_1_per_s: perSecond(1),
      batch_100_per_s: perSecond(100),
      batch_1000_per_s: perSecond(1000),
      raw_1000_per_s: Math.round(raw.perSecond),
      ratio,
    }),
  );
}
