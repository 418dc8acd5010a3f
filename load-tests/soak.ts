/**
 * `npm run soak [-- --minutes 30 --rate N --sample-seconds 10]` (issue 14, item 4): the switch as `npm run serve`
 * starts it, with its REQUEST ring of simulated wallets, under a constant arrival rate of payments for the minutes
 * given, watched from outside.
 *
 *   1. Unless `--rate` is given: the maximum rate is measured first (transfers.k6.js, 32 virtual users, as the
 *      load test measures it, `--measure-seconds`), and the soak runs at half of it.
 *   2. k6 (transfers-rate.k6.js) offers that rate for the duration; every `--sample-seconds` the runner reads the
 *      switch's /metrics: resident memory, heap used, the interval's event-loop delay p99, open handles, sockets
 *      and file descriptors. k6 tags each request with its interval, so each interval also gets its latency p99.
 *   3. The first tenth of the run (at least one interval; `--warmup-seconds`) is warm-up; the rest is cut in
 *      thirds and each series' last-third mean must be within 10 % of its first-third mean (soak-verdict.ts).
 *   4. Writes test-results/soak-<date>.json (every sample and interval, the verdict, the machine's load) and
 *      test-results/soak-<date>.svg (the curves), and prints one summary line.
 *
 * Exit code 0 when flat, 1 when not flat (or too short to judge), 2 when the run could not be made. Loopback only.
 * `--driver node` offers the load from Node instead of k6 (no k6 needed; for the short soak in `npm test`).
 */
import { cpus, loadavg } from 'node:os';
import { installedK6Version } from './k6-process';
import { parseFlags, say } from './load-runner';
import { driverOf, measureMaximumRate, measureVus, offerLoad, resultStem, startRateNetwork, writeWhole } from './rate-run';
import { runCampaign } from './run-campaign';
import type { RateFigures } from './rate-summary';
import { soakChartSvg } from './soak-chart';
import { seriesNames, soakVerdict, type SeriesName, type SoakVerdict } from './soak-verdict';
import { startSwitchSampler, type SwitchSample } from './switch-sampler';

/** Most virtual users k6 may start to keep the soak's rate: far above rate × p99 at half the maximum. */
const soakVusMax = 512;
const mebibyte = 1024 * 1024;

function seriesOf(samples: readonly SwitchSample[], rate: RateFigures, intervalCount: number): Record<SeriesName, (number | null)[]> {
  const byInterval = new Map(samples.map((sample) => [sample.interval, sample]));
  const latencyByInterval = new Map(rate.intervals.map((figures) => [figures.interval, figures.acceptedP99Ms]));
  const series = Object.fromEntries(seriesNames.map((name) => [name, [] as (number | null)[]])) as Record<SeriesName, (number | null)[]>;
  for (let interval = 0; interval < intervalCount; interval += 1) {
    const sample = byInterval.get(interval);
    series.rssMiB.push(sample === undefined ? null : Math.round((sample.rssBytes / mebibyte) * 10) / 10);
    series.heapUsedMiB.push(sample === undefined ? null : Math.round((sample.heapUsedBytes / mebibyte) * 10) / 10);
    series.eventLoopDelayP99Ms.push(sample?.eventLoopDelayP99Ms ?? null);
    series.ownHandles.push(sample === undefined ? null : sample.activeHandles - sample.clientConnections);
    series.acceptedP99Ms.push(latencyByInterval.get(interval) ?? null);
  }
  return series;
}

function summaryLine(verdict: SoakVerdict, ratePerSecond: number, minutes: number, rate: RateFigures): string {
  const head = `soak ${minutes} min at ${ratePerSecond}/s: ${rate.accepted.count} committed, ${rate.shed.count} shed, ${rate.errors.count} errors, p99 ${rate.accepted.p99Ms} ms`;
  if (verdict.kind === 'too-short') return `${head}; NOT JUDGED: ${verdict.reason}`;
  const changes = verdict.series.map((series) => `${series.series} ${series.change >= 0 ? '+' : ''}${(series.change * 100).toFixed(1)} %`);
  return `${head}; last third vs first after warm-up: ${changes.join(', ')}; ${verdict.flat ? 'FLAT' : 'NOT FLAT'} (within 10 %)`;
}

async function soak(argv: string[], signal: AbortSignal, workDirectory: string): Promise<number> {
  const { driver, rest } = driverOf(argv);
  const flags = parseFlags(rest, {
    minutes: { description: 'how long the soak runs', min: 1, max: 720, fallback: 30 },
    seconds: { description: 'or: how long in seconds, when not 0', min: 0, max: 43_200, fallback: 0 },
    rate: { description: 'payments per second; 0 measures the maximum and takes half', min: 0, max: 20_000, fallback: 0 },
    'sample-seconds': { description: 'seconds per sample', min: 1, max: 600, fallback: 10 },
    'warmup-seconds': { description: 'left out of the verdict; 0 takes a tenth of the run', min: 0, max: 43_200, fallback: 0 },
    'measure-seconds': { description: 'of the maximum-rate measurement', min: 5, max: 300, fallback: 15 },
  });
  const durationSeconds = flags.seconds > 0 ? flags.seconds : flags.minutes * 60;
  const intervalSeconds = flags['sample-seconds'];
  if (durationSeconds < 3 * intervalSeconds) throw new Error(`a soak takes at least 3 samples: run it ${3 * intervalSeconds} s or more`);
  if (driver === 'node' && flags.rate === 0) throw new Error('--driver node needs --rate: the maximum is measured with k6');
  const k6Version = driver === 'k6' ? installedK6Version() : null;
  const loadAtStart = loadavg();
  say(
    `soak: ${driver === 'k6' ? k6Version : 'Node driver'}; ${cpus().length} CPUs; load average ${loadAtStart.map((value) => value.toFixed(2)).join(' ')}`,
  );
  const network = await startRateNetwork(workDirectory, 'soak');
  try {
    let maximumRate: number | null = null;
    let ratePerSecond = flags.rate;
    if (ratePerSecond === 0) {
      maximumRate = (await measureMaximumRate(network.seed, workDirectory, flags['measure-seconds'], signal)).requestsPerSecond;
      ratePerSecond = Math.max(1, Math.round(maximumRate / 2));
      say(`soak: measured maximum ${maximumRate}/s with ${measureVus} virtual users; soaking at half: ${ratePerSecond}/s`);
    }
    const intervalCount = Math.ceil(durationSeconds / intervalSeconds);
    const epochMs = Date.now();
    const sampler = startSwitchSampler({
      switchUrl: network.switchUrl,
      epochMs,
      intervalSeconds,
      intervalCountMax: intervalCount,
      onSample: (sample) =>
        say(
          `  ${sample.atSeconds.toFixed(0)} s: rss ${(sample.rssBytes / mebibyte).toFixed(1)} MiB, heap ${(sample.heapUsedBytes / mebibyte).toFixed(1)} of ${(sample.heapTotalBytes / mebibyte).toFixed(1)} MiB, external ${(sample.externalBytes / mebibyte).toFixed(1)} MiB, loop p99 ${sample.eventLoopDelayP99Ms} ms, handles ${sample.activeHandles} (${sample.clientConnections} client connections), sockets ${sample.sockets}, fds ${sample.openFileDescriptors}`,
        ),
      onMissed: (interval, reason) => say(`  interval ${interval}: no sample (${reason})`),
    });
    let samplesTaken: SwitchSample[] = [];
    let rate: RateFigures;
    try {
      rate = await offerLoad({
        driver,
        label: 'soak',
        vusMax: soakVusMax,
        seed: network.seed,
        ratePerSecond,
        durationSeconds,
        intervalSeconds,
        epochMs,
        workDirectory,
        signal,
      });
    } finally {
      samplesTaken = await sampler.stop();
    }
    const series = seriesOf(samplesTaken, rate, intervalCount);
    const warmupIntervals =
      flags['warmup-seconds'] > 0 ? Math.ceil(flags['warmup-seconds'] / intervalSeconds) : Math.max(1, Math.round(intervalCount / 10));
    const verdict = soakVerdict(series, warmupIntervals);
    const recordedAt = new Date().toISOString();
    const minutes = Math.round((durationSeconds / 60) * 10) / 10;
    const line = summaryLine(verdict, ratePerSecond, minutes, rate);
    const chart = soakChartSvg({
      title: `Soak: ${minutes} min at ${ratePerSecond} payments/s, ${recordedAt.slice(0, 16).replace('T', ' ')} UTC`,
      intervalSeconds,
      series,
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
      loadAverage: { atStart: loadAtStart, atEnd: loadavg() },
      durationSeconds,
      intervalSeconds,
      maximumRatePerSecond: maximumRate,
      ratePerSecond,
      load: { ...rate, intervals: undefined },
      verdict,
      series,
      samples: samplesTaken,
      intervals: rate.intervals,
      chart: `${stem}.svg`,
      summary: line,
    };
    writeWhole(`${stem}.json`, `${JSON.stringify(result, null, 2)}\n`);
    say(`soak: samples and verdict in ${stem}.json, chart in ${stem}.svg`);
    say(line);
    return verdict.kind === 'judged' && verdict.flat ? 0 : 1;
  } finally {
    await network.close();
  }
}

runCampaign('soak', soak);
