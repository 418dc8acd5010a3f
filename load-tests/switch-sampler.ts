/**
 * What a long run watches in the switch (and in the reference beside it), from its own /metrics (prom-client's default process and Node metrics):
 * memory, event-loop delay, open handles, sockets and file descriptors. prom-client resets its event-loop delay
 * histogram at every scrape, so when the sampler is the only scraper each sample's p99 covers exactly the interval
 * since the previous one.
 */

/** One sample of the switch, taken at the end of its interval. */
export type SwitchSample = {
  /** The interval this sample closes: 0 is the first `intervalSeconds` after the run's epoch. */
  interval: number;
  /** Seconds since the run's epoch at which it was taken. */
  atSeconds: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** The heap V8 holds (used or not), and memory outside it that JS objects own (buffers): where RSS goes beside the heap. */
  heapTotalBytes: number;
  externalBytes: number;
  /** The p99 of event-loop delay over the interval (perf_hooks monitorEventLoopDelay, through prom-client). */
  eventLoopDelayP99Ms: number;
  /** Node's active handles: sockets, servers, timers with a handle, child processes. */
  activeHandles: number;
  /** Active handles that are sockets: clients' connections and the switch's own (to payees). */
  sockets: number;
  /**
   * Clients' HTTP connections (hisaab_http_connections): as many as the load generator keeps open, which k6 grows
   * with its virtual users when latency rises. Active handles less these are the switch's own.
   */
  clientConnections: number;
  openFileDescriptors: number;
  /**
   * Running totals since the switch started, summed over ledgers and routes, so that a soak can tell where a rise
   * in latency is spent: the ledger's time from submit to durable events (hisaab_ledger_commit_latency_seconds,
   * which holds the engine's tick and its fsync) against the whole HTTP answer (hisaab_http_request_duration_seconds).
   * Consecutive samples give each interval's mean; 0 before the first payment.
   */
  ledgerCommitSecondsTotal: number;
  ledgerCommitCount: number;
  httpRequestSecondsTotal: number;
  httpRequestCount: number;
  /**
   * Heap used just after the switch's last full collection (hisaab_heap_used_after_major_gc_bytes), near its live
   * data where heapUsedBytes is a point on the collector's sawtooth; null until one has run, or from a switch too old
   * to report it.
   */
  heapUsedAfterMajorCollectionBytes: number | null;
};

type MetricValue = { labels: string; value: number };

/** Every value of one metric in a Prometheus text exposition, with its label text ('' without labels). */
export function metricValues(text: string, name: string): MetricValue[] {
  const values: MetricValue[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)/.exec(line);
    if (match === null || match[1] !== name || match[3] === undefined) continue;
    const value = Number(match[3]);
    if (Number.isFinite(value)) values.push({ labels: match[2] ?? '', value });
  }
  return values;
}

/** The sum of every labelled value of one metric; 0 when the switch has not yet recorded any. */
function summed(text: string, name: string): number {
  return metricValues(text, name).reduce((total, value) => total + value.value, 0);
}

function single(text: string, name: string): number {
  const found = metricValues(text, name)[0];
  if (found === undefined) throw new Error(`the switch's /metrics has no ${name}: is it the switch, with its default metrics?`);
  return found.value;
}

/** A sample from a /metrics text; throws naming the metric when one the sample needs is missing. */
export function sampleOfMetrics(text: string, interval: number, atSeconds: number): SwitchSample {
  const sockets = metricValues(text, 'nodejs_active_handles')
    .filter((value) => value.labels.includes('type="Socket"'))
    .reduce((total, value) => total + value.value, 0);
  return {
    interval,
    atSeconds: Math.round(atSeconds * 10) / 10,
    rssBytes: single(text, 'process_resident_memory_bytes'),
    heapUsedBytes: single(text, 'nodejs_heap_size_used_bytes'),
    heapTotalBytes: single(text, 'nodejs_heap_size_total_bytes'),
    externalBytes: single(text, 'nodejs_external_memory_bytes'),
    eventLoopDelayP99Ms: Math.round(single(text, 'nodejs_eventloop_lag_p99_seconds') * 1e6) / 1e3,
    activeHandles: single(text, 'nodejs_active_handles_total'),
    clientConnections: single(text, 'hisaab_http_connections'),
    sockets,
    openFileDescriptors: single(text, 'process_open_fds'),
    ledgerCommitSecondsTotal: summed(text, 'hisaab_ledger_commit_latency_seconds_sum'),
    ledgerCommitCount: summed(text, 'hisaab_ledger_commit_latency_seconds_count'),
    httpRequestSecondsTotal: summed(text, 'hisaab_http_request_duration_seconds_sum'),
    httpRequestCount: summed(text, 'hisaab_http_request_duration_seconds_count'),
    heapUsedAfterMajorCollectionBytes: heapAfterMajorCollectionOf(text),
  };
}

/**
 * Heap used after the switch's last major collection, or null before one has run: prom-client serves a gauge never
 * set as 0, which the soak's verdict would read as a level of 0 MiB.
 */
function heapAfterMajorCollectionOf(text: string): number | null {
  const bytes = metricValues(text, 'hisaab_heap_used_after_major_gc_bytes')[0]?.value;
  return bytes === undefined || bytes === 0 ? null : bytes;
}

/**
 * The mean of a duration over each interval, in milliseconds, from the running totals of consecutive samples: null
 * where the interval or the one before it has no sample, or nothing was counted in it.
 */
export function intervalMeansMs(
  samples: readonly SwitchSample[],
  intervalCount: number,
  totals: (sample: SwitchSample) => { seconds: number; count: number },
): (number | null)[] {
  const byInterval = new Map(samples.map((sample) => [sample.interval, totals(sample)]));
  return Array.from({ length: intervalCount }, (_unused, interval) => {
    const now = byInterval.get(interval);
    const before = byInterval.get(interval - 1);
    if (now === undefined || before === undefined) return null;
    const count = now.count - before.count;
    if (count <= 0) return null;
    return Math.round(((now.seconds - before.seconds) / count) * 1e6) / 1e3;
  });
}

/** One sample of the reference server (reference-main.ts serves prom-client's default metrics too). */
export type ReferenceSample = {
  interval: number;
  atSeconds: number;
  rssBytes: number;
  /** Measured as the switch's is (prom-client over monitorEventLoopDelay, reset at every scrape). */
  eventLoopDelayP99Ms: number;
};

/** A reference sample from its /metrics text; throws naming the metric when one is missing. */
export function referenceSampleOfMetrics(text: string, interval: number, atSeconds: number): ReferenceSample {
  return {
    interval,
    atSeconds: Math.round(atSeconds * 10) / 10,
    rssBytes: single(text, 'process_resident_memory_bytes'),
    eventLoopDelayP99Ms: Math.round(single(text, 'nodejs_eventloop_lag_p99_seconds') * 1e6) / 1e3,
  };
}

/** How long one scrape may take before the sample is recorded as missed. */
const scrapeTimeoutMs = 5_000;

export type MetricsSampler<Sample> = {
  /** Stops sampling and resolves with the samples taken, in order. */
  stop(): Promise<Sample[]>;
};

/**
 * Scrapes `${url}/metrics` at the end of every interval of `intervalSeconds` after `epochMs`, until stopped
 * or `intervalCountMax` samples are taken. A scrape that fails is logged through `onMissed` and skipped: a soak
 * reports a gap rather than stopping on one slow answer.
 */
export function startMetricsSampler<Sample>(options: {
  url: string;
  /** The sample a /metrics text gives (sampleOfMetrics for the switch, referenceSampleOfMetrics for the reference). */
  sampleOf: (text: string, interval: number, atSeconds: number) => Sample;
  epochMs: number;
  intervalSeconds: number;
  intervalCountMax: number;
  onSample?: (sample: Sample) => void;
  onMissed?: (interval: number, reason: string) => void;
}): MetricsSampler<Sample> {
  const samples: Sample[] = [];
  const intervalMs = options.intervalSeconds * 1000;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const scheduleNext = (): void => {
    if (stopped) return;
    const interval = Math.max(0, Math.floor((Date.now() - options.epochMs) / intervalMs));
    if (interval >= options.intervalCountMax) return;
    const dueAt = options.epochMs + (interval + 1) * intervalMs;
    timer = setTimeout(
      () => {
        running = takeSample(interval).finally(scheduleNext);
      },
      Math.max(0, dueAt - Date.now()),
    );
  };
  const takeSample = async (interval: number): Promise<void> => {
    try {
      const response = await fetch(`${options.url}/metrics`, { signal: AbortSignal.timeout(scrapeTimeoutMs) });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
      const sample = options.sampleOf(text, interval, (Date.now() - options.epochMs) / 1000);
      samples.push(sample);
      options.onSample?.(sample);
    } catch (error) {
      options.onMissed?.(interval, error instanceof Error ? error.message : String(error));
    }
  };
  scheduleNext();
  return {
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      await running;
      return samples;
    },
  };
}
