/**
 * The assembly of `npm run bench:http`'s result from its five k6 runs: the last line's keys and ratios, which of
 * the issue's targets were met, and the failures it refuses to hide. Figures are made up; nothing is timed.
 */
import { benchSummary, benchTable, failedThresholds, type BenchFigures } from '../../../load-tests/bench-result';
import type { LoadFigures } from '../../../load-tests/k6-summary';
import { outboxDeliveriesOf } from '../../../load-tests/load-runner';

function figures(requestsPerSecond: number, p99: number, extra: Partial<LoadFigures> = {}): LoadFigures {
  return {
    requests: Math.round(requestsPerSecond * 20),
    requestsPerSecond,
    latencyMs: { p50: p99 / 2, p95: p99 * 0.9, p99 },
    errorRate: 0,
    thresholdsFailed: [],
    ...extra,
  };
}

const run: BenchFigures = {
  reference: figures(4_000, 20),
  advice: figures(2_400, 40),
  request: figures(1_200, 90),
  batch: figures(30, 900, { committedTransfers: { count: 620_000, perSecond: 31_000 } }),
  lookup: figures(4_990, 12, { droppedIterations: 0 }),
};
const settings = { durationSeconds: 20, vus: 32, batchSize: 1_000, batchVus: 4, lookupRate: 5_000 };

describe("bench:http's summary", () => {
  it('has the keys the issue names, ratios against the reference of the same run, and the p99 of every scenario', () => {
    const summary = benchSummary(run);
    expect(summary).toEqual({
      reference_rps: 4_000,
      advice_rps: 2_400,
      request_rps: 1_200,
      batch_transfers_per_s: 31_000,
      advice_ratio: 0.6,
      request_ratio: 0.3,
      p99_ms: { reference: 20, advice: 40, request: 90, batch: 900, lookup: 12 },
      lookup_rps: 4_990,
      targets_met: { request: false, advice: true, batch: true, lookup: true },
    });
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });

  it('meets the REQUEST target only with both the ratio and the p99', () => {
    expect(benchSummary({ ...run, request: figures(1_400, 90) }).targets_met.request).toBe(true);
    expect(benchSummary({ ...run, request: figures(1_400, 101) }).targets_met.request).toBe(false);
  });

  it('misses the read target below 99 % of 5,000/s or above 20 ms p99', () => {
    expect(benchSummary({ ...run, lookup: figures(4_900, 12) }).targets_met.lookup).toBe(false);
    expect(benchSummary({ ...run, lookup: figures(5_000, 21) }).targets_met.lookup).toBe(false);
  });

  it('refuses to compute a ratio without a reference, and a batch figure without committed transfers', () => {
    expect(() => benchSummary({ ...run, reference: figures(0, 0) })).toThrow(/no ratio/);
    expect(() => benchSummary({ ...run, batch: figures(30, 900) })).toThrow(/committed_transfers/);
  });

  it("names every scenario's failed k6 thresholds", () => {
    const failing = { ...run, request: figures(1_200, 90, { thresholdsFailed: ['transfer_errors: rate<0.01'] }) };
    expect(failedThresholds(run)).toEqual([]);
    expect(failedThresholds(failing)).toEqual(['request: transfer_errors: rate<0.01']);
  });

  it('prints one table row per scenario with its target met or missed', () => {
    const table = benchTable(run, benchSummary(run), settings);
    expect(table.split('\n')).toHaveLength(7);
    expect(table).toContain(
      '| POST /v1/transfers, REQUEST payee, 32 VUs | 1200.0 req/s | 45.00 | 90.00 | 0.00 % | ratio 0.300 ≥ 0.35, p99 ≤ 100 ms: MISSED |',
    );
    expect(table).toContain('31000.0 transfers/s');
    expect(table).toContain('(0 iterations dropped)');
  });
});

describe('the outbox deliveries the bench waits on', () => {
  it('sums hisaab_outbox_deliveries_total over every channel and outcome of a /metrics text', () => {
    const text = [
      '# HELP hisaab_outbox_deliveries_total Store-and-forward deliveries finished',
      '# TYPE hisaab_outbox_deliveries_total counter',
      'hisaab_outbox_deliveries_total{channel="wallet-http",outcome="delivered"} 11164',
      'hisaab_outbox_deliveries_total{channel="wallet-http",outcome="abandoned"} 2',
      'hisaab_outbox_deliveries_totally_other 5',
      'hisaab_http_requests_total{method="POST"} 900',
    ].join('\n');
    expect(outboxDeliveriesOf(text)).toBe(11_166);
    expect(outboxDeliveriesOf('')).toBe(0);
  });
});
