import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where `npm run load:install` puts the pinned k6. */
export const k6Path = join(__dirname, '.bin', 'k6');
export const transfersScriptPath = join(__dirname, 'transfers.k6.js');
export const batchScriptPath = join(__dirname, 'batch.k6.js');
export const transferByIdScriptPath = join(__dirname, 'transfer-by-id.k6.js');

/** k6's exit code when the run finished but a threshold did not hold. */
const k6ThresholdsFailedExitCode = 99;
/** Beyond the scenario's duration: k6's start-up, the scenario's 10 s graceful stop and handleSummary. */
const k6OverrunMs = 40_000;
/** After SIGTERM, how long k6 has to stop before SIGKILL. */
const k6KillGraceMs = 5_000;
/** Output kept for error messages: the tail only, so a chatty run cannot fill memory. */
const outputTailBytesMax = 16 * 1024;

export type K6RunOptions = {
  scriptPath: string;
  /** HISAAB_LOAD_SEED_FILE; the lookup scenario reads HISAAB_LOAD_LOOKUP_FILE (in `environment`) instead. */
  seedFile?: string;
  summaryFile: string;
  vus: number;
  durationSeconds: number;
  /** The script's own HISAAB_LOAD_* settings (HISAAB_LOAD_BATCH_SIZE, HISAAB_LOAD_RATE, HISAAB_LOAD_THRESHOLDS...). */
  environment?: Readonly<Record<string, string>>;
  /** Aborting stops k6 (SIGTERM, then SIGKILL). */
  signal?: AbortSignal;
};

/** `stderr` holds what the script said with console.warn (its tail): why requests failed, say. */
export type K6RunResult = { exitCode: number; thresholdsHeld: boolean; stdout: string; stderr: string };

/** The version line of the installed k6, or a clear error saying how to install it. */
export function installedK6Version(): string {
  if (!existsSync(k6Path))
    throw new Error(`k6 is not installed at ${k6Path}: run \`npm run load:install\` first (it builds k6 with Go, in a few minutes)`);
  return execFileSync(k6Path, ['version'], { encoding: 'utf8', timeout: 10_000 }).trim().split('\n')[0] ?? '';
}

/**
 * Runs one k6 scenario to its end and resolves when k6 has exited; rejects when k6 failed (any exit but 0, or
 * 99 for thresholds that did not hold) with the tail of its output. k6 is killed if it outlives its duration
 * by more than k6OverrunMs, so the run always ends.
 */
export function runK6(options: K6RunOptions): Promise<K6RunResult> {
  const environment: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    TMPDIR: process.env.TMPDIR ?? '',
    // The run's own settings only: no K6_* variable from the caller's shell changes what is measured.
    K6_NO_USAGE_REPORT: 'true',
    ...options.environment,
    ...(options.seedFile === undefined ? {} : { HISAAB_LOAD_SEED_FILE: options.seedFile }),
    HISAAB_LOAD_SUMMARY_FILE: options.summaryFile,
    HISAAB_LOAD_VUS: String(options.vus),
    HISAAB_LOAD_DURATION_SECONDS: String(options.durationSeconds),
  };
  // --address '': no REST API server for k6 (it would take port 6565, which a parallel run may hold).
  // --no-usage-report: k6 sends anonymous usage reports unless told not to; a load rig phones nobody.
  const argumentsList = ['run', '--quiet', '--no-color', '--no-usage-report', '--address', '', options.scriptPath];
  return new Promise((resolve, reject) => {
    const child = spawn(k6Path, argumentsList, { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout = tail(stdout + chunk)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = tail(stderr + chunk)));
    let killTimer: NodeJS.Timeout | null = null;
    const stop = (): void => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), k6KillGraceMs);
    };
    const overrunTimer = setTimeout(stop, options.durationSeconds * 1000 + k6OverrunMs);
    options.signal?.addEventListener('abort', stop, { once: true });
    child.once('error', (error) => {
      clearTimeout(overrunTimer);
      reject(new Error(`k6 could not be started from ${k6Path}: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(overrunTimer);
      if (killTimer !== null) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', stop);
      if (code === 0 || code === k6ThresholdsFailedExitCode) {
        resolve({ exitCode: code, thresholdsHeld: code === 0, stdout, stderr });
        return;
      }
      if (options.signal?.aborted === true) {
        reject(new Error('the run was interrupted; k6 was stopped'));
        return;
      }
      const how = signal === null ? `with exit code ${String(code)}` : `by signal ${signal}`;
      reject(new Error(`k6 ended ${how}; its last output:\n${stderr}${stdout}`));
    });
  });
}

function tail(text: string): string {
  return text.length > outputTailBytesMax ? text.slice(text.length - outputTailBytesMax) : text;
}
