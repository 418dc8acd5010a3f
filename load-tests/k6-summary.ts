import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The figures of one k6 run, read from the JSON summary transfers.k6.js writes in handleSummary. Latencies are
 * k6's `http_req_duration` (request sent to response read), rates per second of the whole scenario.
 */
export type LoadFigures = {
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number };
  /** Share of requests that did not end in a committed transfer (status, body or timeout), 0 to 1. */
  errorRate: number;
  /** The k6 thresholds that did not hold, as `metric: expression`; empty when all held. */
  thresholdsFailed: string[];
  /** Batch scenario only: transfers committed, and per second of the run (batch.k6.js's `committed_transfers`). */
  committedTransfers?: { count: number; perSecond: number };
  /** Arrival-rate scenario only: iterations k6 could not start in time, so the asked rate was not reached. */
  droppedIterations?: number;
};

const thresholds = z.record(z.string(), z.object({ ok: z.boolean() })).optional();
const metric = <Values extends z.ZodType>(values: Values) => z.object({ values, thresholds });

/** Only the parts of k6's summary the runner reads; everything else k6 writes is let through unread. */
const summarySchema = z.object({
  metrics: z
    .object({
      http_reqs: metric(z.object({ count: z.number().int().min(0), rate: z.number().min(0) })),
      http_req_duration: metric(z.object({ 'p(50)': z.number().min(0), 'p(95)': z.number().min(0), 'p(99)': z.number().min(0) })),
      transfer_errors: metric(z.object({ rate: z.number().min(0).max(1) })),
      committed_transfers: metric(z.object({ count: z.number().min(0), rate: z.number().min(0) })).optional(),
      dropped_iterations: metric(z.object({ count: z.number().min(0) })).optional(),
    })
    .catchall(z.object({ thresholds }).passthrough()),
});

export function readK6Summary(path: string): LoadFigures {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new Error(`k6 wrote no readable summary at ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return figuresOfSummary(parsed);
}

export function figuresOfSummary(summary: unknown): LoadFigures {
  const checked = summarySchema.safeParse(summary);
  if (!checked.success) {
    throw new Error(
      `the k6 summary lacks the figures the runner reads (did k6 make no request?): ${checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  const metrics = checked.data.metrics;
  const thresholdsFailed = Object.entries(metrics).flatMap(([name, found]) =>
    Object.entries(found.thresholds ?? {})
      .filter(([, result]) => !result.ok)
      .map(([expression]) => `${name}: ${expression}`),
  );
  const duration = metrics.http_req_duration.values;
  return {
    requests: metrics.http_reqs.values.count,
    requestsPerSecond: round(metrics.http_reqs.values.rate, 1),
    latencyMs: { p50: round(duration['p(50)'], 2), p95: round(duration['p(95)'], 2), p99: round(duration['p(99)'], 2) },
    errorRate: round(metrics.transfer_errors.values.rate, 5),
    thresholdsFailed,
    ...(metrics.committed_transfers === undefined
      ? {}
      : {
          committedTransfers: {
            count: metrics.committed_transfers.values.count,
            perSecond: round(metrics.committed_transfers.values.rate, 1),
          },
        }),
    ...(metrics.dropped_iterations === undefined ? {} : { droppedIterations: metrics.dropped_iterations.values.count }),
  };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
