import type { LoadFigures } from './k6-summary';

/**
 * The issue's targets on the build machine, each relative to the reference of the same run where it can be
 * (ratios hold on a noisy machine; absolute figures do not). Reported, never asserted: figures are not a test.
 */
export const benchTargets = {
  requestRatioMin: 0.35,
  requestP99MsMax: 100,
  adviceRatioMin: 0.5,
  batchTransfersPerSecondMin: 30_000,
  lookupRequestsPerSecond: 5_000,
  lookupP99MsMax: 20,
  /** A constant-arrival-rate run that k6 drove at less than this share of the asked rate did not reach it. */
  lookupRateShareMin: 0.99,
} as const;

export type BenchFigures = {
  reference: LoadFigures;
  advice: LoadFigures;
  request: LoadFigures;
  batch: LoadFigures;
  lookup: LoadFigures;
};

export type BenchSettings = { durationSeconds: number; vus: number; batchSize: number; batchVus: number; lookupRate: number };

/** The last line of `npm run bench:http`: the issue's keys, then the read figure and which targets were met. */
export type BenchSummary = {
  reference_rps: number;
  advice_rps: number;
  request_rps: number;
  batch_transfers_per_s: number;
  advice_ratio: number;
  request_ratio: number;
  p99_ms: { reference: number; advice: number; request: number; batch: number; lookup: number };
  lookup_rps: number;
  targets_met: { request: boolean; advice: boolean; batch: boolean; lookup: boolean };
};

/** Assembles the summary from the five runs' figures; throws when the reference measured nothing (no ratio exists). */
export function benchSummary(figures: BenchFigures): BenchSummary {
  const referenceRps = figures.reference.requestsPerSecond;
  if (!(referenceRps > 0)) throw new Error('the reference server answered nothing: no ratio can be computed');
  const batchCommitted = figures.batch.committedTransfers;
  if (batchCommitted === undefined) throw new Error("the batch run's summary has no committed_transfers: was it batch.k6.js?");
  const requestRatio = ratio(figures.request.requestsPerSecond, referenceRps);
  const adviceRatio = ratio(figures.advice.requestsPerSecond, referenceRps);
  const p99 = {
    reference: figures.reference.latencyMs.p99,
    advice: figures.advice.latencyMs.p99,
    request: figures.request.latencyMs.p99,
    batch: figures.batch.latencyMs.p99,
    lookup: figures.lookup.latencyMs.p99,
  };
  return {
    reference_rps: referenceRps,
    advice_rps: figures.advice.requestsPerSecond,
    request_rps: figures.request.requestsPerSecond,
    batch_transfers_per_s: batchCommitted.perSecond,
    advice_ratio: adviceRatio,
    request_ratio: requestRatio,
    p99_ms: p99,
    lookup_rps: figures.lookup.requestsPerSecond,
    targets_met: {
      request: requestRatio >= benchTargets.requestRatioMin && p99.request <= benchTargets.requestP99MsMax,
      advice: adviceRatio >= benchTargets.adviceRatioMin,
      batch: batchCommitted.perSecond >= benchTargets.batchTransfersPerSecondMin,
      lookup:
        figures.lookup.requestsPerSecond >= benchTargets.lookupRequestsPerSecond * benchTargets.lookupRateShareMin &&
        p99.lookup <= benchTargets.lookupP99MsMax,
    },
  };
}

/** The run's k6 thresholds that failed, per scenario: a run with errors measured something else than payments. */
export function failedThresholds(figures: BenchFigures): string[] {
  return Object.entries(figures).flatMap(([scenario, found]: [string, LoadFigures]) =>
    found.thresholdsFailed.map((threshold) => `${scenario}: ${threshold}`),
  );
}

/** The table the command prints before the JSON line. */
export function benchTable(figures: BenchFigures, summary: BenchSummary, settings: BenchSettings): string {
  const met = (value: boolean): string => (value ? 'met' : 'MISSED');
  const row = (label: string, found: LoadFigures, rate: number, unit: string, target: string): string =>
    `| ${label} | ${rate.toFixed(1)} ${unit} | ${found.latencyMs.p50.toFixed(2)} | ${found.latencyMs.p99.toFixed(2)} | ${(found.errorRate * 100).toFixed(2)} % | ${target} |`;
  return [
    '| scenario | rate | p50 ms | p99 ms | errors | target (same run) |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    row(`reference: bare express, ${settings.vus} VUs`, figures.reference, summary.reference_rps, 'req/s', ''),
    row(
      `POST /v1/transfers, ADVICE payee, ${settings.vus} VUs`,
      figures.advice,
      summary.advice_rps,
      'req/s',
      `ratio ${summary.advice_ratio.toFixed(3)} ≥ ${benchTargets.adviceRatioMin}: ${met(summary.targets_met.advice)}`,
    ),
    row(
      `POST /v1/transfers, REQUEST payee, ${settings.vus} VUs`,
      figures.request,
      summary.request_rps,
      'req/s',
      `ratio ${summary.request_ratio.toFixed(3)} ≥ ${benchTargets.requestRatioMin}, p99 ≤ ${benchTargets.requestP99MsMax} ms: ${met(summary.targets_met.request)}`,
    ),
    row(
      `POST /v1/transfers/batch of ${settings.batchSize}, ${settings.batchVus} VUs`,
      figures.batch,
      summary.batch_transfers_per_s,
      'transfers/s',
      `≥ ${benchTargets.batchTransfersPerSecondMin.toLocaleString('en-US')} transfers/s: ${met(summary.targets_met.batch)}`,
    ),
    row(
      `GET /v1/transfers/{id} at ${settings.lookupRate}/s asked`,
      figures.lookup,
      summary.lookup_rps,
      'req/s',
      `${benchTargets.lookupRequestsPerSecond}/s reached, p99 ≤ ${benchTargets.lookupP99MsMax} ms: ${met(summary.targets_met.lookup)}${figures.lookup.droppedIterations === undefined ? '' : ` (${figures.lookup.droppedIterations} iterations dropped)`}`,
    ),
  ].join('\n');
}

function ratio(value: number, reference: number): number {
  return Math.round((value / reference) * 1000) / 1000;
}
