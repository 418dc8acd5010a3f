/**
 * The figures of a constant-arrival-rate run (transfers-rate.k6.js, or the Node driver's own count): totals by
 * outcome with their latency, and the same per interval, which a soak lines up with its samples of the switch.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export type OutcomeLatency = { count: number; p50Ms: number; p99Ms: number; maxMs: number };

export type IntervalFigures = {
  interval: number;
  accepted: number;
  shed: number;
  errors: number;
  /** p99 of the accepted transfers' latency in this interval; null when none was accepted. */
  acceptedP99Ms: number | null;
};

export type RateFigures = {
  durationSeconds: number;
  /** Requests asked per second, and iterations k6 could not start (all its virtual users busy). */
  askedPerSecond: number;
  droppedIterations: number;
  accepted: OutcomeLatency;
  shed: OutcomeLatency;
  errors: OutcomeLatency;
  intervals: IntervalFigures[];
};

const trend = z.object({ values: z.record(z.string(), z.number()) });
const summarySchema = z.object({ metrics: z.record(z.string(), trend) });

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Reads the summary transfers-rate.k6.js wrote; the per-interval figures come from its tagged sub-metrics. */
export function readRateSummary(path: string, askedPerSecond: number, durationSeconds: number): RateFigures {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new Error(`k6 wrote no readable summary at ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return rateFiguresOfSummary(parsed, askedPerSecond, durationSeconds);
}

export function rateFiguresOfSummary(summary: unknown, askedPerSecond: number, durationSeconds: number): RateFigures {
  const checked = summarySchema.safeParse(summary);
  if (!checked.success) throw new Error('the k6 summary has no metrics: did k6 run transfers-rate.k6.js?');
  const metrics = checked.data.metrics;
  const value = (name: string, field: string): number | undefined => metrics[name]?.values[field];
  const latency = (outcome: string, count: number): OutcomeLatency => ({
    count,
    p50Ms: round(value(`outcome_duration{outcome:${outcome}}`, 'p(50)') ?? 0, 2),
    p99Ms: round(value(`outcome_duration{outcome:${outcome}}`, 'p(99)') ?? 0, 2),
    maxMs: round(value(`outcome_duration{outcome:${outcome}}`, 'max') ?? 0, 2),
  });
  const intervalNumbers = Object.keys(metrics)
    .map((name) => /^accepted_transfers\{interval:(\d+)\}$/.exec(name)?.[1])
    .filter((found): found is string => found !== undefined)
    .map(Number)
    .sort((left, right) => left - right);
  const intervals: IntervalFigures[] = intervalNumbers.map((interval) => {
    const accepted = value(`accepted_transfers{interval:${interval}}`, 'count') ?? 0;
    const shed = value(`shed_transfers{interval:${interval}}`, 'count') ?? 0;
    const errors = value(`transfer_errors{interval:${interval}}`, 'passes') ?? 0;
    const p99 = value(`outcome_duration{outcome:accepted,interval:${interval}}`, 'p(99)');
    return { interval, accepted, shed, errors, acceptedP99Ms: accepted > 0 && p99 !== undefined ? round(p99, 2) : null };
  });
  const accepted = intervals.reduce((total, figures) => total + figures.accepted, 0);
  const shed = intervals.reduce((total, figures) => total + figures.shed, 0);
  const errors = value('transfer_errors', 'passes') ?? 0;
  return {
    durationSeconds,
    askedPerSecond,
    droppedIterations: value('dropped_iterations', 'count') ?? 0,
    accepted: latency('accepted', accepted),
    shed: latency('shed', shed),
    errors: latency('error', errors),
    // k6 reports interval sub-metrics for every declared interval; the ones no request fell in are left out.
    intervals: intervals.filter((figures) => figures.accepted + figures.shed + figures.errors > 0),
  };
}
