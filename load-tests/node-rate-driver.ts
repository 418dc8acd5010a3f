/**
 * A constant-arrival-rate driver in Node, for the short soak `npm test` runs (k6 is built only by `npm run
 * load:install`, which `npm test` does not do): the same request transfers-rate.k6.js sends, started on a fixed
 * schedule whatever the latency, counted per interval by outcome as readRateSummary counts k6's. It shares the
 * runner's event loop and cores, so it is for checking the machinery, not for figures.
 */
import { transferRequest, transferSucceeded } from './transfer-request';
import type { LoadSeed } from './load-seed';
import type { IntervalFigures, OutcomeLatency, RateFigures } from './rate-summary';

/** Requests in progress at once; past this a due request is counted as dropped, as k6 counts an iteration it cannot start. */
const inFlightMax = 256;
const requestTimeoutMs = 35_000;
const tickMs = 10;

type Outcome = 'accepted' | 'shed' | 'error';

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
}

function latencyOf(durations: number[]): OutcomeLatency {
  const sorted = [...durations].sort((left, right) => left - right);
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    count: sorted.length,
    p50Ms: round(percentile(sorted, 0.5)),
    p99Ms: round(percentile(sorted, 0.99)),
    maxMs: round(sorted[sorted.length - 1] ?? 0),
  };
}

async function sendOne(seed: LoadSeed): Promise<Outcome> {
  const pair = seed.pairs[Math.floor(Math.random() * seed.pairs.length)];
  if (pair === undefined) throw new Error('the seed has pairs');
  const request = transferRequest(seed.baseUrl, pair, crypto.randomUUID());
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    const text = await response.text();
    if (transferSucceeded(response.status, text)) return 'accepted';
    return response.status === 503 && response.headers.get('retry-after') !== null ? 'shed' : 'error';
  } catch {
    return 'error';
  }
}

/** Sends `ratePerSecond` transfers a second for `durationSeconds`, intervals counted from `epochMs`. */
export async function driveAtRate(options: {
  seed: LoadSeed;
  ratePerSecond: number;
  durationSeconds: number;
  intervalSeconds: number;
  epochMs: number;
  signal: AbortSignal;
}): Promise<RateFigures> {
  const durations: Record<Outcome, number[]> = { accepted: [], shed: [], error: [] };
  const intervals = new Map<number, { figures: IntervalFigures; acceptedDurations: number[] }>();
  const startedAt = Date.now();
  const endAt = startedAt + options.durationSeconds * 1000;
  let started = 0;
  let dropped = 0;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  while (Date.now() < endAt && !options.signal.aborted) {
    const due = Math.floor(((Date.now() - startedAt) / 1000) * options.ratePerSecond);
    for (; started < due; started += 1) {
      if (inFlight >= inFlightMax) {
        dropped += 1;
        continue;
      }
      const sentAt = Date.now();
      const interval = Math.max(0, Math.floor((sentAt - options.epochMs) / (options.intervalSeconds * 1000)));
      inFlight += 1;
      const request = sendOne(options.seed).then((outcome) => {
        inFlight -= 1;
        const durationMs = Date.now() - sentAt;
        durations[outcome].push(durationMs);
        let entry = intervals.get(interval);
        if (entry === undefined) {
          entry = { figures: { interval, accepted: 0, shed: 0, errors: 0, acceptedP99Ms: null }, acceptedDurations: [] };
          intervals.set(interval, entry);
        }
        if (outcome === 'accepted') {
          entry.figures.accepted += 1;
          entry.acceptedDurations.push(durationMs);
        } else if (outcome === 'shed') entry.figures.shed += 1;
        else entry.figures.errors += 1;
      });
      pending.add(request);
      void request.finally(() => pending.delete(request));
    }
    await new Promise((resolve) => setTimeout(resolve, tickMs));
  }
  await Promise.all(pending);
  return {
    durationSeconds: options.durationSeconds,
    askedPerSecond: options.ratePerSecond,
    droppedIterations: dropped,
    accepted: latencyOf(durations.accepted),
    shed: latencyOf(durations.shed),
    errors: latencyOf(durations.error),
    intervals: [...intervals.values()]
      .sort((left, right) => left.figures.interval - right.figures.interval)
      .map(({ figures, acceptedDurations }) => ({
        ...figures,
        acceptedP99Ms: acceptedDurations.length === 0 ? null : latencyOf(acceptedDurations).p99Ms,
      })),
  };
}
