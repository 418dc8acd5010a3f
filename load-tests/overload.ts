/**
 * `npm run load:overload [-- --seconds 20 --measure-seconds 15 --in-flight-max 64 --control 1]` (issue 14, item 5):
 * the switch at twice its measured maximum rate sheds what it cannot carry with 503 OVERLOADED and Retry-After,
 * and the payments it accepts keep the latency they have at the maximum.
 *
 *   1. The switch as `npm run serve` starts it (HISAAB_MONEY_PATH_IN_FLIGHT_MAX = `--in-flight-max`, the switch's
 *      default 64 unless given), its REQUEST ring of wallets; its maximum rate measured with transfers.k6.js and
 *      as many virtual users as it admits at once (saturated, at the same concurrency as under overload).
 *   2. transfers-rate.k6.js offers twice that rate for `--seconds`: accepted (201 COMMITTED), shed (503 OVERLOADED
 *      with Retry-After) and any other answer (an error) counted, with their latencies.
 *   3. Unless `--control 0`: the same on a fresh switch that admits everything (in-flight bound 100,000), to show
 *      what the bound prevents: latency growing with the queue (up to k6's 1,024 virtual users).
 *
 * Writes test-results/overload-<date>.json and prints one summary line. Exit code 0 when the accepted p99 stayed
 * within twice the p99 at the maximum, something was shed and nothing failed; 1 otherwise; 2 when the run could not
 * be made. `--driver node --max-rate N` skips the measurement and offers 2 × N from Node (the short version in
 * `npm test`, without k6). Loopback only.
 */
import { cpus, loadavg } from 'node:os';
import { installedK6Version } from './k6-process';
import { parseFlags, say } from './load-runner';
import { driverOf, measureMaximumRate, offerLoad, resultStem, startRateNetwork, writeWhole, type Driver } from './rate-run';
import { runCampaign } from './run-campaign';
import type { RateFigures } from './rate-summary';
import { moneyPathInFlightMaxDefault, moneyPathInFlightMaxLimit } from '../api/money-path-admission';
import { admissionEnvironment } from './overload-admission';

/** The accepted p99 under overload may be at most this many times the p99 at the maximum rate. */
export const keptP99FactorMax = 2;
/** Virtual users k6 may start to keep twice the maximum rate, with or without shedding. */
const overloadVusMax = 1_024;

type Phase = { label: string; inFlightMax: number; figures: RateFigures; perSecond: { accepted: number; shed: number; errors: number } };

function perSecond(figures: RateFigures): Phase['perSecond'] {
  const rate = (count: number) => Math.round((count / figures.durationSeconds) * 10) / 10;
  return { accepted: rate(figures.accepted.count), shed: rate(figures.shed.count), errors: rate(figures.errors.count) };
}

async function overloadPhase(input: {
  driver: Driver;
  label: string;
  inFlightMax: number;
  ratePerSecond: number;
  seconds: number;
  workDirectory: string;
  signal: AbortSignal;
  measureSeconds: number | null;
}): Promise<{ phase: Phase; maximum: { perSecond: number; p99Ms: number } | null }> {
  const network = await startRateNetwork(input.workDirectory, input.label, admissionEnvironment(input.inFlightMax));
  try {
    let maximum: { perSecond: number; p99Ms: number } | null = null;
    let ratePerSecond = input.ratePerSecond;
    if (input.measureSeconds !== null) {
      const measured = await measureMaximumRate(network.seed, input.workDirectory, input.measureSeconds, input.signal, input.inFlightMax);
      maximum = { perSecond: measured.requestsPerSecond, p99Ms: measured.latencyMs.p99 };
      ratePerSecond = Math.max(1, Math.round(2 * measured.requestsPerSecond));
      say(`overload: maximum ${measured.requestsPerSecond}/s at p99 ${measured.latencyMs.p99} ms (${input.inFlightMax} virtual users)`);
    }
    say(`overload: ${ratePerSecond}/s offered for ${input.seconds} s to the switch admitting ${input.inFlightMax} at once`);
    const figures = await offerLoad({
      driver: input.driver,
      label: input.label,
      seed: network.seed,
      ratePerSecond,
      durationSeconds: input.seconds,
      intervalSeconds: Math.max(1, input.seconds),
      epochMs: Date.now(),
      vusMax: overloadVusMax,
      workDirectory: input.workDirectory,
      signal: input.signal,
    });
    const phase = { label: input.label, inFlightMax: input.inFlightMax, figures, perSecond: perSecond(figures) };
    say(
      `  ${input.label}: accepted ${phase.perSecond.accepted}/s (p50 ${figures.accepted.p50Ms} ms, p99 ${figures.accepted.p99Ms} ms), shed ${phase.perSecond.shed}/s (p99 ${figures.shed.p99Ms} ms), errors ${figures.errors.count}, k6 iterations dropped ${figures.droppedIterations}`,
    );
    return { phase, maximum };
  } finally {
    await network.close();
  }
}

async function overload(argv: string[], signal: AbortSignal, workDirectory: string): Promise<number> {
  const { driver, rest } = driverOf(argv);
  const flags = parseFlags(rest, {
    seconds: { description: 'of load at twice the maximum', min: 2, max: 600, fallback: 20 },
    'measure-seconds': { description: 'of the maximum-rate measurement', min: 5, max: 300, fallback: 15 },
    'in-flight-max': {
      description: "the switch's HISAAB_MONEY_PATH_IN_FLIGHT_MAX",
      min: 1,
      max: 4_096,
      fallback: moneyPathInFlightMaxDefault,
    },
    'max-rate': { description: 'the maximum, not measured, when not 0', min: 0, max: 10_000, fallback: 0 },
    control: { description: '1 also runs a switch that admits everything, 0 does not', min: 0, max: 1, fallback: 1 },
  });
  if (driver === 'node' && flags['max-rate'] === 0) throw new Error('--driver node needs --max-rate: the maximum is measured with k6');
  const k6Version = driver === 'k6' ? installedK6Version() : null;
  const loadAtStart = loadavg();
  say(
    `overload: ${k6Version ?? 'Node driver'}; ${cpus().length} CPUs; load average ${loadAtStart.map((value) => value.toFixed(2)).join(' ')}`,
  );
  const given = flags['max-rate'];
  const bounded = await overloadPhase({
    driver,
    label: 'bounded',
    inFlightMax: flags['in-flight-max'],
    ratePerSecond: 2 * given,
    seconds: flags.seconds,
    workDirectory,
    signal,
    measureSeconds: given === 0 ? flags['measure-seconds'] : null,
  });
  const askedPerSecond = bounded.phase.figures.askedPerSecond;
  const control =
    flags.control === 1
      ? (
          await overloadPhase({
            driver,
            label: 'unbounded',
            inFlightMax: moneyPathInFlightMaxLimit,
            ratePerSecond: askedPerSecond,
            seconds: flags.seconds,
            workDirectory,
            signal,
            measureSeconds: null,
          })
        ).phase
      : null;
  const accepted = bounded.phase.figures.accepted;
  const maximumP99Ms = bounded.maximum?.p99Ms ?? null;
  const kept = maximumP99Ms === null ? null : accepted.p99Ms <= keptP99FactorMax * maximumP99Ms;
  const passed = bounded.phase.figures.errors.count === 0 && bounded.phase.figures.shed.count > 0 && kept !== false;
  const recordedAt = new Date().toISOString();
  const line =
    `overload at ${askedPerSecond}/s (2 × ${bounded.maximum?.perSecond ?? given}/s): accepted ${bounded.phase.perSecond.accepted}/s at p99 ${accepted.p99Ms} ms` +
    `${maximumP99Ms === null ? '' : ` (${maximumP99Ms} ms at the maximum${kept === true ? ', kept' : ', NOT kept'})`}, shed ${bounded.phase.perSecond.shed}/s with 503 + Retry-After, ` +
    `${bounded.phase.figures.errors.count} errors` +
    `${control === null ? '' : `; admitting everything: ${control.perSecond.accepted}/s at p99 ${control.figures.accepted.p99Ms} ms, ${control.figures.errors.count} errors, ${control.figures.droppedIterations} not started`}` +
    `; ${passed ? 'PASSED' : 'FAILED'}`;
  const stem = resultStem('overload', recordedAt);
  const result = {
    recordedAt,
    command: `npm run load:overload -- ${argv.join(' ')}`.trim(),
    driver,
    k6: k6Version,
    node: process.version,
    cpus: cpus().length,
    loadAverage: { atStart: loadAtStart, atEnd: loadavg() },
    maximum: bounded.maximum,
    askedPerSecond,
    bounded: bounded.phase,
    unbounded: control,
    keptP99FactorMax,
    passed,
    summary: line,
  };
  writeWhole(`${stem}.json`, `${JSON.stringify(result, null, 2)}\n`);
  say(`overload: figures in ${stem}.json`);
  say(line);
  return passed ? 0 : 1;
}

runCampaign('overload', overload);
