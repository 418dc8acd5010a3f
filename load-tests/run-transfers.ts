/**
 * `npm run load:transfers [-- --seconds N --vus N --wallets N]`: the switch under k6 load, measured against a
 * ceiling in the same run.
 *
 *   1. Starts the real switch in this process (SQLite in a temp dir, loopback ports) with simulated wallets,
 *      onboarded with high caps, and runs transfers.k6.js against it: N seconds of `POST /v1/transfers` from
 *      bounded virtual users, each answer checked for 201 COMMITTED.
 *   2. Closes the switch, starts the reference server (a bare express route answering a fixed 201 body) and runs
 *      the same script against it for the same time: what the HTTP stack alone does on this machine.
 *   3. Prints requests/s, p50/p95/p99 latency and error rate of both and the ratio switch / reference, writes
 *      them to load-tests/results/<ISO date>.json, and prints them as one JSON object on the last line.
 *
 * k6 comes from `npm run load:install`. Everything is bounded: k6 runs for its duration (killed if it overruns),
 * and the switch, wallets and reference server are closed at the end whatever happened. The exit code is 1 when
 * a k6 threshold of the switch's run did not hold (the figures are still written), 2 on a failure.
 */
import { mkdtempSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { installedK6Version, runK6, transfersScriptPath } from './k6-process';
import { readK6Summary, type LoadFigures } from './k6-summary';
import { loadWalletCountMax, loadWalletCountMin, startLoadNetwork } from './load-network';
import { writeLoadSeed, type LoadSeed } from './load-seed';
import { startReferenceServer } from './reference-server';

type RunOptions = { durationSeconds: number; vus: number; walletCount: number };
type Target = 'switch' | 'reference';

const resultsDirectory = join(__dirname, 'results');

async function main(): Promise<number> {
  const options = parseArguments(process.argv.slice(2));
  const k6Version = installedK6Version();
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const workDirectory = mkdtempSync(join(tmpdir(), 'hisaab-load-run-'));
  try {
    say(
      `${k6Version}; ${options.vus} virtual users for ${options.durationSeconds} s per target; ${cpus().length} CPUs; Node ${process.version}`,
    );
    const switchFigures = await measureSwitch(options, workDirectory, abort.signal);
    const referenceFigures = await measureReference(options, workDirectory, switchFigures.seed, abort.signal);
    const result = resultOf(options, k6Version, switchFigures.figures, referenceFigures);
    printTable(result.switch, result.reference, result.ratio.requestsPerSecond);
    const path = writeResult(result);
    say(`figures written to ${path}`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return result.switch.thresholdsFailed.length === 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(workDirectory, { recursive: true, force: true });
  }
}

async function measureSwitch(
  options: RunOptions,
  workDirectory: string,
  signal: AbortSignal,
): Promise<{ figures: LoadFigures; seed: LoadSeed }> {
  const network = await startLoadNetwork({ walletCount: options.walletCount });
  try {
    say(`switch at ${network.switchUrl} with ${network.seed.pairs.length} wallets paying each other in a ring`);
    return { figures: await measure('switch', network.seed, options, workDirectory, signal), seed: network.seed };
  } finally {
    await network.close();
  }
}

async function measureReference(
  options: RunOptions,
  workDirectory: string,
  switchSeed: LoadSeed,
  signal: AbortSignal,
): Promise<LoadFigures> {
  signal.throwIfAborted();
  const reference = await startReferenceServer();
  try {
    say(`reference server at ${reference.url}`);
    return await measure('reference', { ...switchSeed, baseUrl: reference.url }, options, workDirectory, signal);
  } finally {
    await reference.close();
  }
}

async function measure(
  target: Target,
  seed: LoadSeed,
  options: RunOptions,
  workDirectory: string,
  signal: AbortSignal,
): Promise<LoadFigures> {
  signal.throwIfAborted();
  const seedFile = join(workDirectory, `${target}-seed.json`);
  const summaryFile = join(workDirectory, `${target}-summary.json`);
  writeLoadSeed(seedFile, seed);
  const run = await runK6({
    scriptPath: transfersScriptPath,
    seedFile,
    summaryFile,
    vus: options.vus,
    durationSeconds: options.durationSeconds,
    signal,
  });
  signal.throwIfAborted();
  process.stdout.write(`  k6 → ${target}: ${run.stdout.trim()}\n`);
  return readK6Summary(summaryFile);
}

type LoadResult = ReturnType<typeof resultOf>;

function resultOf(options: RunOptions, k6Version: string, switchFigures: LoadFigures, referenceFigures: LoadFigures) {
  if (referenceFigures.requestsPerSecond <= 0) throw new Error('the reference server answered nothing: no ratio can be computed');
  return {
    recordedAt: new Date().toISOString(),
    command: `npm run load:transfers -- --seconds ${options.durationSeconds} --vus ${options.vus} --wallets ${options.walletCount}`,
    k6: k6Version,
    node: process.version,
    cpus: cpus().length,
    durationSeconds: options.durationSeconds,
    vus: options.vus,
    wallets: options.walletCount,
    switch: switchFigures,
    reference: referenceFigures,
    ratio: { requestsPerSecond: Math.round((switchFigures.requestsPerSecond / referenceFigures.requestsPerSecond) * 1000) / 1000 },
  };
}

function printTable(switchFigures: LoadFigures, referenceFigures: LoadFigures, ratio: number): void {
  const row = (label: string, figures: LoadFigures): string =>
    `${label.padEnd(10)} ${figures.requestsPerSecond.toFixed(1).padStart(10)} ${figures.latencyMs.p50.toFixed(2).padStart(9)} ${figures.latencyMs.p95.toFixed(2).padStart(9)} ${figures.latencyMs.p99.toFixed(2).padStart(9)} ${(figures.errorRate * 100).toFixed(2).padStart(7)} %${figures.thresholdsFailed.length === 0 ? '' : `  thresholds failed: ${figures.thresholdsFailed.join(', ')}`}`;
  say(
    `${'target'.padEnd(10)} ${'requests/s'.padStart(10)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)} ${'p99 ms'.padStart(9)} ${'errors'.padStart(9)}`,
  );
  say(row('switch', switchFigures));
  say(row('reference', referenceFigures));
  say(`ratio switch / reference requests/s: ${ratio.toFixed(3)}`);
}

/** Written whole or not at all: a temp file renamed into place (results/*.tmp is ignored by git). */
function writeResult(result: LoadResult): string {
  mkdirSync(resultsDirectory, { recursive: true });
  const name = `${result.recordedAt.replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-')}.json`;
  const path = join(resultsDirectory, name);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
  return path;
}

function parseArguments(argv: readonly string[]): RunOptions {
  const options: RunOptions = { durationSeconds: 20, vus: 32, walletCount: loadWalletCountMax };
  const flags: Record<string, { set: (value: number) => void; min: number; max: number }> = {
    '--seconds': { set: (value) => (options.durationSeconds = value), min: 1, max: 300 },
    '--vus': { set: (value) => (options.vus = value), min: 1, max: 256 },
    '--wallets': { set: (value) => (options.walletCount = value), min: loadWalletCountMin, max: loadWalletCountMax },
  };
  for (let index = 0; index < argv.length; index += 2) {
    const name = argv[index] ?? '';
    const flag = flags[name];
    if (flag === undefined)
      throw new Error(
        `unknown argument ${JSON.stringify(name)}; use --seconds N (1-300, default 20), --vus N (1-256, default 32), --wallets N (2-3, default 3)`,
      );
    const text = argv[index + 1] ?? '';
    const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < flag.min || value > flag.max)
      throw new Error(`${name} takes a whole number from ${flag.min} to ${flag.max}, got ${JSON.stringify(text)}`);
    flag.set(value);
  }
  return options;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

main().then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    process.stderr.write(`load:transfers failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
