/**
 * `npm run soak [-- --minutes 30 --rate N --reference-rate 20 --sample-seconds 10]` (issue 14, item 4): the switch
 * as `npm run serve` starts it, with its REQUEST ring of simulated wallets, under a constant arrival rate of
 * payments for the minutes given, watched from outside, beside a reference that shares the machine's noise.
 *
 *   1. Unless `--rate` is given: the maximum rate is measured first (transfers.k6.js, 32 virtual users, as the
 *      load test measures it, `--measure-seconds`), and the soak runs at half of it.
 *   2. k6 (transfers-rate.k6.js) offers that rate for the duration; a second k6 run offers `--reference-rate` to
 *      the reference (reference-main.ts: a bare express server answering the same POST with a fixed body, in its
 *      own process). Every `--sample-seconds` the runner reads both servers' /metrics: the switch's resident
 *      memory, heap used, the interval's event-loop delay p99, open handles, sockets and file descriptors, and the
 *      reference's event-loop delay p99. k6 tags each request with its interval, so each interval also gets each
 *      server's latency p99.
 *   3. Latency and event-loop delay are judged as the switch's over the reference's, interval by interval; memory
 *      and handles as they are. A fifth of the run is warm-up (at most a third); after it, no level (the warm-up's
 *      end, then each third's median) may rise more than 10 % above any level before it (soak-verdict.ts).
 *   4. Writes test-results/soak-<date>.json (every sample and interval of both servers, every curve, the verdict,
 *      the machine's load) and test-results/soak-<date>.svg (the curves), and prints one summary line.
 *
 * Exit code 0 when flat, 1 when not flat (or too short to judge), 2 when the run could not be made. Loopback only.
 * `--driver node` offers the load from Node instead of k6 (no k6 needed; for the short soak in `npm test`).
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { installedK6Version } from './k6-process';
import { parseFlags, say } from './load-runner';
import { freeLoopbackPort, startNodeService, type NodeService } from './node-service';
import { driverOf, measureMaximumRate, measureVus, offerLoad, resultStem, startRateNetwork, writeWhole } from './rate-run';
import { payerReferencesRememberedDefault } from '../core/personal-data/personal-data-event-store';
import { runCampaign } from './run-campaign';
import type { RateFigures } from './rate-summary';
import { soakChartSvg, type ChartPanel } from './soak-chart';
import {
  defaultWarmupIntervals,
  ratioSeries,
  seriesDescriptions,
  seriesNames,
  soakVerdict,
  warmupShareMax,
  type SeriesName,
  type SoakVerdict,
} from './soak-verdict';
import { diskIntervals, readDisks, type DiskReading } from './disk-stats';
import {
  intervalMeansMs,
  referenceSampleOfMetrics,
  sampleOfMetrics,
  startMetricsSampler,
  type ReferenceSample,
  type SwitchSample,
} from './switch-sampler';

/**
 * The ledger's id window for the soak, in ledger events. At the default (10,000,000 a ledger) the window's ring
 * doubles from 65,536 entries all through any soak (at 165 payments/s it fills after ~8 hours), so resident memory
 * steps up at each doubling: bounded growth the soak cannot tell from a leak. 50,000 fits in the ring the window
 * starts with (65,536 entries less one tick's margin), so the window's memory is whole from the first payment and
 * the soak also exercises its forgetting (2 ledger events a payment: from the 25,000th payment on).
 */
const soakIdWindowEvents = 50_000;
/**
 * The payer subjects the switch's personal-data store remembers during the soak (HISAAB_PAYERS_REMEMBERED). Heap
 * snapshots after 25,000 and 75,000 payments showed that cache to be the only heap structure growing with each
 * payment: ~260 bytes each up to its default bound of 100,000 (~25 MiB), which a soak at 51/s reaches only after 33
 * minutes, so its filling looked like a leak. 5,000 fills in the first minutes at any rate worth soaking, and the
 * soak then exercises its forgetting.
 */
const soakPayersRemembered = 5_000;
/** Most virtual users k6 may start to keep the soak's rate: far above rate × p99 at half the maximum. */
const soakVusMax = 512;
/** The reference answers in microseconds: a few virtual users keep its small rate. */
const referenceVusMax = 64;
const mebibyte = 1024 * 1024;

/** Every curve the soak keeps, one value (or null: no sample) per interval: the judged series and the raw ones. */
const curveNames = [
  ...seriesNames,
  'heapUsedMiB',
  'acceptedP99Ms',
  'referenceP99Ms',
  'eventLoopDelayP99Ms',
  'referenceEventLoopDelayP99Ms',
  'referenceRssMiB',
] as const;
type CurveName = (typeof curveNames)[number];

/** One value per interval of the run, from items that each name their interval; null where none does. */
function valuesByInterval<Item extends { interval: number }>(
  items: readonly Item[],
  intervalCount: number,
  value: (item: Item) => number | null,
): (number | null)[] {
  const byInterval = new Map(items.map((item) => [item.interval, value(item)]));
  return Array.from({ length: intervalCount }, (_unused, interval) => byInterval.get(interval) ?? null);
}

const mebibytes = (bytes: number) => Math.round((bytes / mebibyte) * 10) / 10;

/**
 * Not judged: where the switch's time goes, so that a rise in latency can be laid at the ledger's durable commit (its
 * tick and fsync) or at the rest of the HTTP answer.
 */
function diagnosticsOf(samples: readonly SwitchSample[], intervalCount: number) {
  return {
    ledgerCommitMeanMs: intervalMeansMs(samples, intervalCount, (sample) => ({
      seconds: sample.ledgerCommitSecondsTotal,
      count: sample.ledgerCommitCount,
    })),
    httpRequestMeanMs: intervalMeansMs(samples, intervalCount, (sample) => ({
      seconds: sample.httpRequestSecondsTotal,
      count: sample.httpRequestCount,
    })),
  };
}

function curvesOf(
  samples: readonly SwitchSample[],
  referenceSamples: readonly ReferenceSample[],
  rate: RateFigures,
  referenceRate: RateFigures,
  intervalCount: number,
): Record<CurveName, (number | null)[]> {
  const perInterval = <Item extends { interval: number }>(items: readonly Item[], value: (item: Item) => number | null) =>
    valuesByInterval(items, intervalCount, value);
  const acceptedP99Ms = perInterval(rate.intervals, (figures) => figures.acceptedP99Ms);
  const referenceP99Ms = perInterval(referenceRate.intervals, (figures) => figures.acceptedP99Ms);
  const eventLoopDelayP99Ms = perInterval(samples, (sample) => sample.eventLoopDelayP99Ms);
  const referenceEventLoopDelayP99Ms = perInterval(referenceSamples, (sample) => sample.eventLoopDelayP99Ms);
  return {
    rssMiB: perInterval(samples, (sample) => mebibytes(sample.rssBytes)),
    heapAfterMajorGcMiB: perInterval(samples, (sample) =>
      sample.heapUsedAfterMajorCollectionBytes === null ? null : mebibytes(sample.heapUsedAfterMajorCollectionBytes),
    ),
    heapUsedMiB: perInterval(samples, (sample) => mebibytes(sample.heapUsedBytes)),
    ownHandles: perInterval(samples, (sample) => sample.activeHandles - sample.clientConnections),
    latencyP99Ratio: ratioSeries(acceptedP99Ms, referenceP99Ms),
    eventLoopDelayP99Ratio: ratioSeries(eventLoopDelayP99Ms, referenceEventLoopDelayP99Ms),
    acceptedP99Ms,
    referenceP99Ms,
    eventLoopDelayP99Ms,
    referenceEventLoopDelayP99Ms,
    referenceRssMiB: perInterval(referenceSamples, (sample) => mebibytes(sample.rssBytes)),
  };
}

const switchColor = '#1f77b4';
const referenceColor = '#2ca02c';
const ratioColor = '#9467bd';

function chartPanels(curves: Record<CurveName, (number | null)[]>): ChartPanel[] {
  const judgedPanel = (name: SeriesName, color: string): ChartPanel => ({
    heading: `${seriesDescriptions[name].label}${seriesDescriptions[name].unit === '' ? '' : ` (${seriesDescriptions[name].unit})`}`,
    lines: [{ label: name, color, values: curves[name] }],
    judged: name,
  });
  return [
    judgedPanel('rssMiB', switchColor),
    judgedPanel('heapAfterMajorGcMiB', switchColor),
    { heading: 'heap used, sampled (MiB), raw', lines: [{ label: 'heapUsedMiB', color: switchColor, values: curves.heapUsedMiB }] },
    judgedPanel('ownHandles', switchColor),
    {
      heading: 'latency p99 (ms), raw',
      lines: [
        { label: 'switch', color: switchColor, values: curves.acceptedP99Ms },
        { label: 'reference', color: referenceColor, values: curves.referenceP99Ms },
      ],
    },
    judgedPanel('latencyP99Ratio', ratioColor),
    {
      heading: 'event-loop delay p99 (ms), raw',
      lines: [
        { label: 'switch', color: switchColor, values: curves.eventLoopDelayP99Ms },
        { label: 'reference', color: referenceColor, values: curves.referenceEventLoopDelayP99Ms },
      ],
    },
    judgedPanel('eventLoopDelayP99Ratio', ratioColor),
  ];
}

function percentText(change: number): string {
  return `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)} %`;
}

function summaryLine(
  verdict: SoakVerdict,
  ratePerSecond: number,
  referenceRatePerSecond: number,
  minutes: number,
  rate: RateFigures,
  referenceRate: RateFigures,
): string {
  const head = `soak ${minutes} min at ${ratePerSecond}/s (reference ${referenceRatePerSecond}/s): ${rate.accepted.count} committed, ${rate.shed.count} shed, ${rate.errors.count} errors, p99 ${rate.accepted.p99Ms} ms (reference ${referenceRate.accepted.p99Ms} ms)`;
  return `${head}${verdictText(verdict)}`;
}

/** The verdict's part of the summary line. */
function verdictText(verdict: SoakVerdict): string {
  if (verdict.kind === 'too-short') return `; NOT JUDGED: ${verdict.reason}`;
  const growths = verdict.series.map(
    (series) =>
      `${series.series} ${percentText(series.growth)}${series.growthBetween === null ? '' : ` (${series.growthBetween.join(' → ')})`}${series.flat ? '' : ' NOT FLAT'}`,
  );
  const changes = verdict.series.map((series) => `${series.series} ${percentText(series.change)}`);
  return `; largest rise of a level over an earlier one: ${growths.join(', ')}; last third vs warm-up: ${changes.join(', ')}; ${verdict.flat ? 'FLAT' : 'NOT FLAT'} (no rise over 10 %)`;
}

/** The bare reference server in its own process, serving prom-client's default metrics as the switch does. */
async function startReference(workDirectory: string): Promise<NodeService> {
  const port = await freeLoopbackPort();
  return startNodeService({
    entry: 'load-tests/reference-main.ts',
    environment: { HISAAB_WORKERS: '1', HISAAB_REFERENCE_PORT: String(port), HISAAB_REFERENCE_METRICS: '1' },
    port,
    readyPath: '/healthz',
    logFile: join(workDirectory, 'soak-reference.log'),
  });
}

/** What `--judge` reads back from a soak's JSON: its curves, warm-up and title's figures. */
const recordedSoakSchema = z.object({
  recordedAt: z.string(),
  durationSeconds: z.number(),
  intervalSeconds: z.number(),
  ratePerSecond: z.number(),
  referenceRatePerSecond: z.number(),
  verdict: z.object({ warmupIntervals: z.number().int().min(0) }),
  series: z.record(z.string(), z.array(z.number().nullable())),
  /** Recordings from 2026-12-04 11:19 until the heap after collection was judged kept it here, not among the series. */
  diagnostics: z.object({ heapUsedAfterMajorCollectionMiB: z.array(z.number().nullable()).optional() }).optional(),
  summary: z.string(),
});

/**
 * `--judge test-results/soak-<date>.json`: judges a recorded soak again with this checkout's verdict and writes
 * `<same name>-judged.json` (the verdict, beside the recording's own) and `-judged.svg`, so that a run made before the
 * verdict changed is read by the rule the README states, without running it again. Its samples are not changed.
 */
function judgeRecorded(path: string): number {
  const recorded = recordedSoakSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  const curves = Object.fromEntries(
    curveNames.map((name) => {
      const values =
        recorded.series[name] ?? (name === 'heapAfterMajorGcMiB' ? recorded.diagnostics?.heapUsedAfterMajorCollectionMiB : undefined);
      if (values === undefined)
        throw new Error(
          name === 'heapAfterMajorGcMiB'
            ? `${path} was recorded before the switch served its heap after a major collection (2026-12-04), which the verdict now judges: it cannot be judged again`
            : `${path} has no ${name} curve`,
        );
      return [name, values];
    }),
  ) as Record<CurveName, (number | null)[]>;
  const verdict = soakVerdict(curves, recorded.verdict.warmupIntervals);
  const minutes = Math.round((recorded.durationSeconds / 60) * 10) / 10;
  const chart = soakChartSvg({
    title: `Soak: ${minutes} min at ${recorded.ratePerSecond} payments/s (reference ${recorded.referenceRatePerSecond}/s), ${recorded.recordedAt.slice(0, 16).replace('T', ' ')} UTC`,
    intervalSeconds: recorded.intervalSeconds,
    panels: chartPanels(curves),
    verdict,
  });
  const stem = path.replace(/\.json$/, '-judged');
  writeWhole(`${stem}.svg`, chart);
  const line = `${recorded.summary.replace(/; (largest rise|worst third).*$/, '')}${verdictText(verdict)}`;
  writeWhole(
    `${stem}.json`,
    `${JSON.stringify({ judgedAt: new Date().toISOString(), recording: path, verdict, summary: line }, null, 2)}\n`,
  );
  say(`soak: ${path} judged again; verdict in ${stem}.json, chart in ${stem}.svg`);
  say(line);
  return verdict.kind === 'judged' && verdict.flat ? 0 : 1;
}

async function soak(argv: string[], signal: AbortSignal, workDirectory: string): Promise<number> {
  if (argv[0] === '--judge') {
    if (argv.length !== 2 || argv[1] === undefined) throw new Error('--judge takes one soak JSON file and nothing else');
    return judgeRecorded(argv[1]);
  }
  const { driver, rest } = driverOf(argv);
  const flags = parseFlags(rest, {
    minutes: { description: 'how long the soak runs', min: 1, max: 720, fallback: 30 },
    seconds: { description: 'or: how long in seconds, when not 0', min: 0, max: 43_200, fallback: 0 },
    rate: { description: 'payments per second; 0 measures the maximum and takes half', min: 0, max: 20_000, fallback: 0 },
    'reference-rate': { description: 'requests per second to the reference server', min: 1, max: 1_000, fallback: 50 },
    'sample-seconds': { description: 'seconds per sample', min: 1, max: 600, fallback: 10 },
    'warmup-seconds': { description: 'left out of the verdict; 0 takes a fifth of the run', min: 0, max: 43_200, fallback: 0 },
    'measure-seconds': { description: 'of the maximum-rate measurement', min: 5, max: 300, fallback: 15 },
    'payers-remembered': {
      description: "payer subjects the personal-data store remembers (HISAAB_PAYERS_REMEMBERED); 0 keeps the switch's default",
      min: 0,
      max: 10_000_000,
      fallback: soakPayersRemembered,
    },
    'id-window-events': {
      description: "the ledger's id window in ledger events (HISAAB_LEDGER_TRANSFERS_REMEMBERED_EVENTS); 0 keeps the switch's default",
      min: 0,
      max: 100_000_000,
      fallback: soakIdWindowEvents,
    },
  });
  const idWindowEvents = flags['id-window-events'];
  const payersRemembered = flags['payers-remembered'] === 0 ? payerReferencesRememberedDefault : flags['payers-remembered'];
  if (payersRemembered < 1_000) throw new Error(`--payers-remembered takes 0 (the default) or 1000 to 10000000, got ${payersRemembered}`);
  if (idWindowEvents !== 0 && idWindowEvents < 10_000)
    throw new Error(`--id-window-events takes 0 (the default) or 10000 to 100000000, got ${idWindowEvents}`);
  const durationSeconds = flags.seconds > 0 ? flags.seconds : flags.minutes * 60;
  const intervalSeconds = flags['sample-seconds'];
  const referenceRatePerSecond = flags['reference-rate'];
  if (durationSeconds < 5 * intervalSeconds) throw new Error(`a soak takes at least 5 samples: run it ${5 * intervalSeconds} s or more`);
  if (flags['warmup-seconds'] > durationSeconds * warmupShareMax) {
    throw new Error(
      `--warmup-seconds ${flags['warmup-seconds']} is more than a third of the run: the warm-up is left out of the verdict, and would hide growth`,
    );
  }
  if (driver === 'node' && flags.rate === 0) throw new Error('--driver node needs --rate: the maximum is measured with k6');
  const k6Version = driver === 'k6' ? installedK6Version() : null;
  const loadAtStart = loadavg();
  say(
    `soak: ${driver === 'k6' ? k6Version : 'Node driver'}; ${cpus().length} CPUs; load average ${loadAtStart.map((value) => value.toFixed(2)).join(' ')}`,
  );
  say(
    `soak: bounded memory sized to fill early (defaults in parentheses): the ledger's id window ${idWindowEvents === 0 ? 'at the default' : `${idWindowEvents} ledger events`} (10,000,000: ~304 MiB a ledger once full), payer subjects remembered ${payersRemembered} (100,000: ~25 MiB)`,
  );
  const network = await startRateNetwork(workDirectory, 'soak', {
    ...(idWindowEvents === 0 ? {} : { HISAAB_LEDGER_TRANSFERS_REMEMBERED_EVENTS: String(idWindowEvents) }),
    HISAAB_PAYERS_REMEMBERED: String(payersRemembered),
  });
  let reference: NodeService | null = null;
  try {
    reference = await startReference(workDirectory);
    let maximumRate: number | null = null;
    let ratePerSecond = flags.rate;
    if (ratePerSecond === 0) {
      maximumRate = (await measureMaximumRate(network.seed, workDirectory, flags['measure-seconds'], signal)).requestsPerSecond;
      ratePerSecond = Math.max(1, Math.round(maximumRate / 2));
      say(`soak: measured maximum ${maximumRate}/s with ${measureVus} virtual users; soaking at half: ${ratePerSecond}/s`);
    }
    const intervalCount = Math.ceil(durationSeconds / intervalSeconds);
    const warmupIntervals =
      flags['warmup-seconds'] > 0 ? Math.ceil(flags['warmup-seconds'] / intervalSeconds) : defaultWarmupIntervals(intervalCount);
    say(
      `soak: warm-up ${warmupIntervals * intervalSeconds} s of ${durationSeconds} s, left out of the verdict; the payer cache fills after ${Math.ceil(payersRemembered / ratePerSecond)} s at ${ratePerSecond}/s`,
    );
    const epochMs = Date.now();
    const sampler = startMetricsSampler({
      url: network.switchUrl,
      sampleOf: sampleOfMetrics,
      epochMs,
      intervalSeconds,
      intervalCountMax: intervalCount,
      onSample: (sample) =>
        say(
          `  ${sample.atSeconds.toFixed(0)} s: rss ${(sample.rssBytes / mebibyte).toFixed(1)} MiB, heap ${(sample.heapUsedBytes / mebibyte).toFixed(1)} of ${(sample.heapTotalBytes / mebibyte).toFixed(1)} MiB, external ${(sample.externalBytes / mebibyte).toFixed(1)} MiB, loop p99 ${sample.eventLoopDelayP99Ms} ms, handles ${sample.activeHandles} (${sample.clientConnections} client connections), sockets ${sample.sockets}, fds ${sample.openFileDescriptors}, load ${loadavg()[0]?.toFixed(2) ?? '?'}`,
        ),
      onMissed: (interval, reason) => say(`  interval ${interval}: no sample (${reason})`),
    });
    const referenceSampler = startMetricsSampler({
      url: reference.url,
      sampleOf: referenceSampleOfMetrics,
      epochMs,
      intervalSeconds,
      intervalCountMax: intervalCount,
      onMissed: (interval, reason) => say(`  interval ${interval}: no sample of the reference (${reason})`),
    });
    // The machine's load average at every sample: the noise the ratios are there to cancel, on the record.
    const loadAverages: { atSeconds: number; oneMinute: number }[] = [];
    // And the disks' write and flush times, beside the switch's commit time (not judged: where a slower commit came from).
    const diskReadings: DiskReading[] = [];
    const firstDiskReading = readDisks(0);
    if (firstDiskReading !== null) diskReadings.push(firstDiskReading);
    const loadTimer = setInterval(() => {
      const elapsedMs = Date.now() - epochMs;
      loadAverages.push({ atSeconds: Math.round(elapsedMs / 1000), oneMinute: loadavg()[0] ?? 0 });
      // Tenths of a second: a rate over a 2 s interval would be off by half with whole seconds.
      const diskReading = readDisks(Math.round(elapsedMs / 100) / 10);
      if (diskReading !== null) diskReadings.push(diskReading);
    }, intervalSeconds * 1000);
    let samplesTaken: SwitchSample[] = [];
    let referenceSamplesTaken: ReferenceSample[] = [];
    let rate: RateFigures;
    let referenceRate: RateFigures;
    const offered = { driver, seed: network.seed, durationSeconds, intervalSeconds, epochMs, workDirectory, signal };
    try {
      [rate, referenceRate] = await Promise.all([
        offerLoad({ ...offered, label: 'soak', vusMax: soakVusMax, ratePerSecond }),
        offerLoad({
          ...offered,
          label: 'soak-reference',
          vusMax: referenceVusMax,
          seed: { ...network.seed, baseUrl: reference.url },
          ratePerSecond: referenceRatePerSecond,
        }),
      ]);
    } finally {
      clearInterval(loadTimer);
      [samplesTaken, referenceSamplesTaken] = await Promise.all([sampler.stop(), referenceSampler.stop()]);
    }
    const curves = curvesOf(samplesTaken, referenceSamplesTaken, rate, referenceRate, intervalCount);
    const verdict = soakVerdict(curves, warmupIntervals);
    const recordedAt = new Date().toISOString();
    const minutes = Math.round((durationSeconds / 60) * 10) / 10;
    const line = summaryLine(verdict, ratePerSecond, referenceRatePerSecond, minutes, rate, referenceRate);
    const chart = soakChartSvg({
      title: `Soak: ${minutes} min at ${ratePerSecond} payments/s (reference ${referenceRatePerSecond}/s), ${recordedAt.slice(0, 16).replace('T', ' ')} UTC`,
      intervalSeconds,
      panels: chartPanels(curves),
      verdict,
    });
    const stem = resultStem('soak', recordedAt);
    writeWhole(`${stem}.svg`, chart);
    const result = {
      recordedAt,
      command: `npm run soak -- ${argv.join(' ')}`.trim(),
      driver,
      k6: k6Version,
      node: process.version,
      cpus: cpus().length,
      loadAverage: { atStart: loadAtStart, atEnd: loadavg(), oneMinuteEverySample: loadAverages },
      durationSeconds,
      intervalSeconds,
      maximumRatePerSecond: maximumRate,
      ratePerSecond,
      referenceRatePerSecond,
      idWindowEvents: idWindowEvents === 0 ? null : idWindowEvents,
      payersRemembered,
      load: { ...rate, intervals: undefined },
      referenceLoad: { ...referenceRate, intervals: undefined },
      verdict,
      series: curves,
      diagnostics: { ...diagnosticsOf(samplesTaken, intervalCount), disk: diskIntervals(diskReadings) },
      samples: samplesTaken,
      referenceSamples: referenceSamplesTaken,
      intervals: rate.intervals,
      referenceIntervals: referenceRate.intervals,
      chart: `${stem}.svg`,
      summary: line,
    };
    writeWhole(`${stem}.json`, `${JSON.stringify(result, null, 2)}\n`);
    say(`soak: samples and verdict in ${stem}.json, chart in ${stem}.svg`);
    say(line);
    return verdict.kind === 'judged' && verdict.flat ? 0 : 1;
  } finally {
    await reference?.close();
    await network.close();
  }
}

runCampaign('soak', soak);
