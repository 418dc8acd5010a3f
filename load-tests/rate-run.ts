/**
 * What the soak (soak.ts) and the overload test (overload.ts) share: the switch as `npm run serve` starts it with
 * its REQUEST ring of wallets, the maximum rate measured as the load test measures it, load offered at a
 * constant arrival rate (by k6, or by Node for the short versions `npm test` runs), results written whole under
 * test-results/ (ignored by git), and a command's life: interruption, a temp directory, exit codes.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runK6, transfersScriptPath } from './k6-process';
import { readK6Summary, type LoadFigures } from './k6-summary';
import { spawnedSwitch, startLoadNetwork, type LoadNetwork } from './load-network';
import { writeLoadSeed, type LoadSeed } from './load-seed';
import { driveAtRate } from './node-rate-driver';
import { readRateSummary, type RateFigures } from './rate-summary';

export const testResultsDirectory = join(__dirname, '..', 'test-results');
const rateScriptPath = join(__dirname, 'transfers-rate.k6.js');
/** Virtual users of the maximum-rate measurement: the load test's default concurrency. */
export const measureVus = 32;

export type Driver = 'k6' | 'node';

/** `--driver k6|node` taken out of the arguments (k6 when absent); the rest are whole-number flags. */
export function driverOf(argv: readonly string[]): { driver: Driver; rest: string[] } {
  const index = argv.indexOf('--driver');
  if (index === -1) return { driver: 'k6', rest: [...argv] };
  const value = argv[index + 1];
  if (value !== 'k6' && value !== 'node') throw new Error(`--driver takes k6 or node, got ${JSON.stringify(value ?? '')}`);
  return { driver: value, rest: [...argv.slice(0, index), ...argv.slice(index + 2)] };
}

/** The switch in its own process (one worker) with the REQUEST ring, configured by `environment` besides the rig's. */
export function startRateNetwork(workDirectory: string, label: string, environment: Record<string, string> = {}): Promise<LoadNetwork> {
  return startLoadNetwork({
    walletCount: 3,
    withAdviceWallets: false,
    launcher: spawnedSwitch({ logFile: join(workDirectory, `${label}-switch.log`), environment: { HISAAB_WORKERS: '1', ...environment } }),
  });
}

/** The maximum rate as `npm run load:transfers` measures it: transfers.k6.js, by default with 32 virtual users. */
export async function measureMaximumRate(
  seed: LoadSeed,
  workDirectory: string,
  seconds: number,
  signal: AbortSignal,
  vus: number = measureVus,
): Promise<LoadFigures> {
  const seedFile = join(workDirectory, 'measure-seed.json');
  writeLoadSeed(seedFile, seed);
  const summaryFile = join(workDirectory, 'measure-summary.json');
  await runK6({ scriptPath: transfersScriptPath, seedFile, summaryFile, vus, durationSeconds: seconds, signal });
  return readK6Summary(summaryFile);
}

export type OfferedLoad = {
  driver: Driver;
  label: string;
  seed: LoadSeed;
  ratePerSecond: number;
  durationSeconds: number;
  intervalSeconds: number;
  epochMs: number;
  /** Most virtual users k6 may start to keep the rate (the Node driver has its own bound). */
  vusMax: number;
  workDirectory: string;
  signal: AbortSignal;
};

/** Offers `ratePerSecond` payments a second for the duration and counts them by outcome and interval. */
export async function offerLoad(input: OfferedLoad): Promise<RateFigures> {
  if (input.driver === 'node') return driveAtRate(input);
  const seedFile = join(input.workDirectory, `${input.label}-seed.json`);
  writeLoadSeed(seedFile, input.seed);
  const summaryFile = join(input.workDirectory, `${input.label}-summary.json`);
  await runK6({
    scriptPath: rateScriptPath,
    seedFile,
    summaryFile,
    vus: input.vusMax,
    durationSeconds: input.durationSeconds,
    environment: {
      HISAAB_LOAD_RATE: String(input.ratePerSecond),
      HISAAB_LOAD_INTERVAL_SECONDS: String(input.intervalSeconds),
      HISAAB_LOAD_EPOCH_MS: String(input.epochMs),
    },
    signal: input.signal,
  });
  return readRateSummary(summaryFile, input.ratePerSecond, input.durationSeconds);
}

/** test-results/<name>-<date> without an extension; the directory is made when missing. */
export function resultStem(name: string, recordedAt: string): string {
  mkdirSync(testResultsDirectory, { recursive: true });
  return join(testResultsDirectory, `${name}-${recordedAt.replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-')}`);
}

/** Written to a temporary name and renamed, so a reader never sees half a file. */
export function writeWhole(path: string, content: string): void {
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}
