/**
 * `npm run bench:batch [-- --seconds N --batch-size N --batch-vus N --profile 0|1 --shed 0|1]`: the batch path alone
 * (`POST /v1/transfers/batch` to ADVICE payees), one machine, one run:
 *
 *   1. the bare express reference (reference-main.ts, as many workers as the switch) under batch.k6.js: it parses
 *      each batch and answers every item committed, so its transfers/s is what this machine's HTTP stack and k6
 *      (building a thousand uuids and a body per batch, parsing the answer) can do at most;
 *   2. the switch as `npm run serve` starts it, on a fresh data dir with its ADVICE ring of simulated wallets,
 *      under the same script: committed transfers/s, every item checked.
 *
 * With `--profile 1` the switch runs under `--cpu-prof` and the breakdown of its time over the k6 run is printed
 * as `profile:transfers` prints it (the raw profile saved under load-tests/results/, ignored by git). Prints a
 * table and, on the last line, `{"reference_transfers_per_s","batch_transfers_per_s","ratio","p50_ms","p99_ms",
 * "errors","switch_cpu_us_per_transfer","target_met"}` (the CPU the switch's process spent per committed transfer,
 * from its own /metrics, is what a machine shared with other work changes least); the whole run goes to load-tests/results/<ISO date>-batch.json. Figures are never a failure; the
 * exit code is 1 only when a k6 threshold on errors failed (the run measured something else than payments).
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchTargets } from './bench-result';
import { breakdownOf, breakdownTable, cpuProfileSchema, type SampleWindow } from './cpu-profile';
import { batchScriptPath } from './k6-process';
import type { LoadFigures } from './k6-summary';
import { machine, parseFlags, resultsDirectory, runLoadCommand, say, writeResultFile } from './load-runner';
import { repositoryRoot } from './node-service';

runLoadCommand('bench:batch', async (run) => {
  // Parsed inside the command, so that a bad flag is one line of error, not a stack trace.
  const flags = parseFlags(process.argv.slice(2), {
    seconds: { description: 'per scenario', min: 1, max: 300, fallback: 20 },
    'batch-size': { description: 'transfers per batch', min: 1, max: 8_190, fallback: 1_000 },
    'batch-vus': { description: 'virtual users posting batches', min: 1, max: 64, fallback: 4 },
    profile: { description: '1 runs the switch under --cpu-prof and prints where its time went', min: 0, max: 1, fallback: 0 },
    shed: { description: '0 turns off shedding on event-loop delay, so a loaded machine commits every batch', min: 0, max: 1, fallback: 1 },
  });
  const scenario = {
    scriptPath: batchScriptPath,
    vus: flags['batch-vus'],
    durationSeconds: flags.seconds,
    environment: { HISAAB_LOAD_BATCH_SIZE: String(flags['batch-size']) },
  };
  const reference = await run.startReference();
  let referenceFigures: LoadFigures;
  try {
    say(`reference server at ${reference.url}`);
    // The reference reads only the items' ids; the key and the parties are never looked at.
    const pair = {
      participantKey: 'reference',
      payer: { type: 'WALLET' as const, value: 'REF0000001' },
      payee: { type: 'MSISDN' as const, value: '923100000000' },
    };
    referenceFigures = await run.measure({ ...scenario, label: 'batch-reference', seed: { baseUrl: reference.url, pairs: [pair] } });
  } finally {
    await reference.close();
  }

  const profileDirectory = join(run.workDirectory, 'cpu-profiles');
  const profiling = flags.profile === 1;
  if (profiling) mkdirSync(profileDirectory);
  const network = await run.startNetwork({
    withAdviceWallets: true,
    // Shed batches spend CPU and commit nothing: off, the CPU per committed transfer compares across loads.
    ...(flags.shed === 0 ? { switchEnvironment: { HISAAB_MONEY_PATH_LOOP_DELAY_MAX_MS: '0' } } : {}),
    nodeFlags: profiling ? ['--cpu-prof', `--cpu-prof-dir=${profileDirectory}`] : [],
  });
  let switchFigures: LoadFigures;
  let window: SampleWindow;
  let switchCpuSeconds: number;
  try {
    const adviceSeed = network.adviceSeed;
    if (adviceSeed === null) throw new Error('the network was started without its ADVICE wallets');
    say(`switch at ${network.switchUrl}${profiling ? ' under --cpu-prof' : ''}: an ADVICE ring of ${adviceSeed.pairs.length} wallets`);
    const cpuBefore = await cpuSecondsOf(network.switchUrl);
    const fromMicroseconds = Number(process.hrtime.bigint() / 1000n);
    switchFigures = await run.measure({ ...scenario, label: 'batch', seed: adviceSeed });
    window = { fromMicroseconds, toMicroseconds: Number(process.hrtime.bigint() / 1000n) };
    switchCpuSeconds = (await cpuSecondsOf(network.switchUrl)) - cpuBefore;
  } finally {
    // A profile is written when the switch's process exits.
    await network.close();
  }

  const recordedAt = new Date().toISOString();
  const referenceRate = transfersPerSecond(referenceFigures, 'reference');
  const switchRate = transfersPerSecond(switchFigures, 'switch');
  const summary = {
    reference_transfers_per_s: referenceRate,
    batch_transfers_per_s: switchRate,
    ratio: referenceRate > 0 ? Math.round((switchRate / referenceRate) * 1000) / 1000 : null,
    p50_ms: switchFigures.latencyMs.p50,
    p99_ms: switchFigures.latencyMs.p99,
    errors: switchFigures.errorRate,
    switch_cpu_us_per_transfer: cpuPerTransfer(switchCpuSeconds, switchFigures),
    target_met: switchRate >= benchTargets.batchTransfersPerSecondMin,
  };
  const breakdown = profiling ? profileBreakdown(profileDirectory, window, recordedAt) : null;
  say(
    [
      `| scenario (batches of ${flags['batch-size']}, ${flags['batch-vus']} VUs, ${flags.seconds} s) | transfers/s | p50 ms | p99 ms | errors |`,
      '| --- | ---: | ---: | ---: | ---: |',
      row('reference: bare express', referenceFigures, referenceRate),
      row('switch, ADVICE payees', switchFigures, switchRate),
      '',
      `the switch's process used ${switchCpuSeconds.toFixed(1)} CPU-seconds: ${summary.switch_cpu_us_per_transfer ?? 'n/a'} µs per committed transfer (a machine shared with other work slows the rate, not this)`,
      `ratio ${summary.ratio ?? 'n/a'}; target ≥ ${benchTargets.batchTransfersPerSecondMin.toLocaleString('en-US')} transfers/s: ${summary.target_met ? 'met' : 'MISSED'}`,
    ].join('\n'),
  );
  if (breakdown !== null) say(`\n${breakdownTable(breakdown)}`);
  const result = {
    recordedAt,
    command: `npm run bench:batch -- --seconds ${flags.seconds} --batch-size ${flags['batch-size']} --batch-vus ${flags['batch-vus']} --profile ${flags.profile} --shed ${flags.shed}`,
    ...machine(run.k6Version, run.workers),
    figures: { reference: referenceFigures, switch: switchFigures },
    summary,
    ...(breakdown === null ? {} : { breakdown }),
  };
  say(`figures written to ${writeResultFile(recordedAt, '-batch.json', `${JSON.stringify(result, null, 2)}\n`)}`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return referenceFigures.thresholdsFailed.length === 0 && switchFigures.thresholdsFailed.length === 0 ? 0 : 1;
});

function transfersPerSecond(figures: LoadFigures, who: string): number {
  if (figures.committedTransfers === undefined) throw new Error(`the ${who}'s batch run has no committed_transfers: was it batch.k6.js?`);
  return figures.committedTransfers.perSecond;
}

/**
 * The switch's own CPU time so far (prom-client's process_cpu_seconds_total at /metrics: user and system). The
 * CPU it spends per committed transfer is the figure a busy machine changes least: contention stretches the wall
 * clock, not the work.
 */
async function cpuSecondsOf(switchUrl: string): Promise<number> {
  const response = await fetch(`${switchUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  const match = /^process_cpu_seconds_total(?:\{[^}]*\})? ([0-9.e+-]+)$/m.exec(text);
  if (match?.[1] === undefined) throw new Error("the switch's /metrics has no process_cpu_seconds_total");
  return Number(match[1]);
}

function cpuPerTransfer(cpuSeconds: number, figures: LoadFigures): number | null {
  const committed = figures.committedTransfers?.count ?? 0;
  return committed === 0 ? null : Math.round((cpuSeconds * 1e6) / committed);
}

function row(label: string, figures: LoadFigures, rate: number): string {
  return `| ${label} | ${rate.toFixed(1)} | ${figures.latencyMs.p50.toFixed(2)} | ${figures.latencyMs.p99.toFixed(2)} | ${(figures.errorRate * 100).toFixed(2)} % |`;
}

/** The switch's profile over the k6 run, the raw profile copied to load-tests/results/. */
function profileBreakdown(profileDirectory: string, window: SampleWindow, recordedAt: string) {
  const files = readdirSync(profileDirectory).filter((name) => name.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`the switch wrote no .cpuprofile into ${profileDirectory}`);
  mkdirSync(resultsDirectory, { recursive: true });
  const stamp = recordedAt.replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
  files.forEach((name, index) => copyFileSync(join(profileDirectory, name), join(resultsDirectory, `${stamp}-batch-${index}.cpuprofile`)));
  const profiles = files.map((name) => cpuProfileSchema.parse(JSON.parse(readFileSync(join(profileDirectory, name), 'utf8')) as unknown));
  return breakdownOf(profiles, window, repositoryRoot);
}
