/**
 * The one runner behind `npm run load:transfers`, `load:smoke`, `profile:transfers` and `bench:http`: command-line
 * settings, the run's temp directory and interruption, the switch (as its own process, as `npm run serve` starts
 * it, with HISAAB_WORKERS passed on) and its wallets, the reference server with the same number of workers, one
 * k6 scenario at a time, and the results file. Each command is a short script of these steps.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { installedK6Version, runK6 } from './k6-process';
import { readK6Summary, type LoadFigures } from './k6-summary';
import { runCampaign } from './run-campaign';
import { spawnedSwitch, startLoadNetwork, type LoadNetwork } from './load-network';
import { writeLoadSeed, type LoadSeed } from './load-seed';
import { freeLoopbackPort, startNodeService, type NodeService } from './node-service';
import { commitTransferToRead } from './commit-transfer-to-read';

export const resultsDirectory = join(__dirname, 'results');

/** Worker processes of the switch and of the reference: HISAAB_WORKERS from the caller's environment, else 1. */
export function workersFromEnvironment(environment: NodeJS.ProcessEnv): number {
  const text = environment.HISAAB_WORKERS;
  if (text === undefined || text === '') return 1;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > 64)
    throw new Error(`HISAAB_WORKERS must be a whole number from 1 to 64, got ${JSON.stringify(text.slice(0, 20))}`);
  return value;
}

export type Flag = { description: string; min: number; max: number; fallback: number };

/** `--name N` pairs, each a whole number within its flag's bounds; anything else is a clear error. */
export function parseFlags<Names extends string>(argv: readonly string[], flags: Record<Names, Flag>): Record<Names, number> {
  const values = Object.fromEntries(Object.entries<Flag>(flags).map(([name, flag]) => [name, flag.fallback])) as Record<Names, number>;
  const usage = Object.entries<Flag>(flags)
    .map(([name, flag]) => `--${name} N (${flag.description}, ${flag.min}-${flag.max}, default ${flag.fallback})`)
    .join(', ');
  for (let index = 0; index < argv.length; index += 2) {
    const argument = argv[index] ?? '';
    const name = argument.replace(/^--/, '') as Names;
    const flag = argument.startsWith('--') && Object.hasOwn(flags, name) ? flags[name] : undefined;
    if (flag === undefined) throw new Error(`unknown argument ${JSON.stringify(argument)}; use ${usage}`);
    const text = argv[index + 1] ?? '';
    const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < flag.min || value > flag.max)
      throw new Error(`${argument} takes a whole number from ${flag.min} to ${flag.max}, got ${JSON.stringify(text)}`);
    values[name] = value;
  }
  return values;
}

export type Scenario = {
  /** Names the k6 run's files and its line in the output. */
  label: string;
  scriptPath: string;
  seed?: LoadSeed;
  vus: number;
  durationSeconds: number;
  environment?: Readonly<Record<string, string>>;
};

export type LoadRun = {
  k6Version: string;
  workers: number;
  workDirectory: string;
  signal: AbortSignal;
  /** The switch as `npm run serve` starts it, on a fresh data dir, with the load wallets onboarded. */
  startNetwork(options: {
    withAdviceWallets: boolean;
    nodeFlags?: readonly string[];
    walletCount?: number;
    /** Switch settings the command needs beside the rig's (the smoke's shedding, below). */
    switchEnvironment?: Readonly<Record<string, string>>;
  }): Promise<LoadNetwork>;
  /** The bare express reference with as many workers as the switch. */
  startReference(): Promise<NodeService>;
  /** Runs one k6 scenario to its end and reads its figures. */
  measure(scenario: Scenario): Promise<LoadFigures>;
  /** Commits `count` transfers through the seed's pairs and writes the lookup file transfer-by-id.k6.js reads. */
  writeLookupFile(seed: LoadSeed, count: number): Promise<string>;
};

/** The machine a figure was measured on, recorded beside it. */
export function machine(k6Version: string, workers: number) {
  return { k6: k6Version, node: process.version, cpus: cpus().length, workers };
}

/**
 * Runs a command (with `settings.workers` processes instead of HISAAB_WORKERS's when given): k6's version checked first, a temp directory removed at the end, SIGINT/SIGTERM stopping k6
 * and the services; the exit code is the body's (0, or 1 when a threshold failed), 2 on a failure.
 */
export function runLoadCommand(name: string, body: (run: LoadRun) => Promise<number>, settings: { workers?: number } = {}): void {
  runCampaign(name, async (_argv, signal, workDirectory) => {
    const k6Version = installedK6Version();
    // A command's own --workers wins over HISAAB_WORKERS.
    const workers = settings.workers ?? workersFromEnvironment(process.env);
    say(`${k6Version}; ${workers} worker process(es); ${cpus().length} CPUs; Node ${process.version}`);
    return body(createLoadRun(k6Version, workers, workDirectory, signal));
  });
}

function createLoadRun(k6Version: string, workers: number, workDirectory: string, signal: AbortSignal): LoadRun {
  const workerEnvironment = { HISAAB_WORKERS: String(workers) };
  return {
    k6Version,
    workers,
    workDirectory,
    signal,
    async startNetwork(options) {
      signal.throwIfAborted();
      const launcher = spawnedSwitch({
        logFile: join(workDirectory, 'switch.log'),
        nodeFlags: options.nodeFlags ?? [],
        environment: { ...options.switchEnvironment, ...workerEnvironment },
      });
      return startLoadNetwork({ walletCount: options.walletCount ?? 3, withAdviceWallets: options.withAdviceWallets, launcher });
    },
    async startReference() {
      signal.throwIfAborted();
      const port = await freeLoopbackPort();
      return startNodeService({
        entry: 'load-tests/reference-main.ts',
        environment: { ...workerEnvironment, HISAAB_REFERENCE_PORT: String(port) },
        port,
        readyPath: '/healthz',
        logFile: join(workDirectory, 'reference.log'),
      });
    },
    async measure(scenario) {
      signal.throwIfAborted();
      const summaryFile = join(workDirectory, `${scenario.label}-summary.json`);
      let seedFile: string | undefined;
      if (scenario.seed !== undefined) {
        seedFile = join(workDirectory, `${scenario.label}-seed.json`);
        writeLoadSeed(seedFile, scenario.seed);
      }
      const run = await runK6({
        scriptPath: scenario.scriptPath,
        ...(seedFile === undefined ? {} : { seedFile }),
        summaryFile,
        vus: scenario.vus,
        durationSeconds: scenario.durationSeconds,
        ...(scenario.environment === undefined ? {} : { environment: scenario.environment }),
        signal,
      });
      signal.throwIfAborted();
      say(`  k6 → ${scenario.label}: ${run.stdout.trim()}`);
      if (run.stderr.trim() !== '') say(`  k6 (${scenario.label}) said: ${run.stderr.trim()}`);
      return readK6Summary(summaryFile);
    },
    async writeLookupFile(seed, count) {
      const transfers: { id: string; participantKey: string }[] = [];
      for (let index = 0; index < count; index += 1) {
        transfers.push(await commitTransferToRead(seed, index));
      }
      const path = join(workDirectory, 'lookups.json');
      writeFileSync(path, `${JSON.stringify({ baseUrl: seed.baseUrl, transfers })}\n`, { mode: 0o600 });
      return path;
    },
  };
}

/** The outbox is quiet once its finished deliveries have not moved for this long. */
const outboxQuietMs = 2_000;
const outboxDrainTimeoutMs = 180_000;

/** The sum of `hisaab_outbox_deliveries_total` in a /metrics text (every channel and outcome). */
export function outboxDeliveriesOf(metricsText: string): number {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    const match = /^hisaab_outbox_deliveries_total(?:\{[^}]*\})? (\d+(?:\.\d+)?(?:e\+?\d+)?)$/.exec(line);
    if (match?.[1] !== undefined) total += Number(match[1]);
  }
  return total;
}

/**
 * Waits until the switch's outbox stops delivering (its finished deliveries unchanged for outboxQuietMs), at most
 * outboxDrainTimeoutMs: ADVICE transfers leave advices to deliver, and the outbox refuses new ones past its
 * pending maximum (OUTBOX_FULL), so a scenario started on another's backlog would measure the backlog. Returns
 * how long it waited and how many deliveries finished meanwhile.
 */
export async function waitForQuietOutbox(
  switchUrl: string,
  signal: AbortSignal,
): Promise<{ waitedMs: number; delivered: number; quiet: boolean }> {
  const startedAt = Date.now();
  const read = async (): Promise<number> => {
    const response = await fetch(`${switchUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
    return outboxDeliveriesOf(await response.text());
  };
  const first = await read();
  let last = first;
  let lastChangeAt = Date.now();
  while (Date.now() - startedAt < outboxDrainTimeoutMs) {
    signal.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = await read();
    if (now !== last) {
      last = now;
      lastChangeAt = Date.now();
    } else if (Date.now() - lastChangeAt >= outboxQuietMs) {
      return { waitedMs: Date.now() - startedAt, delivered: last - first, quiet: true };
    }
  }
  return { waitedMs: Date.now() - startedAt, delivered: last - first, quiet: false };
}

/** `<ISO date><suffix>` under load-tests/results/, written whole or not at all (results/*.tmp is ignored by git). */
export function writeResultFile(recordedAt: string, suffix: string, content: string): string {
  mkdirSync(resultsDirectory, { recursive: true });
  const name = `${recordedAt.replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-')}${suffix}`;
  const path = join(resultsDirectory, name);
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
  return path;
}

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

export const figuresHeader = `${'target'.padEnd(22)} ${'requests/s'.padStart(10)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)} ${'p99 ms'.padStart(9)} ${'errors'.padStart(9)}`;

export function figuresRow(label: string, figures: LoadFigures): string {
  const failed = figures.thresholdsFailed.length === 0 ? '' : `  thresholds failed: ${figures.thresholdsFailed.join(', ')}`;
  return `${label.padEnd(22)} ${figures.requestsPerSecond.toFixed(1).padStart(10)} ${figures.latencyMs.p50.toFixed(2).padStart(9)} ${figures.latencyMs.p95.toFixed(2).padStart(9)} ${figures.latencyMs.p99.toFixed(2).padStart(9)} ${(figures.errorRate * 100).toFixed(2).padStart(7)} %${failed}`;
}
