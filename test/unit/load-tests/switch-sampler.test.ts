import { intervalMeansMs, sampleOfMetrics, type SwitchSample } from '../../../load-tests/switch-sampler';

/** A /metrics text as the switch serves it, with two ledgers' commit latencies and two routes' durations. */
function metricsText(commitSeconds: number, commits: number): string {
  return [
    'process_resident_memory_bytes 104857600',
    'nodejs_heap_size_used_bytes 52428800',
    'nodejs_heap_size_total_bytes 83886080',
    'nodejs_external_memory_bytes 1048576',
    'nodejs_eventloop_lag_p99_seconds 0.0125',
    'nodejs_active_handles{type="Socket"} 4',
    'nodejs_active_handles_total 6',
    'hisaab_http_connections 3',
    'process_open_fds 40',
    `hisaab_ledger_commit_latency_seconds_sum{ledger="PKR"} ${commitSeconds}`,
    `hisaab_ledger_commit_latency_seconds_count{ledger="PKR"} ${commits}`,
    'hisaab_ledger_commit_latency_seconds_sum{ledger="USD"} 0',
    'hisaab_ledger_commit_latency_seconds_count{ledger="USD"} 0',
    'hisaab_http_request_duration_seconds_sum{route="/v1/transfers"} 1.5',
    'hisaab_http_request_duration_seconds_count{route="/v1/transfers"} 100',
    'hisaab_http_request_duration_seconds_sum{route="/healthz"} 0.5',
    'hisaab_http_request_duration_seconds_count{route="/healthz"} 100',
    'hisaab_heap_used_after_major_gc_bytes 41943040',
  ].join('\n');
}

const commitTotals = (sample: SwitchSample) => ({ seconds: sample.ledgerCommitSecondsTotal, count: sample.ledgerCommitCount });

it('sums running totals over every label', () => {
  const sample = sampleOfMetrics(metricsText(2, 400), 3, 40);
  expect(sample).toMatchObject({
    interval: 3,
    ledgerCommitSecondsTotal: 2,
    ledgerCommitCount: 400,
    httpRequestSecondsTotal: 2,
    httpRequestCount: 200,
    sockets: 4,
    eventLoopDelayP99Ms: 12.5,
    heapUsedAfterMajorCollectionBytes: 41943040,
  });
});

it('gives each interval the mean of what was counted in it, and null where a sample or a count is missing', () => {
  const samples = [
    sampleOfMetrics(metricsText(0, 0), 0, 10),
    sampleOfMetrics(metricsText(1, 200), 1, 20),
    sampleOfMetrics(metricsText(3, 300), 2, 30),
    sampleOfMetrics(metricsText(3, 300), 3, 40),
    // Interval 4 has no sample: neither it nor interval 5 has a mean.
    sampleOfMetrics(metricsText(4, 400), 5, 60),
  ];
  expect(intervalMeansMs(samples, 7, commitTotals)).toEqual([null, 5, 20, null, null, null, null]);
});

it('records no heap after a full collection from a switch that has not had one', () => {
  const text = metricsText(0, 0).replace('hisaab_heap_used_after_major_gc_bytes 41943040', '');
  expect(sampleOfMetrics(text, 0, 10).heapUsedAfterMajorCollectionBytes).toBeNull();
});

it('reads a heap of 0 after a full collection as none yet: prom-client serves a gauge never set as 0', () => {
  const text = metricsText(0, 0).replace('hisaab_heap_used_after_major_gc_bytes 41943040', 'hisaab_heap_used_after_major_gc_bytes 0');
  expect(sampleOfMetrics(text, 0, 10).heapUsedAfterMajorCollectionBytes).toBeNull();
});
