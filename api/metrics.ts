import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { batchCommandsMax } from '../core/ledger/ledger-limits';
import { heapUsedAfterLastMajorCollectionBytes, watchMajorCollections } from './heap-after-major-collection';

/**
 * The switch's Prometheus metrics, on a registry of its own (one per running switch, so tests can run several
 * in one process). The transfer and ledger metrics are created here, ready for core/transfers and the ledger
 * engine's wiring to update; anything else can register on `registry`.
 */
export type SwitchMetrics = {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpRequestDurationSeconds: Histogram<'method' | 'route'>;
  /** Transfers finished, by final state (COMMITTED, ABORTED) and abort reason ("" when committed). */
  transfers: Counter<'state' | 'abort_reason'>;
  /** Commands per ledger engine tick (one append each). */
  ledgerBatchSize: Histogram<'ledger'>;
  /** From a submit to the ledger engine until its events are durable. */
  ledgerCommitLatencySeconds: Histogram<'ledger'>;
  /** Store-and-forward deliveries finished, by outbox channel and outcome (delivered, abandoned). */
  outboxDeliveries: Counter<'channel' | 'outcome'>;
  /** The global log position the read models have reached, and the head of the log. */
  readModelPosition: Gauge;
  eventLogHeadPosition: Gauge;
  /** Money-path requests in progress in this process, and those shed past its bound (api/money-path-admission.ts). */
  moneyPathInFlight: Gauge;
  moneyPathShed: Counter<'route' | 'reason'>;
  /** Requests answered 429 RATE_LIMITED, by the policy that refused them (api/rate-limit/rate-limiting.ts). */
  rateLimited: Counter<'policy'>;
  /** Clients' HTTP connections open on the switch's port: each is one of Node's active handles. */
  httpConnections: Gauge;
  /** Clients' connections closed at accept because the process held HISAAB_MAX_CONNECTIONS (api/connection-cap.ts). */
  connectionsDropped: Counter<'port'>;
  /** Heap used just after the last full collection (api/heap-after-major-collection.ts): what a soak judges for leaks. */
  heapUsedAfterMajorCollection: Gauge;
};

export function createSwitchMetrics(): SwitchMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  watchMajorCollections();
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'hisaab_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    }),
    httpRequestDurationSeconds: new Histogram({
      name: 'hisaab_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method and route pattern',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    transfers: new Counter({
      name: 'hisaab_transfers_total',
      help: 'Transfers finished, by state and abort reason',
      labelNames: ['state', 'abort_reason'] as const,
      registers,
    }),
    ledgerBatchSize: new Histogram({
      name: 'hisaab_ledger_batch_size',
      help: 'Commands decided and appended per ledger engine tick',
      labelNames: ['ledger'] as const,
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, batchCommandsMax],
      registers,
    }),
    ledgerCommitLatencySeconds: new Histogram({
      name: 'hisaab_ledger_commit_latency_seconds',
      help: 'From submit to durable ledger events',
      labelNames: ['ledger'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    outboxDeliveries: new Counter({
      name: 'hisaab_outbox_deliveries_total',
      help: 'Store-and-forward deliveries finished, by channel and outcome; any abandoned one needs an operator',
      labelNames: ['channel', 'outcome'] as const,
      registers,
    }),
    readModelPosition: new Gauge({
      name: 'hisaab_read_model_position',
      help: 'Global log position every projection has reached',
      registers,
    }),
    eventLogHeadPosition: new Gauge({ name: 'hisaab_event_log_head_position', help: 'Global log position of the last event', registers }),
    moneyPathInFlight: new Gauge({
      name: 'hisaab_money_path_in_flight',
      help: 'Money-path requests (POST /v1/transfers, /v1/transfers/batch) this process is working on',
      registers,
    }),
    moneyPathShed: new Counter({
      name: 'hisaab_money_path_shed_total',
      help: 'Money-path requests answered 503 OVERLOADED before any work: as many were in progress as allowed (reason in_flight), or the event loop ran late (loop_delay)',
      labelNames: ['route', 'reason'] as const,
      registers,
    }),
    rateLimited: new Counter({
      name: 'hisaab_rate_limited_total',
      help: 'Requests answered 429 RATE_LIMITED before any work, by the rate-limit policy that refused them',
      labelNames: ['policy'] as const,
      registers,
    }),
    httpConnections: new Gauge({ name: 'hisaab_http_connections', help: "Clients' HTTP connections open on the switch's port", registers }),
    connectionsDropped: new Counter({
      name: 'hisaab_connections_dropped_total',
      help: "Clients' connections closed at accept because the process held HISAAB_MAX_CONNECTIONS, by port",
      labelNames: ['port'] as const,
      registers,
    }),
    heapUsedAfterMajorCollection: new Gauge({
      name: 'hisaab_heap_used_after_major_gc_bytes',
      help: 'Heap used just after the last full garbage collection (0 until one has run): near the live data',
      registers,
      collect() {
        const bytes = heapUsedAfterLastMajorCollectionBytes();
        if (bytes !== null) this.set(bytes);
      },
    }),
  };
}
