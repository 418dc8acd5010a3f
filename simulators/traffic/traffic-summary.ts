import type { SentTransfer } from '../wallet/transfer-origination';

export type LatencySummary = { p50: number; p95: number; p99: number; max: number };

export type TrafficSummary = {
  sent: number;
  elapsedMs: number;
  transfersPerSecond: number;
  outcomes: Record<SentTransfer['outcome'], number>;
  abortReasons: Record<string, number>;
  errorCodes: Record<string, number>;
  /** Milliseconds from the wallet sending to the switch's answer, over transfers that reached the switch. */
  latencyMs: LatencySummary;
};

/** Folds the outcomes of a run into counts and latency percentiles. */
export function summarize(results: readonly SentTransfer[], elapsedMs: number): TrafficSummary {
  const outcomes: TrafficSummary['outcomes'] = { COMMITTED: 0, ABORTED: 0, REFUSED: 0, DECLINED: 0, UNKNOWN: 0 };
  const abortReasons: Record<string, number> = {};
  const errorCodes: Record<string, number> = {};
  const latencies: number[] = [];
  for (const result of results) {
    outcomes[result.outcome] += 1;
    if (result.abortReason !== null) abortReasons[result.abortReason] = (abortReasons[result.abortReason] ?? 0) + 1;
    if (result.errorCode !== null) errorCodes[result.errorCode] = (errorCodes[result.errorCode] ?? 0) + 1;
    if (result.outcome !== 'DECLINED') latencies.push(result.latencyMs);
  }
  latencies.sort((first, second) => first - second);
  return {
    sent: results.length,
    elapsedMs: Math.round(elapsedMs),
    transfersPerSecond: elapsedMs > 0 ? Math.round((results.length * 1000 * 10) / elapsedMs) / 10 : 0,
    outcomes,
    abortReasons,
    errorCodes,
    latencyMs: {
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      p99: percentile(latencies, 0.99),
      max: latencies.at(-1) ?? 0,
    },
  };
}

/** Nearest-rank percentile of sorted values; 0 for none. */
export function percentile(sortedValues: readonly number[], fraction: number): number {
  if (sortedValues.length === 0) return 0;
  const rank = Math.min(sortedValues.length, Math.max(1, Math.ceil(fraction * sortedValues.length)));
  return sortedValues[rank - 1] ?? 0;
}

/** The summary as a few lines a person reads at the end of a run. */
export function formatSummary(summary: TrafficSummary): string {
  const counts = (table: Record<string, number>): string =>
    Object.entries(table)
      .filter(([, count]) => count > 0)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ') || 'none';
  return [
    `traffic: ${summary.sent} transfers in ${(summary.elapsedMs / 1000).toFixed(1)} s (${summary.transfersPerSecond}/s)`,
    `  outcomes:      ${counts(summary.outcomes)}`,
    `  abort reasons: ${counts(summary.abortReasons)}`,
    `  refusals:      ${counts(summary.errorCodes)}`,
    `  latency ms:    p50 ${summary.latencyMs.p50}, p95 ${summary.latencyMs.p95}, p99 ${summary.latencyMs.p99}, max ${summary.latencyMs.max}`,
  ].join('\n');
}
