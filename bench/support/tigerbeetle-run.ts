import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What one `tigerbeetle benchmark` run printed: its accepted load and its batch latency percentiles. */
export type TigerBeetleRun = { perSecond: number; batchP50Ms: number; batchP99Ms: number };

/** One run formats a data file of about 1 GiB and may take minutes on a loaded machine: past this it is stopped. */
const runTimeoutMs = 10 * 60_000;
/** The output kept for parsing (TigerBeetle prints a few kilobytes); more is cut, so memory has a bound. */
const outputCharactersMax = 1_000_000;

/**
 * The TigerBeetle binary to measure beside, from HISAAB_BENCH_TIGERBEETLE, or null when unset. The project never
 * depends on it: the README says how to build one from source.
 */
export function tigerBeetlePath(): string | null {
  const path = process.env.HISAAB_BENCH_TIGERBEETLE;
  if (path === undefined || path === '') return null;
  if (!existsSync(path)) throw new Error(`HISAAB_BENCH_TIGERBEETLE names ${path}, which does not exist`);
  return path;
}

/**
 * Runs `tigerbeetle benchmark --transfer-count=<transferCount>` in a scratch folder (its data file goes there and is
 * removed with it) and reads `load accepted = N tx/s` and the batch latency percentiles from what it prints.
 */
export async function runTigerBeetle(binary: string, transferCount: number): Promise<TigerBeetleRun> {
  const directory = mkdtempSync(join(tmpdir(), 'hisaab-bench-tigerbeetle-'));
  try {
    const output = await captureOutput(binary, ['benchmark', `--transfer-count=${transferCount}`], directory);
    const perSecond = figure(output, /load accepted = (\d+) tx\/s/);
    return {
      perSecond,
      batchP50Ms: figure(output, /batch latency p50\s*= (\d+) ms/),
      batchP99Ms: figure(output, /batch latency p99\s*= (\d+) ms/),
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function captureOutput(binary: string, args: string[], directory: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd: directory, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      if (output.length < outputCharactersMax) output += chunk.toString('utf8');
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), runTimeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`tigerbeetle benchmark ended with ${signal ?? `exit code ${String(code)}`}:\n${output.slice(-2000)}`));
    });
  });
}

function figure(output: string, pattern: RegExp): number {
  const match = pattern.exec(output);
  if (match?.[1] === undefined) throw new Error(`tigerbeetle benchmark did not print ${pattern.source}:\n${output.slice(-2000)}`);
  return Number(match[1]);
}
